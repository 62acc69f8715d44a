"""`sparkvsr timeline upscale` as a user runs it."""

import json
from fractions import Fraction

import opentimelineio as otio
from edits import edit, marker, media, media_clip, t
from opentimelineio import opentime

from sparkvsr.cli import main
from sparkvsr.timeline import read_timeline, write_timeline

RATE = Fraction(25)


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_dry_run_prints_the_plan_without_media(tmp_path, capsys):
    start = opentime.from_timecode("01:00:00:00", 25)
    clip = media_clip(
        "A001", tmp_path / "A001.mov", RATE, 50, 40, media_start="01:00:00:00", media_frames=100
    )
    clip.markers.append(marker("SparkVSR", start + t(60, RATE), note="/stills/a_0060.png"))
    other = media_clip("B", tmp_path / "B.mov", RATE, 0, 10, available=False)
    timeline = edit(RATE, [clip], [4, other])
    timeline.tracks.markers.append(marker("anything", t(20, RATE)))
    path = tmp_path / "edit.otio"
    write_timeline(timeline, str(path))

    code, stdout, _ = run_cli(
        [
            "timeline",
            "upscale",
            str(path),
            "-o",
            str(tmp_path / "out"),
            "--dry-run",
            "--handles",
            "3",
            "--markers",
            "any",
        ],
        capsys,
    )

    assert code == 0
    plan = json.loads(stdout)
    assert plan["clips"][0] == {
        "track": "V1",
        "clip": 1,
        "name": "A001",
        "media": str(tmp_path / "A001.mov"),
        "frames": [47, 92],
        "used": [50, 89],
        "keyframes": [
            {
                "frame": 60,
                "from": "clip marker",
                "marker": "SparkVSR",
                "still": "/stills/a_0060.png",
            },
            {"frame": 70, "from": "timeline marker", "marker": "anything", "still": None},
        ],
        "warnings": [],
        "skipped": f"media not found: {tmp_path / 'A001.mov'}",  # still planned from the edit
    }
    assert plan["clips"][1]["skipped"] == f"media not found: {tmp_path / 'B.mov'}"
    assert plan["clips"][1]["frames"] is None
    assert not (tmp_path / "out").exists()


def test_upscale_writes_media_the_edit_and_a_summary(tmp_path, capsys):
    path = media(tmp_path, "A001", 60, RATE, start_timecode="10:00:00:00")
    good = media_clip("good", path, RATE, 10, 12, media_start="10:00:00:00", media_frames=60)
    gone = media_clip("gone", tmp_path / "gone.mov", RATE, 0, 10, media_frames=10)
    timeline = edit(RATE, [good, 5, gone])
    edit_path = tmp_path / "cut.xml"
    write_timeline(timeline, str(edit_path))
    out = tmp_path / "out"

    code, stdout, stderr = run_cli(
        ["timeline", "upscale", str(edit_path), "--track", "V1", "-o", str(out)], capsys
    )

    assert code == 1  # one clip could not be done
    written = out / "A001_sparkvsr_x4_10-21.mov"
    assert written.exists()
    lines = stdout.splitlines()
    assert lines[0].split() == ["clip", "frames", "keys", "result"]
    assert f"done: {written}" in lines[1] and "10-21" in lines[1]
    assert f"skipped: media not found: {tmp_path / 'gone.mov'}" in lines[2]
    assert lines[3] == "1 of 2 clips upscaled"
    assert lines[4] == f"wrote {out / 'cut.sparkvsr.otio'} (stack)"

    result = read_timeline(str(out / "cut.sparkvsr.otio"))
    assert [track.name for track in result.tracks] == ["", "V1 SparkVSR x4"]  # XML: unnamed
    (new,) = [c for c in result.tracks[1] if isinstance(c, otio.schema.Clip)]
    assert new.media_reference.target_url == str(written)


def test_bad_arguments_get_one_line_errors(tmp_path, capsys):
    path = tmp_path / "edit.otio"
    write_timeline(edit(RATE, [4]), str(path))
    code, _, stderr = run_cli(
        ["timeline", "upscale", str(path), "-o", str(tmp_path), "--track", "V9"], capsys
    )
    assert code == 2
    assert stderr.strip() == "sparkvsr: error: no video track 'V9'; the timeline has: V1"
