"""What the running Resolve offers, and reading its answers without trusting them.

Resolve's scripting API answers None where a call fails, where an object has gone stale (a
"ghost" timeline item whose getters all return None, left by a placement that collided) and
where the running version lacks the method (an unknown name reads as None, so calling it raises
TypeError). Everything here turns such answers into a ResolveError or a None the caller checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction

from sparkvsr.errors import SparkVSRError
from sparkvsr.timeline import exact_rate

VIDEO = "video"
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(N?DF)?\s*$", re.IGNORECASE)


class ResolveError(SparkVSRError):
    """Resolve refused something or lacks what the script needs; nothing was changed."""


@dataclass(frozen=True)
class ResolveVersion:
    """Which Resolve runs the script, and what that edition and version allow.

    Version boundaries follow the editions of Blackmagic's scripting README (Developer/
    Scripting/README.txt) and public reports; README.md lists those still to confirm.
    """

    major: int
    minor: int
    patch: int
    product: str

    @property
    def _number(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    @property
    def studio(self) -> bool:
        return "Studio" in self.product

    @property
    def shows_script_windows(self) -> bool:
        """The free edition shows no windows built by scripts from 19.1 on."""
        return self.studio or self._number < (19, 1, 0)

    @property
    def has_mark_in_out(self) -> bool:
        return self._number >= (19, 1, 0)

    @property
    def inserts_tracks_at_an_index(self) -> bool:
        """AddTrack(type, {"index": n}) is new in the 19.0 README."""
        return self.major >= 19

    @property
    def has_source_frames(self) -> bool:
        """TimelineItem.GetSourceStartFrame/GetSourceEndFrame are new in 19.0.2."""
        return self._number >= (19, 0, 2)

    @property
    def has_timeline_selection(self) -> bool:
        """Timeline.GetSelectedClips (the clips selected on the timeline) is new in 21.0.4."""
        return self._number >= (21, 0, 4)

    def __str__(self) -> str:
        return f"{self.product} {self.major}.{self.minor}.{self.patch}"


PLACES_AT_RECORD_FRAME = (18, 1, 0)
"""AppendToTimeline's clip info takes "trackIndex" and "recordFrame" from the 18.1 README on
(the 17.x and 18.0 editions list only startFrame, endFrame and mediaType)."""


def resolve_version(resolve) -> ResolveVersion:
    """The running Resolve's version.

    Raises:
        ResolveError: older than 18.1, whose AppendToTimeline cannot place a clip at a track
            and record frame.
    """
    fields = list(resolve.GetVersion() or []) + [0, 0, 0]
    try:
        major, minor, patch = (int(field) for field in fields[:3])
    except (TypeError, ValueError):
        raise ResolveError(f"cannot read Resolve's version from {fields[:3]!r}") from None
    version = ResolveVersion(major, minor, patch, resolve.GetProductName() or "DaVinci Resolve")
    if (major, minor, patch) < PLACES_AT_RECORD_FRAME:
        raise ResolveError(
            f"{version} is too old: placing clips at a track and record frame needs DaVinci "
            "Resolve 18.1 or later"
        )
    return version


def frame_rate(text, what: str) -> Fraction:
    """An exact rate from Resolve's frame-rate strings: "25", "23.976", "29.97 DF" (drop-frame
    timecode does not change the rate), "59.94 NDF".

    Raises:
        ResolveError: `text` is not a frame rate; `what` says whose it was.
    """
    match = _RATE.match(str(text or ""))
    if not match or float(match.group(1)) <= 0:
        raise ResolveError(f"cannot read the frame rate of {what}: {text!r}")
    return exact_rate(float(match.group(1)))


def call(obj, method: str, *args):
    """obj.method(*args), or None where the running Resolve lacks the method (Resolve answers
    None for unknown names, so calling it raises TypeError)."""
    function = getattr(obj, method, None)
    if not callable(function):
        return None
    return function(*args)


@dataclass(frozen=True)
class ItemSpan:
    """A timeline item's name and record frames, read once and checked."""

    name: str
    start: int
    """First record frame (absolute)."""
    end: int
    """Record frame after the last."""


def item_span(item) -> ItemSpan | None:
    """The item's name and frames, or None for a ghost item (any of them None)."""
    if item is None:
        return None
    values = (item.GetName(), item.GetStart(), item.GetEnd())
    if any(value is None for value in values):
        return None
    name, start, end = values
    return ItemSpan(str(name), int(start), int(end))


def source_frames(item) -> tuple[int, int] | None:
    """GetSourceStartFrame/GetSourceEndFrame in media frames, or None where they say nothing:
    before 19.0.2 (no such calls), None answers, 0/0 (timelines conformed from XML, where a 0/0
    means the speed is unknown, never 100%).

    Raises:
        ResolveError: they run backwards (a reversed clip reads its start above its end).
    """
    start, end = call(item, "GetSourceStartFrame"), call(item, "GetSourceEndFrame")
    if start is None or end is None:
        return None
    start, end = int(start), int(end)
    if (start, end) == (0, 0) or start < 0:
        return None
    if end < start:
        raise ResolveError(
            f"it plays in reverse (media frames {start} down to {end}), which Resolve's "
            "scripting API cannot place back; render it first"
        )
    return start, end


PROVENANCE = "sparkvsr-provenance"
"""The "kind" in the customData of the markers that record what a run did."""


def is_provenance(marker: dict) -> bool:
    """A marker a run added to record what it did (never a keyframe, whatever its name): its
    customData says so, or names an output and its sidecar as earlier versions wrote it."""
    try:
        data = json.loads(marker.get("customData") or "")
    except ValueError:
        return False
    return isinstance(data, dict) and (
        data.get("kind") == PROVENANCE or {"output", "sidecar"} <= data.keys()
    )
