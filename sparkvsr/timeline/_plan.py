"""What to upscale in a timeline: the selected clips, the media frames they use, their keyframes.

Every frame number here is an index into the media file's own frames (0 = its first frame,
whatever its start timecode), the numbering the decoder and the engine use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

import opentimelineio as otio
from opentimelineio import opentime

from sparkvsr.errors import InvalidInputError, NotFoundError, SparkVSRError
from sparkvsr.media import VideoInfo, probe_video
from sparkvsr.specs import FrameRange
from sparkvsr.timeline._markers import MarkerConvention, still_named_by
from sparkvsr.timeline._paths import PathMapping, map_path
from sparkvsr.timeline._time import exact_rate, frame_count, frames_between, speed_of, timecode_time

CLIP_MARKER = "clip marker"
TIMELINE_MARKER = "timeline marker"
TRACK_MARKER = "track marker"


@dataclass(frozen=True)
class TimelineSelection:
    """Which clips of a timeline to upscale, and how their keyframes and handles are found."""

    tracks: tuple[str, ...] = ()
    """Track names, or V1, V2... (video tracks counted from the bottom); empty = every video
    track."""
    clips: tuple[int, ...] = ()
    """Clip positions on each selected track, from 1 (gaps and transitions do not count);
    empty = every clip."""
    markers: MarkerConvention = MarkerConvention()
    """Which markers are keyframes."""
    handles: int = 0
    """Extra media frames on each side of the used range, clamped to the media."""
    min_keyframe_gap: int = 1
    """The engine's minimum distance between keyframes (its `EngineInfo.min_keyframe_gap`)."""
    path_map: tuple[PathMapping, ...] = ()
    """Where media and stills that the edit names on another machine are here; the first
    mapping that applies wins."""

    def __post_init__(self) -> None:
        if self.handles < 0:
            raise InvalidInputError(f"handles must be >= 0, got {self.handles}")
        if any(number < 1 for number in self.clips):
            raise InvalidInputError(f"clip numbers start at 1, got {list(self.clips)}")


@dataclass(frozen=True)
class MarkedKeyframe:
    """A keyframe a marker asks for."""

    frame: int
    """Media frame index."""
    origin: str
    """CLIP_MARKER, TIMELINE_MARKER or TRACK_MARKER."""
    marker: str
    """The marker's name."""
    still: str | None = None
    """The high-resolution still its note names; None = the keyframe provider restores it."""


@dataclass(frozen=True)
class MediaTiming:
    """Where a clip's media is and how its time maps to frame indices."""

    path: str
    start: opentime.RationalTime
    """The source time of media frame 0 (the media's start timecode)."""
    rate: Fraction
    frame_count: int | None
    """None when the media cannot be read and the timeline does not say."""


@dataclass(frozen=True)
class ClipPlan:
    """One selected clip: what will be upscaled, or why it will not be."""

    track: str
    """The track's name, or V<n> for an unnamed video track."""
    track_index: int
    """Position of the track in the timeline's stack."""
    number: int
    """Position of the clip on its track, from 1."""
    name: str
    clip: otio.schema.Clip = field(repr=False, compare=False)
    media: str | None = None
    timing: MediaTiming | None = None
    used: FrameRange | None = None
    """Media frames the edit shows."""
    frames: FrameRange | None = None
    """Media frames to upscale: `used` plus handles."""
    keyframes: tuple[MarkedKeyframe, ...] = ()
    warnings: tuple[str, ...] = ()
    skipped: str | None = None
    """Why this clip will not be upscaled; None = it will be."""

    @property
    def label(self) -> str:
        return f"{self.track} clip {self.number} ({self.name})"

    def to_json(self) -> dict:
        frames = self.frames
        return {
            "track": self.track,
            "clip": self.number,
            "name": self.name,
            "media": self.media,
            "frames": [frames.start, frames.stop - 1] if frames else None,
            "used": [self.used.start, self.used.stop - 1] if self.used else None,
            "keyframes": [
                {"frame": key.frame, "from": key.origin, "marker": key.marker, "still": key.still}
                for key in self.keyframes
            ],
            "warnings": list(self.warnings),
            "skipped": self.skipped,
        }


Probe = Callable[[str], VideoInfo]


def plan_timeline(
    timeline: otio.schema.Timeline, selection: TimelineSelection, probe: Probe = probe_video
) -> list[ClipPlan]:
    """Plans every selected clip; a clip that cannot be upscaled gets `skipped` with the reason.

    Media is probed when it exists (for its exact rate, length and start timecode) and never
    decoded; missing media only skips the clips that need it.

    Raises:
        InvalidInputError: a selected track or clip number that the timeline does not have.
    """
    markers = _timeline_markers(timeline, selection.markers)
    plans = []
    for track_index, label, track in _selected_tracks(timeline, selection.tracks):
        clips = [item for item in track if isinstance(item, otio.schema.Clip)]
        numbers = selection.clips or tuple(range(1, len(clips) + 1))
        for number in numbers:
            if number > len(clips):
                raise InvalidInputError(
                    f"track {label} has {len(clips)} clips; there is no clip {number}"
                )
            clip = clips[number - 1]
            plan = ClipPlan(label, track_index, number, clip.name, clip)
            try:
                plan = _plan_clip(plan, timeline, markers, selection, probe)
            except SparkVSRError as error:
                plan = replace(plan, skipped=plan.skipped or str(error))
            plans.append(plan)
    return plans


def _selected_tracks(timeline, names: tuple[str, ...]):
    """(stack index, label, track) of the selected video tracks, bottom to top."""
    video = []
    for index, track in enumerate(timeline.tracks):
        if track.kind == otio.schema.TrackKind.Video:
            video.append((index, track.name or f"V{len(video) + 1}", track))
    if not video:
        kinds = sorted({track.kind.lower() for track in timeline.tracks})
        held = f"only {' and '.join(kinds)} tracks" if kinds else "no tracks"
        raise InvalidInputError(f"the timeline has no video track ({held}): nothing to upscale")
    if not names:
        return video
    chosen = []
    for name in names:
        found = [entry for entry in video if entry[1] == name] or [
            entry for position, entry in enumerate(video, 1) if name.upper() == f"V{position}"
        ]
        if not found:
            available = ", ".join(label for _, label, _ in video) or "none"
            raise InvalidInputError(f"no video track {name!r}; the timeline has: {available}")
        chosen += [entry for entry in found if entry not in chosen]
    return sorted(chosen, key=lambda entry: entry[0])


def _timeline_markers(timeline, convention: MarkerConvention):
    """(time in the stack, marker, origin) for keyframe markers on the stack and on tracks."""
    found = [
        (marker.marked_range.start_time, marker, TIMELINE_MARKER)
        for marker in timeline.tracks.markers
        if convention.matches(marker)
    ]
    for track in timeline.tracks:
        for marker in track.markers:
            if convention.matches(marker):
                time = track.transformed_time(marker.marked_range.start_time, timeline.tracks)
                found.append((time, marker, TRACK_MARKER))
    return found


def _plan_clip(plan: ClipPlan, timeline, markers, selection: TimelineSelection, probe: Probe):
    clip = plan.clip
    timing = media_timing(clip, probe, selection.path_map)
    plan = replace(plan, media=timing.path, timing=timing)
    if not os.path.exists(timing.path):
        # Still planned from the edit's own ranges (so a dry run shows the frames), but flagged:
        # the run would skip it.
        plan = replace(plan, skipped=_missing(timing.path, clip))
    speed = speed_of(clip)
    trimmed = clip.trimmed_range()
    first = frames_between(timing.start, trimmed.start_time, timing.rate)
    shown = opentime.RationalTime(trimmed.duration.value * speed, trimmed.duration.rate)
    count = max(1, frame_count(shown, timing.rate))
    limit = timing.frame_count
    if first < 0 or (limit is not None and first + count > limit):
        raise InvalidInputError(
            f"the clip uses media frames {first}..{first + count - 1}, outside the media's "
            f"{limit if limit is not None else 'unknown number of'} frames"
        )
    used = FrameRange(first, first + count)
    last = used.stop + selection.handles
    frames = FrameRange(
        max(0, first - selection.handles), last if limit is None else min(limit, last)
    )
    plan = replace(plan, used=used, frames=frames)

    candidates = [
        (frames_between(timing.start, marker.marked_range.start_time, timing.rate), marker, origin)
        for marker, origin in [(m, CLIP_MARKER) for m in clip.markers]
        if selection.markers.matches(marker)
    ]
    record = clip.range_in_parent()
    track = clip.parent()
    for stack_time, marker, origin in markers:
        time = timeline.tracks.transformed_time(stack_time, track)
        if record.contains(time):
            offset = time - record.start_time
            media_time = trimmed.start_time + opentime.RationalTime(
                offset.value * speed, offset.rate
            )
            candidates.append(
                (frames_between(timing.start, media_time, timing.rate), marker, origin)
            )
    keyframes, warnings = _keyframes(candidates, frames, selection.path_map)
    plan = replace(plan, keyframes=keyframes, warnings=warnings)
    _check_gaps(keyframes, selection.min_keyframe_gap)
    return plan


def _keyframes(candidates, frames: FrameRange, path_map: tuple[PathMapping, ...]):
    by_frame: dict[int, MarkedKeyframe] = {}
    warnings = []
    for frame, marker, origin in candidates:
        still = still_named_by(marker)
        key = MarkedKeyframe(frame, origin, marker.name, still and map_path(still, path_map))
        if frame not in frames:
            warnings.append(
                f"{origin} {marker.name!r} is on media frame {frame}, outside the frames "
                f"upscaled ({frames.start}..{frames.stop - 1}); it is not used"
            )
            continue
        earlier = by_frame.get(frame)
        if earlier is None or (earlier.still is None and key.still is not None):
            by_frame[frame] = key
        elif key.still is not None and key.still != earlier.still:
            warnings.append(
                f"two markers on media frame {frame} name different stills; using "
                f"{earlier.still}, not {key.still}"
            )
    return tuple(by_frame[frame] for frame in sorted(by_frame)), tuple(warnings)


def _check_gaps(keyframes: tuple[MarkedKeyframe, ...], min_gap: int) -> None:
    for earlier, later in zip(keyframes, keyframes[1:]):
        if later.frame - earlier.frame < min_gap:
            raise InvalidInputError(
                f"keyframe markers on media frames {earlier.frame} and {later.frame} are "
                f"{later.frame - earlier.frame} frames apart; the engine needs at least {min_gap}"
            )


def media_timing(
    clip: otio.schema.Clip, probe: Probe = probe_video, path_map: tuple[PathMapping, ...] = ()
) -> MediaTiming:
    """The clip's media file (through `path_map`) and its time base: the timeline's available
    range where it gives one, the file's own rate, length and start timecode otherwise.

    Raises:
        InvalidInputError: the clip has no media file (a generator, a missing reference, an image
            sequence), or its media start cannot be known.
    """
    reference = clip.media_reference
    if isinstance(reference, otio.schema.MissingReference):
        raise InvalidInputError("the clip's media is offline (the timeline has no file for it)")
    if not isinstance(reference, otio.schema.ExternalReference):
        raise InvalidInputError(
            f"the clip references a {reference.schema_name()}, not a media file; only clips of "
            "movie files can be upscaled"
        )
    path = map_path(reference.target_url, path_map)
    info = probe(path) if os.path.exists(path) else None
    available = reference.available_range
    if info is not None:
        rate = info.frame_rate
    elif available is not None:
        rate = exact_rate(available.start_time.rate)
    else:
        raise NotFoundError(_missing(path, clip))
    if available is not None:
        start = available.start_time
    elif info.start_timecode:
        start = timecode_time(info.start_timecode, rate)
    else:
        start = opentime.RationalTime(0, float(rate))
    count = info.frame_count if info else frame_count(available.duration, rate)
    return MediaTiming(path, start, rate, count)


def _missing(path: str, clip: otio.schema.Clip) -> str:
    named = clip.media_reference.target_url
    if map_path(named, ()) == path:
        return f"media not found: {path}"
    return f"media not found: {path} (the edit names {named})"
