"""Timeline time to media frame indices: exact rates, media start times and speed changes."""

from __future__ import annotations

import math
from fractions import Fraction

import opentimelineio as otio
from opentimelineio import opentime

from sparkvsr.errors import InvalidInputError

# A time within this many frames of a frame boundary is on it: OTIO rates are doubles
# (24000/1001 is not exact), so a marker placed on a frame can land a hair before it.
_ON_FRAME = 1e-3


def exact_rate(rate: float) -> Fraction:
    """The exact rational behind an OTIO double rate: 23.976 -> 24000/1001, 25.0 -> 25."""
    ntsc = rate * 1001 / 1000
    # Also catches rates written to three decimals (23.976, 29.97, 59.94).
    if abs(ntsc - round(ntsc)) < 1e-3 and abs(rate - round(rate)) > 1e-3:
        return Fraction(round(ntsc) * 1000, 1001)
    return Fraction(rate).limit_denominator(1001)


def frames_between(
    start: opentime.RationalTime, time: opentime.RationalTime, rate: Fraction
) -> int:
    """Whole frames at `rate` from `start` to `time`: the index of the frame showing at `time`."""
    value = (time - start).rescaled_to(float(rate)).value
    nearest = round(value)
    return nearest if abs(value - nearest) < _ON_FRAME else math.floor(value)


def frame_count(duration: opentime.RationalTime, rate: Fraction) -> int:
    """Frames at `rate` that a duration covers (a part-frame counts: it shows)."""
    value = duration.rescaled_to(float(rate)).value
    nearest = round(value)
    return nearest if abs(value - nearest) < _ON_FRAME else math.ceil(value)


def speed_of(clip: otio.schema.Clip) -> float:
    """The clip's playback speed from its linear time warps (0 = freeze frame).

    Raises:
        InvalidInputError: a reverse speed or a time effect that is not linear; upscaling would
            need the exact source frames it shows, which only a linear forward warp gives.
    """
    speed = 1.0
    for effect in clip.effects:
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= effect.time_scalar
        elif isinstance(effect, otio.schema.TimeEffect):
            raise InvalidInputError(
                f"time effect {effect.effect_name or type(effect).__name__!r} is not supported; "
                "only constant speed changes and freeze frames are"
            )
    if speed < 0:
        raise InvalidInputError(f"reverse playback (speed {speed:g}) is not supported")
    return speed


def timecode_time(timecode: str, rate: Fraction) -> opentime.RationalTime:
    """A start timecode as a time; "HH:MM:SS;FF" is drop-frame (29.97 material)."""
    try:
        return opentime.from_timecode(timecode, float(rate))
    except ValueError as error:
        raise InvalidInputError(f"cannot read timecode {timecode!r}: {error}") from None
