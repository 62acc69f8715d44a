"""Everything that talks to Resolve's scripting API (DaVinciResolveScript), and nothing else.

Frame conventions of the API, which the test double follows:
- timeline frames (TimelineItem.GetStart/GetEnd, AppendToTimeline's recordFrame) are absolute:
  a timeline starting at 01:00:00:00 at 24 fps starts at frame 86400 (Timeline.GetStartFrame);
- timeline markers (Timeline.GetMarkers/AddMarker) and In/Out marks (GetMarkInOut) count from
  the timeline's start (0 = its first frame);
- a timeline item's markers count media frames from the media's first frame (its left offset
  included), as media pool item markers do;
- AppendToTimeline's startFrame/endFrame are media frames, endFrame exclusive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import opentimelineio as otio
from opentimelineio import opentime

from sparkvsr.errors import SparkVSRError
from sparkvsr.timeline import ClipOutcome, exact_rate, timecode_time

# Resolve's marker colours with an OTIO colour of the same name; the others keep their own name.
_OTIO_COLORS = {"Fuchsia": "MAGENTA"}
VIDEO = "video"


class ResolveError(SparkVSRError):
    """Resolve refused something or lacks what the script needs; nothing was changed."""


@dataclass(frozen=True)
class ResolveVersion:
    """Which Resolve runs the script, and what that edition and version allow."""

    major: int
    minor: int
    patch: int
    product: str

    @property
    def studio(self) -> bool:
        return "Studio" in self.product

    @property
    def shows_script_windows(self) -> bool:
        """The free edition shows no windows built by scripts from 19.1 on."""
        return self.studio or (self.major, self.minor) < (19, 1)

    @property
    def has_mark_in_out(self) -> bool:
        return (self.major, self.minor) >= (19, 1)

    @property
    def inserts_tracks_at_an_index(self) -> bool:
        return self.major >= 19

    def __str__(self) -> str:
        return f"{self.product} {self.major}.{self.minor}.{self.patch}"


def resolve_version(resolve) -> ResolveVersion:
    """The running Resolve's version.

    Raises:
        ResolveError: older than 18.0, whose AppendToTimeline cannot place a clip at a track
            and record frame.
    """
    major, minor, patch = (list(resolve.GetVersion()) + [0, 0, 0])[:3]
    version = ResolveVersion(int(major), int(minor), int(patch), resolve.GetProductName())
    if version.major < 18:
        raise ResolveError(
            f"{version} is too old: placing clips at a record frame needs DaVinci Resolve 18 or "
            "later"
        )
    return version


@dataclass(frozen=True)
class SelectedItem:
    """A timeline item chosen for upscaling."""

    track: int
    """Video track index, from 1."""
    item: object
    """Resolve's TimelineItem."""


class ResolveTimeline:
    """The current project's current timeline, read and changed through the scripting API."""

    def __init__(self, resolve, version: ResolveVersion):
        self.version = version
        self.project = resolve.GetProjectManager().GetCurrentProject()
        if not self.project:
            raise ResolveError("no project is open")
        self.timeline = self.project.GetCurrentTimeline()
        if not self.timeline:
            raise ResolveError("no timeline is open: open one on the Edit page")
        self.media_pool = self.project.GetMediaPool()
        self.rate = exact_rate(float(self.timeline.GetSetting("timelineFrameRate")))
        self.start_frame = int(self.timeline.GetStartFrame())

    @property
    def name(self) -> str:
        return self.timeline.GetName()

    def _time(self, frames: float) -> opentime.RationalTime:
        return opentime.RationalTime(frames, float(self.rate))

    def selected_items(self) -> list[SelectedItem]:
        """The video items inside the In/Out marks (Resolve 19.1+), else the one under the playhead.

        Resolve's scripting API does not expose the clips selected on the timeline.

        Raises:
            ResolveError: nothing is marked and no clip is under the playhead.
        """
        marks = self.timeline.GetMarkInOut() if self.version.has_mark_in_out else {}
        video = (marks or {}).get("video") or {}
        if "in" in video and "out" in video:
            first = self.start_frame + int(video["in"])
            last = self.start_frame + int(video["out"])
            chosen = [
                SelectedItem(track, item)
                for track in range(1, int(self.timeline.GetTrackCount(VIDEO)) + 1)
                for item in self.timeline.GetItemListInTrack(VIDEO, track) or []
                if int(item.GetStart()) <= last and int(item.GetEnd()) > first
            ]
            if chosen:
                return chosen
        current = self.timeline.GetCurrentVideoItem()
        if current:
            return [SelectedItem(self._track_of(current), current)]
        raise ResolveError(
            "no clip to upscale: set In and Out around the clips, or park the playhead on one"
        )

    def unsupported(self, item) -> str | None:
        """Why an item cannot be upscaled and placed back exactly, or None.

        A retimed clip shows more or fewer media frames than it lasts, and the scripting API
        can neither read its speed curve nor retime the placed copy to match.
        """
        media_item = item.GetMediaPoolItem()
        if not media_item:
            return None  # titles and generators: the timeline bridge says why
        try:
            used = int(item.GetSourceEndFrame()) - int(item.GetSourceStartFrame())
        except (AttributeError, TypeError):
            return None  # a Resolve without these calls: speed changes cannot be seen
        media_rate = exact_rate(float(media_item.GetClipProperty("FPS")))
        expected = int(item.GetDuration()) * media_rate / self.rate
        # One frame of slack: GetSourceStartFrame is reported a frame early on some versions.
        if abs(used - expected) <= 1:
            return None
        return (
            f"it has a speed change ({used} media frames over {item.GetDuration()} timeline "
            "frames), which Resolve's scripting API cannot place back; render it at 100% first"
        )

    def _track_of(self, wanted) -> int:
        for track in range(1, int(self.timeline.GetTrackCount(VIDEO)) + 1):
            for item in self.timeline.GetItemListInTrack(VIDEO, track) or []:
                if item.GetUniqueId() == wanted.GetUniqueId():
                    return track
        raise ResolveError(f"{wanted.GetName()} is not on a video track")

    def to_otio(self, selected: list[SelectedItem]) -> otio.schema.Timeline:
        """The timeline as OTIO, holding only the selected clips (the rest are gaps), with every
        timeline marker and the selected clips' markers. Each clip's metadata["resolve"] says
        which item it came from."""
        timeline = otio.schema.Timeline(name=self.name)
        timeline.global_start_time = self._time(self.start_frame)
        for frame, marker in sorted((self.timeline.GetMarkers() or {}).items()):
            timeline.tracks.markers.append(_marker(marker, self._time(float(frame))))
        by_track: dict[int, list] = {}
        for chosen in selected:
            by_track.setdefault(chosen.track, []).append(chosen.item)
        for track_index in range(1, int(self.timeline.GetTrackCount(VIDEO)) + 1):
            track = otio.schema.Track(
                name=self.timeline.GetTrackName(VIDEO, track_index) or f"V{track_index}"
            )
            cursor = self.start_frame
            for item in sorted(by_track.get(track_index, []), key=lambda i: int(i.GetStart())):
                start = int(item.GetStart())
                if start > cursor:
                    track.append(
                        otio.schema.Gap(
                            source_range=opentime.TimeRange(
                                self._time(0), self._time(start - cursor)
                            )
                        )
                    )
                track.append(self._clip(item, track_index))
                cursor = int(item.GetEnd())
            timeline.tracks.append(track)
        return timeline

    def _clip(self, item, track_index: int) -> otio.schema.Clip:
        duration = self._time(int(item.GetDuration()))
        media_item = item.GetMediaPoolItem()
        metadata = {
            "resolve": {
                "track": track_index,
                "record_frame": int(item.GetStart()),
                "unique_id": item.GetUniqueId(),
            }
        }
        properties = media_item.GetClipProperty() if media_item else {}
        path = (properties or {}).get("File Path") or ""
        if not path:
            # Titles, generators, compound and Fusion clips have no media file to upscale.
            return otio.schema.Clip(
                name=item.GetName(),
                media_reference=otio.schema.GeneratorReference(name=item.GetName()),
                source_range=opentime.TimeRange(self._time(0), duration),
                metadata=metadata,
            )
        media_rate = exact_rate(float(properties["FPS"]))
        media_start = timecode_time(properties.get("Start TC") or "00:00:00:00", media_rate)
        frame_count = int(properties["Frames"])
        clip = otio.schema.Clip(
            name=item.GetName(),
            media_reference=otio.schema.ExternalReference(
                target_url=path,
                available_range=opentime.TimeRange(
                    media_start, opentime.RationalTime(frame_count, float(media_rate))
                ),
            ),
            # Offsets and durations count timeline frames, also for media of another rate.
            source_range=opentime.TimeRange(
                media_start + self._time(int(item.GetLeftOffset())), duration
            ),
            metadata=metadata,
        )

        markers = dict(media_item.GetMarkers() or {})
        markers.update(item.GetMarkers() or {})
        for frame, marker in sorted(markers.items()):
            time = media_start + opentime.RationalTime(float(frame), float(media_rate))
            clip.markers.append(_marker(marker, time))
        return clip

    def place(self, outcomes: list[ClipOutcome], scale: int, bin_name: str) -> list:
        """Imports each finished clip's media into the bin and puts it on one new video track,
        right above the highest source track, at the source clip's record frame and range.
        All or nothing: on any refusal everything added is removed again.

        Returns:
            The new TimelineItems.

        Raises:
            ResolveError: Resolve refused an import or a placement (nothing is left added).
        """
        done = [outcome for outcome in outcomes if outcome.done]
        if not done:
            return []
        folder = self._bin(bin_name)
        self.media_pool.SetCurrentFolder(folder)
        imported, appended, track_index = [], [], None
        try:
            imported = self._import(sorted({outcome.output for outcome in done}))
            highest = max(outcome.plan.clip.metadata["resolve"]["track"] for outcome in done)
            track_index = self._add_track(highest + 1, f"SparkVSR x{scale}")
            for outcome in done:
                appended.append(self._append(outcome, imported[outcome.output], track_index))
        except BaseException:
            if appended:
                self.timeline.DeleteClips(appended, False)
            if track_index is not None:
                self.timeline.DeleteTrack(VIDEO, track_index)
            if imported:
                self.media_pool.DeleteClips(list(imported.values()))
            raise
        return appended

    def _bin(self, name: str):
        root = self.media_pool.GetRootFolder()
        for folder in root.GetSubFolderList() or []:
            if folder.GetName() == name:
                return folder
        folder = self.media_pool.AddSubFolder(root, name)
        if not folder:
            raise ResolveError(f"Resolve refused to create the Media Pool bin {name!r}")
        return folder

    def _import(self, paths: list[str]) -> dict:
        items = self.media_pool.ImportMedia(paths) or []
        by_path = {item.GetClipProperty("File Path"): item for item in items}
        missing = [path for path in paths if path not in by_path]
        if missing:
            self.media_pool.DeleteClips(list(by_path.values()))
            raise ResolveError(f"Resolve could not import {', '.join(missing)}")
        return by_path

    def _add_track(self, index: int, name: str) -> int:
        if self.version.inserts_tracks_at_an_index:
            added = self.timeline.AddTrack(VIDEO, {"index": index})
        else:  # before 19 a new track always goes on top
            added = self.timeline.AddTrack(VIDEO)
            index = int(self.timeline.GetTrackCount(VIDEO))
        if not added:
            raise ResolveError("Resolve refused to add a video track")
        self.timeline.SetTrackName(VIDEO, index, name)
        return index

    def _append(self, outcome: ClipOutcome, media_item, track_index: int):
        plan = outcome.plan
        record = plan.clip.metadata["resolve"]["record_frame"]
        duration = int(plan.clip.source_range.duration.value)  # timeline frames
        first = plan.used.start - plan.frames.start  # the new media starts at frames.start
        info = {
            "mediaPoolItem": media_item,
            "startFrame": first,
            "endFrame": first + len(plan.used),
            "trackIndex": track_index,
            "recordFrame": record,
            "mediaType": 1,  # video only: the source clip's audio stays where it is
        }
        placed = self.media_pool.AppendToTimeline([info]) or []
        if len(placed) != 1:
            raise ResolveError(f"Resolve refused to place {plan.name} on track V{track_index}")
        item = placed[0]
        if int(item.GetStart()) != record or int(item.GetDuration()) != duration:
            self.timeline.DeleteClips([item], False)
            raise ResolveError(
                f"{plan.name} landed at frame {item.GetStart()} for {item.GetDuration()} frames, "
                f"not {record} for {duration}"
            )
        return item

    def add_marker(self, record_frame: int, name: str, note: str, job: dict) -> bool:
        """A timeline marker at a record frame; `job` goes into its hidden customData."""
        return bool(
            self.timeline.AddMarker(
                record_frame - self.start_frame, "Purple", name, note, 1, json.dumps(job)
            )
        )


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
