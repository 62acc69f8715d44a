"""Putting upscaled media back into a timeline: names, media references and the three modes."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Literal, get_args

import opentimelineio as otio
from opentimelineio import opentime

from sparkvsr.media import SEQUENCE_PADDING, is_sequence_pattern, media_output_name
from sparkvsr.timeline._plan import ClipPlan

OutputMode = Literal["stack", "replace", "reference"]
OUTPUT_MODES: tuple[str, ...] = get_args(OutputMode)
"""stack: a new track above each source track; replace: the clips relinked to the new media;
reference: the new media added to each clip as a second media reference."""


def output_name(plan: ClipPlan, scale: int) -> str:
    """`<media stem>_sparkvsr_x<scale>_<first>-<last>`: the frames upscaled, handles included."""
    return media_output_name(plan.media, plan.frames, scale)


def reference_key(scale: int) -> str:
    """The media reference key of upscaled media in `reference` mode."""
    return f"upscaled_x{scale}"


def upscaled_reference(plan: ClipPlan, target: str) -> otio.core.MediaReference:
    """A reference to the upscaled media, in the same source time as the original media: its
    first frame is at the original media's time of the first upscaled frame, so the clip's
    source range stays valid unchanged."""
    timing, frames = plan.timing, plan.frames
    rate = float(timing.rate)
    start = timing.start + opentime.RationalTime(frames.start, rate).rescaled_to(timing.start.rate)
    available = opentime.TimeRange(
        start, opentime.RationalTime(len(frames), rate).rescaled_to(timing.start.rate)
    )
    absolute = os.path.abspath(target)
    as_url = plan.clip.media_reference.target_url.startswith("file:")
    if not is_sequence_pattern(target):
        url = Path(absolute).as_uri() if as_url else absolute
        return otio.schema.ExternalReference(target_url=url, available_range=available)
    folder, pattern = os.path.split(absolute)
    prefix, suffix = pattern.split(f"%0{SEQUENCE_PADDING}d")
    base = Path(folder).as_uri() if as_url else folder
    return otio.schema.ImageSequenceReference(
        target_url_base=base + "/",
        name_prefix=prefix,
        name_suffix=suffix,
        start_frame=frames.start,
        frame_step=1,
        rate=rate,
        frame_zero_padding=SEQUENCE_PADDING,
        available_range=available,
    )


def conform(
    timeline: otio.schema.Timeline,
    placed: list[tuple[ClipPlan, otio.core.MediaReference]],
    mode: OutputMode,
    scale: int,
) -> None:
    """Edits `timeline` (the one the plans were made on) to show the upscaled media."""
    if mode == "stack":
        _stack(timeline, placed, scale)
        return
    for plan, reference in placed:
        clip = plan.clip
        if mode == "replace":
            clip.media_reference = reference
        else:
            references = dict(clip.media_references())
            references[reference_key(scale)] = reference
            clip.set_media_references(references, clip.active_media_reference_key)
        clip.metadata["sparkvsr"] = {"scale": scale, "frames": _frames_json(plan)}


def _stack(timeline, placed, scale: int) -> None:
    by_track: dict[int, list] = {}
    for plan, reference in placed:
        by_track.setdefault(plan.track_index, []).append((plan, reference))
    # From the top down, so inserting a track leaves the lower indices valid.
    for track_index in sorted(by_track, reverse=True):
        entries = sorted(
            by_track[track_index], key=lambda e: e[0].clip.range_in_parent().start_time
        )
        label = entries[0][0].track
        track = otio.schema.Track(
            name=f"{label} SparkVSR x{scale}", kind=otio.schema.TrackKind.Video
        )
        cursor = opentime.RationalTime(0, entries[0][0].clip.range_in_parent().start_time.rate)
        for plan, reference in entries:
            record = plan.clip.range_in_parent()
            if record.start_time > cursor:
                track.append(
                    otio.schema.Gap(
                        source_range=opentime.TimeRange(
                            opentime.RationalTime(0, cursor.rate), record.start_time - cursor
                        )
                    )
                )
            track.append(_upscaled_clip(plan, reference, scale))
            cursor = record.end_time_exclusive()
        timeline.tracks.insert(track_index + 1, track)


def _upscaled_clip(plan: ClipPlan, reference, scale: int) -> otio.schema.Clip:
    original = plan.clip
    clip = otio.schema.Clip(
        name=f"{original.name} (SparkVSR x{scale})",
        media_reference=reference,
        source_range=original.trimmed_range(),
        metadata={"sparkvsr": {"scale": scale, "frames": _frames_json(plan)}},
    )
    for effect in original.effects:
        clip.effects.append(copy.deepcopy(effect))
    return clip


def _frames_json(plan: ClipPlan) -> list[int]:
    return [plan.frames.start, plan.frames.stop - 1]
