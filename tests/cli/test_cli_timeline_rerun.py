"""`sparkvsr timeline upscale` run again: clips already upscaled with the same settings (as their
sidecars say) are reused and linked, anything else is not."""

import json
import os
import time
from fractions import Fraction

import opentimelineio as otio
from edits import edit, marker, media, media_clip, t

from sparkvsr.cli import main
from sparkvsr.timeline import read_timeline, write_timeline

RATE = Fraction(25)


def two_clip_edit(tmp_path):
    path = media(tmp_path, "A001", 40, RATE)
    first = media_clip("first", path, RATE, 0, 12, media_frames=40)
    second = media_clip("second", path, RATE, 20, 12, media_frames=40)
    edit_path = tmp_path / "cut.otio"
    write_timeline(edit(RATE, [first, second]), str(edit_path))
    return edit_path


def run(edit_path, out, capsys, *extra):
    args = ["timeline", "upscale", str(edit_path), "-o", str(out), "--scale", "2"]
    code = main([*args, "--no-progress", *extra])
    captured = capsys.readouterr()
    return code, captured.out.splitlines()


def test_a_rerun_reuses_and_links_the_clips_it_already_made(tmp_path, capsys):
    edit_path, out = two_clip_edit(tmp_path), tmp_path / "out"
    assert run(edit_path, out, capsys)[0] == 0
    outputs = [out / "A001_sparkvsr_x2_0-11.mov", out / "A001_sparkvsr_x2_20-31.mov"]
    made = {path: path.stat().st_mtime_ns for path in outputs}

    code, lines = run(edit_path, out, capsys, "--replace")

    assert code == 0
    assert f"reused: {outputs[0]}" in lines[1] and f"reused: {outputs[1]}" in lines[2]
    assert lines[3] == "2 of 2 clips upscaled (2 reused from an earlier run)"
    assert {path: path.stat().st_mtime_ns for path in outputs} == made  # not redone
    relinked = read_timeline(str(out / "cut.sparkvsr.otio"))
    clips = [item for item in relinked.tracks[0] if isinstance(item, otio.schema.Clip)]
    assert [clip.media_reference.target_url for clip in clips] == [str(p) for p in outputs]


def test_a_clip_with_other_keyframes_or_settings_is_not_reused(tmp_path, capsys):
    edit_path, out = two_clip_edit(tmp_path), tmp_path / "out"
    assert run(edit_path, out, capsys)[0] == 0
    timeline = read_timeline(str(edit_path))
    first = timeline.tracks[0][0]
    first.markers.append(marker("SparkVSR", first.source_range.start_time + t(4, RATE)))
    write_timeline(timeline, str(edit_path))

    code, lines = run(edit_path, out, capsys, "--provider", "local", "--chunk-length", "6")

    assert code == 1
    assert "skipped:" in lines[1] and "exists; pass --overwrite" in lines[1]
    assert "skipped:" in lines[2] and "exists; pass --overwrite" in lines[2]  # other settings
    assert lines[3] == "0 of 2 clips upscaled"


def test_a_clip_whose_media_changed_since_is_not_reused(tmp_path, capsys):
    edit_path, out = two_clip_edit(tmp_path), tmp_path / "out"
    assert run(edit_path, out, capsys)[0] == 0
    later = time.time() + 60
    os.utime(tmp_path / "A001.mov", (later, later))  # the media was replaced since

    code, lines = run(edit_path, out, capsys)

    assert code == 1
    assert all("exists; pass --overwrite" in line for line in lines[1:3])


def test_a_clip_made_by_another_version_is_not_reused(tmp_path, capsys):
    edit_path, out = two_clip_edit(tmp_path), tmp_path / "out"
    assert run(edit_path, out, capsys)[0] == 0
    for sidecar in out.glob("*.sparkvsr.json"):  # an older sparkvsr may draw other frames
        record = json.loads(sidecar.read_text())
        sidecar.write_text(json.dumps({**record, "sparkvsr_version": "0.0.1"}))

    code, lines = run(edit_path, out, capsys)

    assert code == 1
    assert all("exists; pass --overwrite" in line for line in lines[1:3])
