"""Reading the job's timeline through Resolve's scripting API: the chosen clips, as OTIO.

Frame conventions of the API, which the test double follows:
- timeline frames (TimelineItem.GetStart/GetEnd, AppendToTimeline's recordFrame) are absolute:
  a timeline starting at 01:00:00:00 at 24 fps starts at frame 86400 (Timeline.GetStartFrame);
- timeline markers (Timeline.GetMarkers/AddMarker) and In/Out marks (GetMarkInOut) count from
  the timeline's start (0 = its first frame);
- a timeline item's markers count media frames from the media's first frame (its left offset
  included), as media pool item markers do;
- GetLeftOffset/GetDuration count timeline frames, GetSourceStartFrame/EndFrame media frames
  (see _source.py for mixed frame rates).
"""

from __future__ import annotations

from dataclasses import dataclass

import opentimelineio as otio
from opentimelineio import opentime

from sparkvsr.timeline import timecode_time
from sparkvsr_resolve._api import (
    VIDEO,
    ItemSpan,
    ResolveError,
    ResolveVersion,
    call,
    frame_rate,
    is_provenance,
    item_span,
)
from sparkvsr_resolve._source import Media, first_media_frame

# Resolve's marker colours with an OTIO colour of the same name; the others keep their own name.
_OTIO_COLORS = {"Fuchsia": "MAGENTA"}


@dataclass(frozen=True)
class SelectedItem:
    """A timeline item chosen for upscaling."""

    track: int
    """Video track index, from 1."""
    item: object
    """Resolve's TimelineItem."""
    span: ItemSpan


class ResolveTimeline:
    """The timeline current when the job was read, read and changed through the scripting API."""

    def __init__(self, resolve, version: ResolveVersion):
        self.resolve = resolve
        self.version = version
        manager = resolve.GetProjectManager()
        self.project = manager.GetCurrentProject() if manager else None
        if not self.project:
            raise ResolveError("no project is open")
        self.timeline = self.project.GetCurrentTimeline()
        if not self.timeline:
            raise ResolveError("no timeline is open: open one on the Edit page")
        self.media_pool = self.project.GetMediaPool()
        self.name = self.timeline.GetName() or "the current timeline"
        self.rate = frame_rate(
            self.timeline.GetSetting("timelineFrameRate"), f"timeline {self.name}"
        )
        start = self.timeline.GetStartFrame()
        if start is None:
            raise ResolveError(f"Resolve reports no start frame for timeline {self.name}")
        self.start_frame = int(start)

    def _time(self, frames: float) -> opentime.RationalTime:
        return opentime.RationalTime(frames, float(self.rate))

    def track_count(self) -> int:
        return int(self.timeline.GetTrackCount(VIDEO) or 0)

    def track_items(self, track: int) -> list:
        return list(self.timeline.GetItemListInTrack(VIDEO, track) or [])

    def pool_clips(self, folder=None) -> list:
        """Every clip in the Media Pool (or in `folder` and its bins)."""
        folder = folder or self.media_pool.GetRootFolder()
        clips = [clip for clip in folder.GetClipList() or [] if clip]
        for sub in folder.GetSubFolderList() or []:
            clips += self.pool_clips(sub)
        return clips

    def item_ids(self) -> set:
        """The unique ids of every item on the timeline's video tracks."""
        tracks = range(1, self.track_count() + 1)
        return {item.GetUniqueId() for t in tracks for item in self.track_items(t)} - {None}

    # The job's timeline ---------------------------------------------------------------------

    def is_current(self) -> bool:
        current = self.project.GetCurrentTimeline()
        if current is None:
            return False
        ids = (call(current, "GetUniqueId"), call(self.timeline, "GetUniqueId"))
        if None not in ids:
            return ids[0] == ids[1]
        return current.GetName() == self.timeline.GetName()

    def make_current(self) -> bool:
        """Makes the job's timeline current again (AppendToTimeline places into whatever
        timeline is current); True if it had to.

        Raises:
            ResolveError: Resolve would not switch back to it.
        """
        if self.is_current():
            return False
        if not self.project.SetCurrentTimeline(self.timeline) or not self.is_current():
            raise ResolveError(
                f"timeline {self.name} is no longer the current one and Resolve would not make "
                "it current again; open it and run again"
            )
        return True

    # Which clips ------------------------------------------------------------------------------

    def selected_items(self) -> tuple[list[SelectedItem], list[str]]:
        """The chosen video items, and one line per chosen item left out (transitions, stale
        items). Chosen: the clips selected on the timeline (Resolve 21.0.4+), else those inside
        the In/Out marks (19.1+), else the one under the playhead.

        Raises:
            ResolveError: nothing is selected or marked and no clip is under the playhead.
        """
        chosen, left_out = [], []
        for track, item in self._chosen():
            span = item_span(item)
            if span is None:
                left_out.append(
                    f"an item on V{track}: skipped: Resolve reports no name or frames for it "
                    "(a stale item)"
                )
            elif self._is_transition(track, item, span):
                left_out.append(
                    f"{span.name} (transition on V{track}): skipped: transitions are not "
                    "upscaled, and the clips either side keep their places"
                )
            else:
                chosen.append(SelectedItem(track, item, span))
        if not chosen:
            hint = "select clips, set In and Out around them, or park the playhead on one"
            raise ResolveError("; ".join([*left_out, f"no clip to upscale: {hint}"]))
        return chosen, left_out

    def _chosen(self) -> list[tuple[int, object]]:
        return self._timeline_selection() or self._marked() or self._under_playhead()

    def _timeline_selection(self) -> list[tuple[int, object]]:
        if not self.version.has_timeline_selection:
            return []
        selected = call(self.timeline, "GetSelectedClips") or []
        items = selected.values() if isinstance(selected, dict) else selected
        chosen = []
        for item in items:
            kind_and_index = call(item, "GetTrackTypeAndIndex") if item else None
            if kind_and_index and kind_and_index[0] == VIDEO:
                chosen.append((int(kind_and_index[1]), item))
            elif item is not None and kind_and_index is None:
                chosen.append((self._track_of(item), item))
        return chosen

    def _marked(self) -> list[tuple[int, object]]:
        marks = self.timeline.GetMarkInOut() if self.version.has_mark_in_out else {}
        video = (marks or {}).get(VIDEO) or {}
        if "in" not in video or "out" not in video:
            return []
        first = self.start_frame + int(video["in"])
        last = self.start_frame + int(video["out"])  # the Out frame counted as marked
        chosen = []
        for track in range(1, self.track_count() + 1):
            for item in self.track_items(track):
                span = item_span(item)
                if span is None or (span.start <= last and span.end > first):
                    chosen.append((track, item))
        return chosen

    def _under_playhead(self) -> list[tuple[int, object]]:
        current = self.timeline.GetCurrentVideoItem()
        return [(self._track_of(current), current)] if current else []

    def _track_of(self, wanted) -> int:
        wanted_id = wanted.GetUniqueId()
        for track in range(1, self.track_count() + 1):
            if any(item.GetUniqueId() == wanted_id for item in self.track_items(track)):
                return track
        raise ResolveError(f"{wanted.GetName() or 'the clip'} is not on a video track")

    def _is_transition(self, track: int, item, span: ItemSpan) -> bool:
        """GetItemListInTrack also lists transitions: no media pool item, and overlapping the
        clips either side of their cut."""
        if item.GetMediaPoolItem():
            return False
        for other in self.track_items(track):
            other_span = item_span(other)
            if other is item or other_span is None or other_span == span:
                continue
            if other_span.start < span.end and span.start < other_span.end:
                return True
        return False

    # As OTIO ----------------------------------------------------------------------------------

    def to_otio(self, selected: list[SelectedItem]) -> tuple[otio.schema.Timeline, list[str]]:
        """The timeline as OTIO, holding only the selected clips at their record frames (the
        rest are gaps), with every timeline marker but the runs' own and the clips' markers;
        each clip's metadata["resolve"] says which item it came from. Also one line per
        selected clip that cannot be upscaled and placed back, saying why."""
        timeline = otio.schema.Timeline(name=self.name)
        timeline.global_start_time = self._time(self.start_frame)
        for frame, marker in sorted((self.timeline.GetMarkers() or {}).items()):
            if not is_provenance(marker):
                timeline.tracks.markers.append(_marker(marker, self._time(float(frame))))
        refused: list[str] = []
        for track_index in range(1, self.track_count() + 1):
            chosen = sorted(
                (c for c in selected if c.track == track_index), key=lambda c: c.span.start
            )
            timeline.tracks.append(self._track(track_index, chosen, refused))
        return timeline, refused

    def _track(self, index: int, chosen: list[SelectedItem], refused: list[str]):
        track = otio.schema.Track(name=self.timeline.GetTrackName(VIDEO, index) or f"V{index}")
        cursor = self.start_frame
        for selected in chosen:
            span = selected.span
            try:
                if span.start < cursor:  # never shift a clip: positions map markers to frames
                    raise ResolveError(f"it overlaps the clip before it on V{index}")
                clip = self._clip(selected)
            except ResolveError as error:
                refused.append(f"{span.name}: skipped: {error}")
                continue
            if span.start > cursor:
                gap = opentime.TimeRange(self._time(0), self._time(span.start - cursor))
                track.append(otio.schema.Gap(source_range=gap))
            track.append(clip)
            cursor = span.end
        return track

    def _clip(self, selected: SelectedItem) -> otio.schema.Clip:
        item, span = selected.item, selected.span
        duration = span.end - span.start
        media_item = item.GetMediaPoolItem()
        metadata = {
            "resolve": {
                "track": selected.track,
                "record_frame": span.start,
                "unique_id": item.GetUniqueId(),
            }
        }
        properties = (media_item.GetClipProperty() if media_item else None) or {}
        path = properties.get("File Path") or ""
        if not path:
            # Titles, generators, compound and Fusion clips have no media file to upscale.
            return otio.schema.Clip(
                name=span.name,
                media_reference=otio.schema.GeneratorReference(name=span.name),
                source_range=opentime.TimeRange(self._time(0), self._time(duration)),
                metadata=metadata,
            )
        media_rate = frame_rate(properties.get("FPS"), path)
        left = item.GetLeftOffset()
        if left is None:
            raise ResolveError("Resolve reports no left offset for it")
        frames = int(properties.get("Frames") or 0)
        media_start = timecode_time(properties.get("Start TC") or "00:00:00:00", media_rate)
        media = Media(media_rate, frames, int(media_start.value))
        first = first_media_frame(item, int(left), duration, self.rate, media)
        media_time = opentime.RationalTime(first, float(media_rate))
        clip = otio.schema.Clip(
            name=span.name,
            media_reference=otio.schema.ExternalReference(
                target_url=path,
                available_range=opentime.TimeRange(
                    media_start,
                    opentime.RationalTime(frames, float(media_rate)),
                ),
            ),
            # Starts on a media frame; lasts the item's timeline frames (real-time playback).
            source_range=opentime.TimeRange(media_start + media_time, self._time(duration)),
            metadata=metadata,
        )
        markers = dict(media_item.GetMarkers() or {})
        markers.update(item.GetMarkers() or {})
        for frame, marker in sorted(markers.items()):
            if not is_provenance(marker):
                time = media_start + opentime.RationalTime(float(frame), float(media_rate))
                clip.markers.append(_marker(marker, time))
        return clip


def _marker(marker: dict, time: opentime.RationalTime) -> otio.schema.Marker:
    color = marker.get("color") or ""
    return otio.schema.Marker(
        name=marker.get("name") or "",
        marked_range=opentime.TimeRange(
            time, opentime.RationalTime(float(marker.get("duration") or 1), time.rate)
        ),
        color=_OTIO_COLORS.get(color, color.upper()),
        comment=marker.get("note") or "",
        metadata={"resolve": {"customData": marker.get("customData") or ""}},
    )
