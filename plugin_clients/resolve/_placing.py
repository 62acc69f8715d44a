"""Putting upscaled media back into the job's timeline: all or nothing, then provenance markers.

Every change is read back: AppendToTimeline places into whatever timeline is current, drops a
clip or answers a "ghost" item (getters all None) where it collides, floors durations of media
of another rate, and counts its endFrame one way or the other depending on the build (learnt
here from the first placement that can tell); AddTrack's answer does not say where the track
went.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from fractions import Fraction

from sparkvsr.timeline import ClipOutcome, sidecar_path
from sparkvsr_resolve._api import (
    PROVENANCE,
    VIDEO,
    ItemSpan,
    ResolveError,
    frame_rate,
    is_provenance,
    item_span,
)
from sparkvsr_resolve._resolve import ResolveTimeline
from sparkvsr_resolve._undo import Added, EditPage, remove_items, undo_or_explain


@dataclass(frozen=True)
class Placed:
    items: list
    """The new TimelineItems."""
    tracks: int
    """How many new tracks hold them."""
    notes: list[str]
    """What the user should know (the timeline made current again)."""


def place(
    timeline: ResolveTimeline, outcomes: list[ClipOutcome], scale: int, bin_name: str
) -> Placed:
    """Imports each finished clip's media into the bin and puts it on a new video track right
    above its source track (one new track per source track, so stacked clips never share one),
    at the source clip's record frame and range. All or nothing: on any refusal everything this
    run added is removed again, and nothing it did not add.

    Raises:
        ResolveError: Resolve refused a step or did something else than asked; nothing is left
            added.
    """
    done = [outcome for outcome in outcomes if outcome.done]
    if not done:
        return Placed([], 0, [])
    notes = []
    if timeline.make_current():
        notes.append(f"made timeline {timeline.name} current again to place the clips")
    added = Added()
    try:
        _place(timeline, done, f"SparkVSR x{scale}", bin_name, added)
        _check_placed(timeline, added)
    except BaseException as error:
        undo_or_explain(added, timeline, error)
        raise
    return Placed(list(added.items), len(added.tracks), notes)


def _place(timeline: ResolveTimeline, done, track_name: str, bin_name: str, added: Added):
    folder = _bin(timeline, bin_name, added)
    if not timeline.media_pool.SetCurrentFolder(folder):
        raise ResolveError(f"Resolve would not open the Media Pool bin {bin_name!r}")
    media = _import(timeline, sorted({outcome.output for outcome in done}), added)
    sources = sorted({outcome.plan.clip.metadata["resolve"]["track"] for outcome in done})
    new_tracks = _add_tracks(timeline, sources, track_name, added)
    end_frame = EndFrame()
    for outcome in done:
        source = outcome.plan.clip.metadata["resolve"]["track"]
        placing = _Placing(timeline, outcome, media[outcome.output], new_tracks[source])
        _append(placing, end_frame, added)


def _bin(timeline: ResolveTimeline, name: str, added: Added):
    root = timeline.media_pool.GetRootFolder()
    for folder in root.GetSubFolderList() or []:
        if folder.GetName() == name:
            return folder
    folder = timeline.media_pool.AddSubFolder(root, name)
    if not folder:
        raise ResolveError(f"Resolve refused to create the Media Pool bin {name!r}")
    added.folder = folder
    return folder


def _import(timeline: ResolveTimeline, paths: list[str], added: Added) -> dict:
    """The media pool item of each path: the one already in the Media Pool (found by its file
    path: what ImportMedia answers for a pooled path is undocumented), which is used but never
    removed, else the one ImportMedia creates."""
    pool = timeline.pool_clips()
    pooled = {_path_key(clip.GetClipProperty("File Path")): clip for clip in pool}
    by_path = {path: pooled[_path_key(path)] for path in paths if _path_key(path) in pooled}
    wanted = [path for path in paths if path not in by_path]
    before = {clip.GetUniqueId() for clip in pool}
    for item in (timeline.media_pool.ImportMedia(wanted) if wanted else None) or []:
        if item is None:
            continue
        if item.GetUniqueId() not in before:  # added, even where its path is not one asked for
            added.media.append(item)
        key = _path_key(item.GetClipProperty("File Path"))
        path = next((path for path in wanted if _path_key(path) == key), None)
        if path is not None:
            by_path[path] = item
    missing = [path for path in paths if path not in by_path]
    if missing:
        raise ResolveError(f"Resolve could not import {', '.join(missing)}")
    return by_path


def _path_key(path) -> str:
    """A file path as the platform compares them (separators; case on Windows)."""
    return os.path.normcase(os.path.normpath(path)) if path else ""


def _add_tracks(timeline: ResolveTimeline, sources: list[int], name: str, added: Added):
    """A new empty track right above each source track (on top before Resolve 19); returns
    {source track: new track} as the indices are once every track is added."""
    new_tracks = {}
    for rank, source in enumerate(sources):  # bottom up: later inserts land above earlier ones
        before = timeline.track_count()
        if timeline.version.inserts_tracks_at_an_index:
            index = source + rank + 1
            answer = timeline.timeline.AddTrack(VIDEO, {"index": index})
        else:
            index = before + 1
            answer = timeline.timeline.AddTrack(VIDEO)
        grew = timeline.track_count() == before + 1
        empty = not timeline.track_items(index)
        if grew:  # not at the index asked for: then on top, as before Resolve 19
            added.tracks.append(index if empty else before + 1)
        if not (answer and grew and empty):
            raise ResolveError(f"Resolve did not add an empty video track at V{index}")
        timeline.timeline.SetTrackName(VIDEO, index, name)
        new_tracks[source] = index
    return new_tracks


@dataclass
class EndFrame:
    """How this Resolve counts AppendToTimeline's endFrame. Builds disagree (the frame after the
    last one: measured on 19.1.3.7 and 21.0; the last one: other public scripts), so it is learnt
    from the run's placements rather than from a version table."""

    inclusive: bool = False
    """The convention to place with: exclusive until a read-back says otherwise."""
    known: bool = False
    """A placement's read-back told the two apart: from then on a mismatch is an error."""


@dataclass(frozen=True)
class _Placing:
    """One finished clip to place, and what its placed item must read back."""

    timeline: ResolveTimeline
    outcome: ClipOutcome
    media_item: object
    track: int

    @property
    def record(self) -> int:
        return int(self.outcome.plan.clip.metadata["resolve"]["record_frame"])

    @property
    def duration(self) -> int:
        """Timeline frames, as the source clip lasts."""
        return int(self.outcome.plan.clip.source_range.duration.value)

    @property
    def first(self) -> int:
        """The first media frame to place: the new media starts at the plan's frames.start."""
        plan = self.outcome.plan
        return int(plan.used.start - plan.frames.start)

    @property
    def count(self) -> int:
        return len(self.outcome.plan.used)

    @property
    def media_frames(self) -> int:
        return int(self.media_item.GetClipProperty("Frames") or 0)

    def placed_duration(self, media_frames: int) -> int:
        """The timeline frames `media_frames` of this media fill once placed (floored)."""
        rate = self.media_item.GetClipProperty("FPS")
        media_rate = frame_rate(rate, self.outcome.output)
        return math.floor(media_frames * Fraction(self.timeline.rate) / media_rate)

    def other_reading(self, inclusive: bool) -> int | None:
        """The timeline frames placed if Resolve reads the endFrame the other way; None where
        that reading runs past the media (refused or cut short, so it cannot be told apart)."""
        media_frames = self.count + (-1 if inclusive else 1)
        if self.first + media_frames > self.media_frames:
            return None
        return self.placed_duration(media_frames)


def _append(placing: _Placing, end_frame: EndFrame, added: Added) -> None:
    """Places the clip; where the run has not learnt the endFrame convention yet and Resolve
    placed what the other convention would have, undoes that and places again the other way."""
    inclusive = end_frame.inclusive
    span, answer = _append_once(placing, inclusive, added)
    if not end_frame.known and _read_the_other_way(placing, inclusive, span):
        if span is not None:
            _undo_last(placing, added)
        inclusive = not inclusive
        span, answer = _append_once(placing, inclusive, added)
    name, record, duration = placing.outcome.plan.name, placing.record, placing.duration
    if span is None:
        raise ResolveError(
            f"Resolve did not place {name} on V{placing.track} at frame {record} (it answered "
            f"{answer}: it may overlap something there)"
        )
    if (span.start, span.end - span.start) != (record, duration):
        raise ResolveError(
            f"{name} landed at frame {span.start} for {span.end - span.start} frames, not "
            f"{record} for {duration}"
        )
    end_frame.inclusive = inclusive
    other = placing.other_reading(inclusive)
    end_frame.known |= other is not None and other != duration


def _read_the_other_way(placing: _Placing, inclusive: bool, span: ItemSpan | None) -> bool:
    if span is None:  # an exclusive endFrame one past the media's end: refused where inclusive
        at_the_end = placing.first + placing.count == placing.media_frames
        return not inclusive and at_the_end and not _occupied(placing)
    other = placing.other_reading(inclusive)
    landed = (span.start, span.end - span.start)
    return other != placing.duration and landed == (placing.record, other)


def _occupied(placing: _Placing) -> bool:
    """Something on the clip's new track overlaps its record frames (a collision, not the
    endFrame, explains a refusal)."""
    start, end = placing.record, placing.record + placing.duration
    spans = (item_span(item) for item in placing.timeline.track_items(placing.track))
    return any(span and span.start < end and start < span.end for span in spans)


def _append_once(placing: _Placing, inclusive: bool, added: Added) -> tuple[ItemSpan | None, str]:
    """One AppendToTimeline call, its item recorded in `added`: where it landed (None: nowhere)
    and what Resolve answered."""
    info = {
        "mediaPoolItem": placing.media_item,
        # whole frames: Resolve 21 refuses a batch with fractions
        "startFrame": placing.first,
        "endFrame": placing.first + placing.count - (1 if inclusive else 0),
        "trackIndex": placing.track,
        "recordFrame": placing.record,
        "mediaType": 1,  # video only: the source clip's audio stays where it is
    }
    placed = list(placing.timeline.media_pool.AppendToTimeline([info]) or [])
    added.items += [item for item in placed if item is not None]
    span = item_span(placed[0]) if len(placed) == 1 else None
    return span, "no item" if not placed else "an item without a position"


def _undo_last(placing: _Placing, added: Added) -> None:
    """Removes the item just placed, before placing it again."""
    item = added.items.pop()
    with EditPage(placing.timeline):
        left = remove_items(placing.timeline, [item])
    if left:
        added.items.append(item)
        raise ResolveError(
            f"Resolve placed {placing.outcome.plan.name} a frame off and would not remove it "
            "to place it again"
        )


def _check_placed(timeline: ResolveTimeline, added: Added) -> None:
    """The placed items are on the job's timeline, which is still the current one."""
    on_timeline = {
        item.GetUniqueId() for track in added.tracks for item in timeline.track_items(track)
    }
    missing = [item for item in added.items if item.GetUniqueId() not in on_timeline]
    if missing or not timeline.is_current():
        raise ResolveError(
            f"the current timeline changed while placing the clips; open {timeline.name} and "
            "run again"
        )


def add_provenance(timeline: ResolveTimeline, outcome: ClipOutcome, name: str, note: str):
    """A purple timeline marker at the placed clip's first frame recording what was done (its
    customData names the output and sidecar and marks it as no keyframe); it replaces an
    earlier run's marker there. Returns a note when it could not be added."""
    plan = outcome.plan
    frame = plan.clip.metadata["resolve"]["record_frame"] - timeline.start_frame
    existing = {float(f): m for f, m in (timeline.timeline.GetMarkers() or {}).items()}
    if is_provenance(existing.get(float(frame)) or {}):
        timeline.timeline.DeleteMarkerAtFrame(frame)
    data = {"kind": PROVENANCE, "output": outcome.output, "sidecar": sidecar_path(outcome.output)}
    if timeline.timeline.AddMarker(frame, "Purple", name, note, 1, json.dumps(data)):
        return None
    return f"{plan.label}: no provenance marker (another marker sits on its first frame)"
