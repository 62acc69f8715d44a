"""EDLs written by OpenTimelineIO's own CMX 3600 adapter, read back at their media's rate."""

import json
from fractions import Fraction

import opentimelineio as otio
import pytest
from edits import edit, media, media_clip

from sparkvsr.cli import main
from sparkvsr.errors import InvalidInputError
from sparkvsr.timeline import read_timeline

NTSC_FILM = Fraction(24000, 1001)


def adapter_edl(tmp_path, media_path, rate: Fraction):
    """An EDL the cmx_3600 adapter writes: clips whose source and record timecodes cross
    second boundaries at different frames (read at another rate, their durations differ)."""
    clips = [
        media_clip("A001", media_path, rate, 0, 20, media_frames=120),
        media_clip("A001", media_path, rate, 5, 35, media_frames=120),
        media_clip("A001", media_path, rate, 70, 41, media_frames=120),
    ]
    path = tmp_path / "cut.edl"
    otio.adapters.write_to_file(edit(rate, clips), str(path), adapter_name="cmx_3600")
    return path


def test_an_adapter_edl_at_23_976_is_read_at_its_media_rate(tmp_path):
    path = adapter_edl(tmp_path, media(tmp_path, "A001", 120, NTSC_FILM), NTSC_FILM)

    timeline = read_timeline(str(path))

    ranges = [
        (clip.source_range.start_time.to_frames(), clip.source_range.duration.to_frames())
        for clip in timeline.find_clips()
    ]
    assert ranges == [(0, 20), (5, 35), (70, 41)]
    assert all(
        clip.source_range.duration.rate == pytest.approx(float(NTSC_FILM))
        for clip in timeline.find_clips()
    )


def test_the_dry_run_of_an_adapter_edl_names_the_media_frames(tmp_path, capsys):
    path = adapter_edl(tmp_path, media(tmp_path, "A001", 120, NTSC_FILM), NTSC_FILM)
    code = main(["timeline", "upscale", str(path), "-o", str(tmp_path / "out"), "--dry-run"])
    assert code == 0
    plans = json.loads(capsys.readouterr().out)["clips"]
    assert [plan["used"] for plan in plans] == [[0, 19], [5, 39], [70, 110]]


def test_an_edl_whose_trial_read_fails_asks_for_rate(tmp_path):
    path = tmp_path / "cut.edl"
    path.write_text("TITLE: cut\n\n001  A001  V  C  00:00:00:00 00:00:01:00 00:00:00:00\n")
    with pytest.raises(InvalidInputError, match=r"cannot tell the frame rate .*--rate"):
        read_timeline(str(path))
