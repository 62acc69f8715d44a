"""Edits from elsewhere through `sparkvsr timeline upscale`: other machines' paths, EDL rates,
XML the reader cannot use, all-skipped runs and the timecode of what is written."""

import json
from fractions import Fraction

import opentimelineio as otio
import pytest
from edits import edit, media, media_clip
from opentimelineio import opentime

from sparkvsr.cli import main
from sparkvsr.media import probe_video
from sparkvsr.timeline import PathMapping, map_path, read_timeline, write_timeline

RATE = Fraction(25)


def run_cli(args, capsys):
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def dry_run(edit_path, capsys, *extra):
    code, stdout, stderr = run_cli(
        ["timeline", "upscale", edit_path, "-o", edit_path.parent / "out", "--dry-run", *extra],
        capsys,
    )
    assert code == 0, stderr
    return json.loads(stdout)["clips"]


@pytest.mark.parametrize(
    ("named", "mapping", "here"),
    [
        ("/D:/media/day1/A.mov", "D:\\media=/mnt/media", "/mnt/media/day1/A.mov"),
        ("file:///D:/media/day1/A.mov", "d:/MEDIA=/mnt/media", "/mnt/media/day1/A.mov"),
        ("D:\\media\\day1\\A.mov", "file:///D:/media/=/mnt/media/", "/mnt/media/day1/A.mov"),
        ("file://nas/share/A.mov", "\\\\nas\\share=/mnt/nas", "/mnt/nas/A.mov"),
        ("/Volumes/media/A.mov", "/Volumes/media=D:\\media", "D:\\media\\A.mov"),
        ("/Volumes/media2/A.mov", "/Volumes/media=/mnt/m", "/Volumes/media2/A.mov"),
        ("/Volumes/Media/A.mov", "/Volumes/media=/mnt/m", "/Volumes/Media/A.mov"),  # POSIX: case
    ],
)
def test_path_mappings_read_every_spelling_of_a_prefix(named, mapping, here):
    assert map_path(named, (PathMapping.parse(mapping),)) == here


def test_a_windows_edit_finds_its_media_here_through_map_path(tmp_path, capsys):
    path = media(tmp_path, "A001", 40, RATE)
    clip = media_clip("A001", "file:///D:/media/A001.mov", RATE, 5, 10, media_frames=40)
    edit_path = tmp_path / "cut.xml"
    write_timeline(edit(RATE, [clip]), str(edit_path))

    (unmapped,) = dry_run(edit_path, capsys)
    assert unmapped["skipped"] == "media not found: /D:/media/A001.mov"
    (mapped,) = dry_run(edit_path, capsys, "--map-path", f"D:\\media={tmp_path}")
    assert mapped["media"] == str(path) and mapped["skipped"] is None
    assert mapped["frames"] == [5, 14]


def test_an_fcp7_xml_dry_run_flags_missing_media(tmp_path, capsys):
    here = media(tmp_path, "here", 40, RATE)
    clips = [
        media_clip("here", here, RATE, 0, 10, media_frames=40),
        media_clip("gone", tmp_path / "gone.mov", RATE, 0, 10, media_frames=40),
    ]
    edit_path = tmp_path / "cut.xml"
    write_timeline(edit(RATE, clips), str(edit_path))
    plans = dry_run(edit_path, capsys)
    assert [plan["skipped"] for plan in plans] == [
        None,
        f"media not found: {tmp_path / 'gone.mov'}",
    ]
    assert plans[1]["frames"] == [0, 9]  # still planned from the edit's own ranges


EDL = """TITLE: cut
FCM: NON-DROP FRAME

001  A001     V     C        00:00:04:00 00:00:05:05 01:00:00:00 01:00:01:05
* FROM CLIP NAME: A001
* FROM FILE: {path}
"""


def test_an_edl_is_read_at_its_media_rate(tmp_path, capsys):
    path = media(tmp_path, "A001", 200, RATE)
    edit_path = tmp_path / "cut.edl"
    edit_path.write_text(EDL.format(path=path))
    # Read at 24 fps (the old default) the 30-frame event became media frames [100, 130].
    (plan,) = dry_run(edit_path, capsys)
    assert plan["used"] == [100, 129] and plan["skipped"] is None
    (forced,) = dry_run(edit_path, capsys, "--rate", "24")
    assert forced["used"] == [100, 130]  # what the user asked for


def test_an_edl_whose_rate_cannot_be_known_is_refused_naming_rate(tmp_path, capsys):
    edit_path = tmp_path / "cut.edl"
    edit_path.write_text(EDL.format(path=tmp_path / "elsewhere.mov"))
    code, _, stderr = run_cli(
        ["timeline", "upscale", edit_path, "-o", tmp_path / "out", "--dry-run"], capsys
    )
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert "cannot tell the frame rate" in stderr and "--rate 25" in stderr


def test_an_xml_with_its_sequence_nested_says_why_nothing_was_read(tmp_path, capsys):
    xml = (
        '<?xml version="1.0"?><xmeml version="4"><clip id="c"><name>c</name><filter><effect>'
        "<sequence id='s'><name>cut</name><media><video><track/></video></media></sequence>"
        "</effect></filter></clip></xmeml>"
    )
    edit_path = tmp_path / "nested.xml"
    edit_path.write_text(xml)
    code, _, stderr = run_cli(["timeline", "upscale", edit_path, "-o", tmp_path], capsys)
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert "1 <sequence> element(s), but only inside <effect>" in stderr
    assert "export the sequence itself" in stderr


def test_an_edit_with_only_audio_says_there_is_no_video(tmp_path, capsys):
    timeline = otio.schema.Timeline(name="sound")
    timeline.tracks.append(otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio))
    edit_path = tmp_path / "sound.otio"
    write_timeline(timeline, str(edit_path))
    code, _, stderr = run_cli(
        ["timeline", "upscale", edit_path, "-o", tmp_path, "--dry-run"], capsys
    )
    assert code == 2
    assert "no video track (only audio tracks): nothing to upscale" in stderr


def test_all_clips_skipped_into_a_new_folder_still_prints_the_table(tmp_path, capsys):
    clip = media_clip("gone", tmp_path / "gone.mov", RATE, 0, 10, media_frames=10)
    edit_path = tmp_path / "cut.otio"
    write_timeline(edit(RATE, [clip]), str(edit_path))
    out = tmp_path / "not" / "yet"

    code, stdout, _ = run_cli(["timeline", "upscale", edit_path, "-o", out], capsys)

    assert code == 1
    assert f"skipped: media not found: {tmp_path / 'gone.mov'}" in stdout
    assert "0 of 1 clips upscaled" in stdout
    assert (out / "cut.sparkvsr.otio").exists()


def test_output_of_a_source_without_timecode_has_the_timecode_the_edit_gives_it(tmp_path, capsys):
    path = media(tmp_path, "notc", 40, RATE)  # no timecode track
    assert probe_video(str(path)).start_timecode is None
    edit_path = tmp_path / "cut.otio"
    write_timeline(edit(RATE, [media_clip("notc", path, RATE, 8, 10)]), str(edit_path))
    out = tmp_path / "out"

    code, _, stderr = run_cli(
        ["timeline", "upscale", edit_path, "-o", out, "--handles", "3", "--no-progress"], capsys
    )

    assert code == 0, stderr
    back = read_timeline(str(out / "cut.sparkvsr.otio"))
    (upscaled,) = [c for c in back.tracks[1] if isinstance(c, otio.schema.Clip)]
    start = upscaled.media_reference.available_range.start_time
    movie = probe_video(upscaled.media_reference.target_url)
    assert movie.start_timecode == opentime.to_timecode(start, 25) == "00:00:00:05"
