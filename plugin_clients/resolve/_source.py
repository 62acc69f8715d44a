"""Which media frames a timeline item shows, from readers that Resolve gets wrong in different ways.

- GetLeftOffset and GetDuration count timeline frames, also for media of another rate (a 50p
  clip on a 25p timeline starting at media frame 20 has a left offset of 10), so for such media
  the left offset cannot say on which media frame the clip starts;
- GetSourceStartFrame/GetSourceEndFrame count media frames, exist from 19.0.2, answer 0/0 on
  timelines conformed from XML, and read a frame off on some items (GetSourceStartTime, the
  same point in seconds on the media's timecode, does not);
- a clip whose media rate differs from the timeline's plays in real time (frames repeat or are
  skipped), and AppendToTimeline floors the placed duration to whole timeline frames;
- GetLeftOffset/GetRightOffset count timeline frames at the clip's speed (position / speed), so
  their span always equals the item's duration and cannot show a speed change; but the left
  offset, the duration and the right offset together span the whole media at the clip's speed.

So: same-rate clips take the left offset (exact at 100%); other rates need a source start frame
that agrees with the left offset and with the source start time; a speed change shows in the
source frames' span, and where there are none, the whole media must span as many timeline
frames as it has frames (100% proven) or the clip is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from sparkvsr_resolve._api import ResolveError, call, source_frames


def fps(rate: Fraction) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


_NO_SOURCE_FRAMES = (
    "Resolve reports no source frames for it (none before 19.0.2, 0/0 on timelines conformed "
    "from XML)"
)


@dataclass(frozen=True)
class Media:
    """What the item's media pool item says about its media."""

    rate: Fraction
    frames: int
    """How many frames it has (0: unknown)."""
    timecode_frames: int
    """Its start timecode, counted in its frames."""


def first_media_frame(item, left: int, duration: int, timeline_rate: Fraction, media: Media) -> int:
    """The media frame the item's first timeline frame shows (0 = the media's first frame).

    Args:
        left, duration: the item's left offset and duration, in timeline frames.

    Raises:
        ResolveError: the item cannot be upscaled and placed back frame for frame; the message
            says why and what to do.
    """
    ratio = media.rate / timeline_rate  # media frames per timeline frame
    readers = source_frames(item)
    if ratio == 1:
        if readers is None:
            _prove_real_time(item, left, duration, media.frames)
        else:
            _check_speed(readers, duration, ratio)
        return left
    _check_speed(readers, duration, ratio)
    mixed = f"its media runs at {fps(media.rate)} fps on a {fps(timeline_rate)} fps timeline"
    first = _mixed_rate_first(readers, left, ratio, mixed)
    _check_start_time(item, first, media, mixed)
    _check_placeable(duration, ratio, mixed)
    return first


def _prove_real_time(item, left: int, duration: int, media_frames: int) -> None:
    """A same-rate clip at 100% spans its whole media in as many timeline frames as the media
    has frames: left offset + duration + right offset (all at the clip's speed)."""
    right = call(item, "GetRightOffset")
    if right is None or media_frames <= 0:
        raise ResolveError(
            f"{_NO_SOURCE_FRAMES}, nor its right offset or its media's length, so its speed "
            "cannot be known; render it at 100% first"
        )
    spans = left + duration + int(right)
    if spans != media_frames:
        raise ResolveError(
            f"{_NO_SOURCE_FRAMES}, and its offsets and duration span {spans} frames where its "
            f"media has {media_frames}: it has a speed change, which Resolve's scripting API "
            "cannot place back; render it at 100% first"
        )


def _check_speed(readers, duration: int, ratio: Fraction) -> None:
    """A retimed clip shows more or fewer media frames than it lasts; the scripting API can
    neither read its speed curve nor retime the placed copy to match."""
    if readers is None:
        return  # no trustworthy source frames: a speed change cannot be seen
    used = readers[1] - readers[0]
    # Real-time playback shows between D*ratio and (D+1)*ratio media frames; one frame of slack
    # either side for the builds whose source frames are a frame off.
    if duration * ratio - 1 <= used <= (duration + 1) * ratio + 1:
        return
    raise ResolveError(
        f"it has a speed change ({used} media frames over {duration} timeline frames), which "
        "Resolve's scripting API cannot place back; render it at 100% first"
    )


def _mixed_rate_first(readers, left: int, ratio: Fraction, mixed: str) -> int:
    if readers is None:
        raise ResolveError(
            f"{mixed} and this Resolve reports no source start frame for it (none before "
            "19.0.2, 0/0 on timelines conformed from XML), so which media frames it shows "
            "cannot be known; set the clip's frame rate to the timeline's or render it first"
        )
    start = readers[0]
    # The left offset is that start in whole timeline frames (however Resolve rounds it).
    if (left - 1) * ratio - 1 <= start <= (left + 1) * ratio + 1:
        return start
    raise ResolveError(
        f"{mixed}, and Resolve's source start frame ({start}) disagrees with its left offset "
        f"({left} timeline frames), so which media frames it shows cannot be known"
    )


def _check_start_time(item, start: int, media: Media, mixed: str) -> None:
    """GetSourceStartFrame reads a frame off on some items; GetSourceStartTime (seconds on the
    media's timecode, from the same 19.0.2 edition) says on which frame the clip starts."""
    seconds = call(item, "GetSourceStartTime")
    if seconds is None:
        raise ResolveError(
            f"{mixed}, and Resolve reports no source start time to check its source start frame "
            f"({start}) against, so which media frames it shows cannot be known"
        )
    from_time = round(Fraction(seconds) * media.rate) - media.timecode_frames
    if from_time != start:
        raise ResolveError(
            f"{mixed}, and Resolve's source start frame ({start}) disagrees with its source "
            f"start time (media frame {from_time}), so which media frames it shows cannot be "
            "known; set the clip's frame rate to the timeline's or render it first"
        )


def _check_placeable(duration: int, ratio: Fraction, mixed: str) -> None:
    """The upscaled copy keeps the media's rate, and AppendToTimeline floors its duration to
    whole timeline frames: it must land exactly `duration` frames long."""
    media_frames = math.ceil(duration * ratio)
    placed = math.floor(media_frames / ratio)
    if placed != duration:
        raise ResolveError(
            f"{mixed}: Resolve would place the {media_frames}-frame upscaled copy over {placed} "
            f"timeline frames, not {duration}, so it could not replace the clip frame for frame"
        )
