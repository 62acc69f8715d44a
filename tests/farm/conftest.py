"""A clip of several windows and an edit of several clips with keyframe markers, as farm jobs
get them."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from edits import edit, marker, media, media_clip, t
from farm_jobs import hr_still
from helpers import numbered_frames
from opentimelineio import opentime

from sparkvsr.timeline import write_timeline

RATE = Fraction(25)


@pytest.fixture
def shot(tmp_path: Path) -> tuple[Path, list[str]]:
    """A 32-frame movie and the keyframe options of a job on it (keyframes 0, 12 and 24): eight
    flow windows of 4 frames, each independent of the others."""
    return make_shot(tmp_path)


@pytest.fixture
def cut(tmp_path: Path) -> Path:
    """An edit of three clips from two media files, keyframes on clip and timeline markers."""
    return make_cut(tmp_path)


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    """The submitter's folder: every file of a job lies under it."""
    folder = tmp_path / "studio"
    folder.mkdir()
    return folder


def make_shot(tmp_path: Path) -> tuple[Path, list[str]]:
    path = media(tmp_path, "shot", 32, RATE, start_timecode="01:00:00:00", size=(48, 32))
    options = []
    for index in (0, 12, 24):
        still = hr_still(tmp_path / f"hr_{index:04d}.png", numbered_frames(32, (48, 32))[index])
        options += ["--keyframe", f"{index}={still}"]
    return path, options


def make_cut(tmp_path: Path) -> Path:
    first = media(tmp_path, "A001", 40, RATE, start_timecode="10:00:00:00", size=(48, 32))
    second = media(tmp_path, "B002", 30, RATE, size=(48, 32), seed=3)
    a = media_clip("a", first, RATE, 4, 12, media_start="10:00:00:00", media_frames=40)
    start = opentime.from_timecode("10:00:00:00", float(RATE))
    still = hr_still(tmp_path / "a_0008.png", numbered_frames(40, (48, 32))[8])
    a.markers.append(marker("SparkVSR hero", start + t(8, RATE), note=str(still)))
    b = media_clip("b", second, RATE, 0, 10, media_frames=30)
    still_b = hr_still(tmp_path / "b_0004.png", numbered_frames(30, (48, 32), seed=3)[4])
    b.markers.append(marker("SparkVSR", t(4, RATE), note=str(still_b)))
    c = media_clip("c", first, RATE, 20, 9, media_start="10:00:00:00", media_frames=40)
    timeline = edit(RATE, [a, 3, b, c])
    path = tmp_path / "cut.otio"
    write_timeline(timeline, str(path))
    return path
