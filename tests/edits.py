"""Edits built with OTIO's own API over real media files, for the timeline and editor tests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
from helpers import numbered_frames, write_movie
from opentimelineio import opentime


def t(frames: float, rate: Fraction) -> opentime.RationalTime:
    return opentime.RationalTime(frames, float(rate))


def media(
    directory: Path,
    name: str,
    count: int,
    rate: Fraction,
    start_timecode: str | None = None,
    size=(64, 48),
    seed=0,
) -> Path:
    """A numbered ProRes movie (see helpers.numbered_frames)."""
    return write_movie(
        directory / f"{name}.mov",
        numbered_frames(count, size, seed),
        rate,
        start_timecode=start_timecode,
    )


def media_clip(
    name: str,
    path: Path | str,
    rate: Fraction,
    first: int,
    count: int,
    *,
    media_start: str = "00:00:00:00",
    media_frames: int | None = None,
    available: bool = True,
) -> otio.schema.Clip:
    """A clip showing media frames [first, first + count) of a file whose first frame is at
    `media_start`; `available=False` leaves the media's range for the reader to find."""
    start = opentime.from_timecode(media_start, float(rate))
    reference = otio.schema.ExternalReference(
        target_url=str(path),
        available_range=opentime.TimeRange(start, t(media_frames, rate))
        if available and media_frames
        else None,
    )
    return otio.schema.Clip(
        name=name,
        media_reference=reference,
        source_range=opentime.TimeRange(start + t(first, rate), t(count, rate)),
    )


def marker(
    name: str, time: opentime.RationalTime, color: str = "RED", note: str = ""
) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=name,
        marked_range=opentime.TimeRange(time, opentime.RationalTime(1, time.rate)),
        color=color,
        comment=note,
    )


def edit(rate: Fraction, *tracks: list, names=None) -> otio.schema.Timeline:
    """A timeline at `rate` starting at 01:00:00:00; each track is a list of items, and an int
    in a list is a gap of that many frames."""
    timeline = otio.schema.Timeline(name="edit")
    timeline.global_start_time = opentime.from_timecode("01:00:00:00", float(rate))
    for index, items in enumerate(tracks):
        track = otio.schema.Track(name=names[index] if names else f"V{index + 1}")
        for item in items:
            if isinstance(item, int):
                item = otio.schema.Gap(source_range=opentime.TimeRange(t(0, rate), t(item, rate)))
            track.append(item)
        timeline.tracks.append(track)
    return timeline
