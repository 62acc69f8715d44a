"""Putting upscaled media back into the job's timeline: all or nothing, then provenance markers.

Every change is read back: AppendToTimeline places into whatever timeline is current, drops a
clip or answers a "ghost" item (getters all None) where it collides, and floors durations of
media of another rate; AddTrack's answer does not say where the track went.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from sparkvsr.timeline import ClipOutcome, sidecar_path
from sparkvsr_resolve._api import PROVENANCE, VIDEO, ResolveError, is_provenance, item_span
from sparkvsr_resolve._resolve import ResolveTimeline

logger = logging.getLogger(__name__)


@dataclass
class _Added:
    """What this run added to the project, so that a failure removes exactly that."""

    folder: object | None = None
    """The bin, when this run created it."""
    media: list = field(default_factory=list)
    """Media pool items this run imported (not those an import answered from the pool)."""
    tracks: list[int] = field(default_factory=list)
    items: list = field(default_factory=list)

    def undo(self, timeline: ResolveTimeline) -> None:
        """Removes what was added, newest first; a step that fails does not stop the others."""
        steps = []
        if self.items:
            steps.append((timeline.timeline.DeleteClips, self.items, False))
        for index in sorted(self.tracks, reverse=True):  # the higher first: indices stay valid
            steps.append((timeline.timeline.DeleteTrack, VIDEO, index))
        if self.media:
            steps.append((timeline.media_pool.DeleteClips, self.media))
        if self.folder is not None:
            steps.append((timeline.media_pool.DeleteFolders, [self.folder]))
        for call, *args in steps:
            try:
                call(*args)
            except Exception:  # keep undoing; the error that started the undo is raised
                logger.exception("undoing a Resolve change failed")


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
    added = _Added()
    try:
        _place(timeline, done, f"SparkVSR x{scale}", bin_name, added)
        _check_placed(timeline, added)
    except BaseException:
        added.undo(timeline)
        raise
    return Placed(list(added.items), len(added.tracks), notes)


def _place(timeline: ResolveTimeline, done, track_name: str, bin_name: str, added: _Added):
    folder = _bin(timeline, bin_name, added)
    if not timeline.media_pool.SetCurrentFolder(folder):
        raise ResolveError(f"Resolve would not open the Media Pool bin {bin_name!r}")
    media = _import(timeline, sorted({outcome.output for outcome in done}), added)
    sources = sorted({outcome.plan.clip.metadata["resolve"]["track"] for outcome in done})
    new_tracks = _add_tracks(timeline, sources, track_name, added)
    for outcome in done:
        source = outcome.plan.clip.metadata["resolve"]["track"]
        _append(timeline, outcome, media[outcome.output], new_tracks[source], added)


def _bin(timeline: ResolveTimeline, name: str, added: _Added):
    root = timeline.media_pool.GetRootFolder()
    for folder in root.GetSubFolderList() or []:
        if folder.GetName() == name:
            return folder
    folder = timeline.media_pool.AddSubFolder(root, name)
    if not folder:
        raise ResolveError(f"Resolve refused to create the Media Pool bin {name!r}")
    added.folder = folder
    return folder


def _pool_ids(folder) -> set:
    ids = {clip.GetUniqueId() for clip in folder.GetClipList() or [] if clip}
    for sub in folder.GetSubFolderList() or []:
        ids |= _pool_ids(sub)
    return ids


def _import(timeline: ResolveTimeline, paths: list[str], added: _Added) -> dict:
    """The media pool item of each path. Importing a path already in the pool may answer the
    existing item: that one is used but never removed."""
    before = _pool_ids(timeline.media_pool.GetRootFolder())
    by_path = {}
    for item in timeline.media_pool.ImportMedia(paths) or []:
        path = item.GetClipProperty("File Path") if item else None
        if path:
            by_path[path] = item
            if item.GetUniqueId() not in before:
                added.media.append(item)
    missing = [path for path in paths if path not in by_path]
    if missing:
        raise ResolveError(f"Resolve could not import {', '.join(missing)}")
    return by_path


def _add_tracks(timeline: ResolveTimeline, sources: list[int], name: str, added: _Added):
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


def _append(timeline: ResolveTimeline, outcome: ClipOutcome, media_item, track: int, added):
    plan = outcome.plan
    record = plan.clip.metadata["resolve"]["record_frame"]
    duration = int(plan.clip.source_range.duration.value)  # timeline frames
    first = plan.used.start - plan.frames.start  # the new media starts at frames.start
    end = first + len(plan.used) - (1 if timeline.version.end_frame_inclusive else 0)
    info = {
        "mediaPoolItem": media_item,
        "startFrame": int(first),  # whole frames: Resolve 21 refuses a batch with fractions
        "endFrame": int(end),
        "trackIndex": track,
        "recordFrame": int(record),
        "mediaType": 1,  # video only: the source clip's audio stays where it is
    }
    placed = list(timeline.media_pool.AppendToTimeline([info]) or [])
    added.items += [item for item in placed if item is not None]
    span = item_span(placed[0]) if len(placed) == 1 else None
    if span is None:
        what = "no item" if not placed else "an item without a position"
        raise ResolveError(
            f"Resolve did not place {plan.name} on V{track} at frame {record} (it answered "
            f"{what}: it may overlap something there)"
        )
    if span.start != record or span.end - span.start != duration:
        raise ResolveError(
            f"{plan.name} landed at frame {span.start} for {span.end - span.start} frames, "
            f"not {record} for {duration}"
        )


def _check_placed(timeline: ResolveTimeline, added: _Added) -> None:
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
