"""The Resolve test double's timelines and their items (see fake_resolve.py for the sources).

Frames: record frames are absolute (86400 = 01:00:00:00 at 24 fps); timeline markers and In/Out
count from the timeline's start; item markers count media frames. An item of media at another
rate plays in real time: timeline frame k of it shows media frame media_in + floor(k * m / t).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

_ids = itertools.count(1)


@dataclass
class Quirks:
    """The failure modes that differ between Resolve builds and projects; the defaults are what
    the sources report most often."""

    source_frames: str = "exact"
    """GetSourceStartFrame/EndFrame: "exact"; "early"/"late" (both a frame off where
    GetLeftOffset reads the frame sent: davinci-resolve-mcp's api-limitations ledger,
    "TimelineItem.GetSourceStartFrame", direction not given; a frame early on 21.1 for mixed-rate
    clips by issue #17's account; GetSourceStartTime stays right); or "zero" (0/0 on timelines
    conformed from XML: the importer leaves the clip's time map without a source axis, the same
    ledger, "Clip speed / retime ratio", measured on 19.1.3.7; issue #26)."""
    source_end: str = "last_if_mixed"
    """GetSourceEndFrame: the frame after the last shown ("after"), the last one ("last": read
    so by davinci-resolve-mcp's verified-trim code), or the frame after where the media's rate
    is the timeline's and the last one where it is not ("last_if_mixed": measured over 12 items
    on 19.1.3.7, that project's ledger, "GetSourceStartFrame on an AUDIO item")."""
    on_collision: str = "ghost"
    """AppendToTimeline onto occupied frames: "ghost" (answers an item whose getters return
    None, left in the track: davinci-resolve-mcp PR #31, whose 2.3.1 follow-up handles "invalid
    returned timeline items" found in live Resolve validation) or "drop" (leaves the clip out of
    its answer: no source shows it; modelled because the README documents no answer for it)."""
    reimport: str = "existing"
    """ImportMedia of a path already in the Media Pool, which the README leaves open (it
    "returns a list of the MediaPoolItems created"): "existing" (answers the pooled item, by
    issue #17's account), "nothing" ([]), "none" (None) or "duplicate" (creates another)."""
    add_track_at_index: bool = True
    """AddTrack(type, {"index": n}) inserts at n (the README's word); False: it appends on top
    and still answers True (unconfirmed: README.md lists it to check in a real Resolve)."""
    end_frame_inclusive: bool = False
    """AppendToTimeline's endFrame is the last media frame placed (True) or the one after it
    (False), on any version. Exclusive: measured on Studio 21.0 (davinci-resolve-mcp PR #80 and
    issue #82: startFrame 6254, endFrame 6348 places 94 frames), on 21.0.4.5 (that project's
    api-limitations ledger, "endFrame EXCLUSIVE (verified at 1, 119 and 120 frames)") and on
    19.1.3.7 (the same ledger's GetSourceEndFrame entry reads back the endFrame sent; issue #26).
    Inclusive: nakano000/Resolve_Script PR #23, whose scripts subtract 1 from 19.x on."""
    delete_clips: str = "edit_page"
    """Timeline.DeleteClips: "edit_page" (answers False and deletes nothing while the UI shows
    another page; measured on Studio 21.0 with the Fairlight page open, davinci-resolve-mcp's
    api-limitations ledger, "Timeline.DeleteClips (requires the Edit page; flaky first
    attempt)"), "flaky" (the first call answers False and deletes nothing, the same call again
    works: that entry and PR #111, seen once on 21.0), "false_but_deleted" (answers False yet
    deletes: PR #114) or "any_page" (what the README's "returns True if successful" says)."""
    end_frame_past_media: str = "refuse"
    """An endFrame past the media's last frame (what the other convention's endFrame is for a
    clip ending at the media's end): "refuse" (the append answers no item) or "clamp" (placed
    up to the media's end). No source says which; both are modelled."""


SWITCHES = {
    "source_frames": ("exact", "early", "late", "zero"),
    "source_end": ("after", "last", "last_if_mixed"),
    "on_collision": ("ghost", "drop"),
    "reimport": ("existing", "nothing", "none", "duplicate"),
    "add_track_at_index": (True, False),
    "delete_clips": ("edit_page", "flaky", "false_but_deleted", "any_page"),
    "end_frame_inclusive": (False, True),
    "end_frame_past_media": ("refuse", "clamp"),
}
"""Every value each Quirks switch takes."""


def since(version: tuple[int, int, int]):
    """A method that exists from `version` on; before, the name reads as None (calling it raises
    TypeError, as Resolve's scripting objects do for names they lack)."""

    def decorator(method):
        def gated(self):
            return method.__get__(self) if tuple(self._version[:3]) >= version else None

        return property(gated)

    return decorator


def fps_text(rate: Fraction) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def frames_of_timecode(timecode: str, rate: Fraction, drop_frame: bool = False) -> int:
    hours, minutes, seconds, frames = (int(part) for part in timecode.replace(";", ":").split(":"))
    nominal = round(rate)
    count = ((hours * 60 + minutes) * 60 + seconds) * nominal + frames
    if drop_frame:  # 2 frame numbers (4 at 59.94) skipped each minute but every tenth
        total_minutes = hours * 60 + minutes
        count -= nominal // 15 * (total_minutes - total_minutes // 10)
    return count


def add_marker(markers, frameId, color, name, note, duration, customData):
    frame = float(frameId)
    if frame in markers:
        return False
    markers[frame] = {
        "color": color,
        "duration": float(duration),
        "note": note,
        "name": name,
        "customData": customData or "",
    }
    return True


class TimelineItem:
    """A clip of `media_frames` media frames from `media_in`, placed at record frame `start`."""

    def __init__(self, timeline: Timeline, media_item, start: int, media_in: int, media_frames):
        self._timeline = timeline
        self._version = timeline._version
        self._media_item = media_item
        self._start = start
        self._media_in = media_in
        self._media_frames = media_frames
        self._per_media_frame = timeline._rate / media_item.rate  # timeline frames
        self._speed = Fraction(1)  # media frames shown per media frame of real time
        self._reversed = False
        self._duration = math.floor(media_frames * self._per_media_frame)  # floored, as placed
        self._markers: dict[float, dict] = {}
        self._id = f"item-{next(_ids)}"
        self.track: tuple[str, int] | None = None

    def GetName(self):
        return self._media_item.GetName()

    def GetUniqueId(self):
        return self._id

    def GetStart(self):
        return self._start

    def GetEnd(self):
        return self._start + self._duration

    def GetDuration(self):
        return self._duration

    # Both offsets count whole timeline frames at the clip's speed (position / speed): the
    # same clip at 100% and 200% read 1822 and 911 (davinci-resolve-mcp's api-limitations
    # ledger, "Clip speed / retime ratio", witness calibration on Studio 19.1.3.7).
    def GetLeftOffset(self):
        return math.floor(self._media_in * self._per_media_frame / self._speed)

    def GetRightOffset(self):
        after = int(self._media_item.GetClipProperty("Frames")) - self._media_in
        return math.floor((after - self._media_frames) * self._per_media_frame / self._speed)

    @since((19, 0, 2))
    def GetSourceStartFrame(self):
        return self._source_frames()[0]

    @since((19, 0, 2))
    def GetSourceEndFrame(self):
        start, end = self._source_frames()
        quirk = self._timeline.quirks.source_end
        last = quirk == "last" or (quirk == "last_if_mixed" and self._per_media_frame != 1)
        return end - 1 if last and (start, end) != (0, 0) else end

    # README, new in 19.0.2: the start and end of the media pool clip in the timeline clip,
    # as frames and as seconds. The seconds count on the media's timecode (davinci-resolve-mcp
    # issue #147: 15527.812 for a clip 10 s into media starting at 04:18:37;25).
    @since((19, 0, 2))
    def GetSourceStartTime(self):
        return self._source_time(self._source_frames(shift=False)[0])

    @since((19, 0, 2))
    def GetSourceEndTime(self):
        return self._source_time(self._source_frames(shift=False)[1])

    def _source_time(self, frame: int) -> float:
        if self._timeline.quirks.source_frames == "zero":
            return 0.0
        return float((self._media_item.timecode_frames + frame) / self._media_item.rate)

    def _source_frames(self, shift=True):
        quirk = self._timeline.quirks.source_frames
        if quirk == "zero":
            return 0, 0
        shift = {"early": -1, "late": 1}.get(quirk, 0) if shift else 0
        first, end = self._media_in + shift, self._media_in + self._media_frames + shift
        # A reversed clip reads its start above its end (the same ledger entry, measured on
        # 21.0.4.5: a reversed OTIO import read 95 -> 46).
        return (end, first) if self._reversed else (first, end)

    def GetMediaPoolItem(self):
        return self._media_item

    def GetTrackTypeAndIndex(self):
        return list(self.track)

    def GetMarkers(self):
        return {frame: dict(marker) for frame, marker in self._markers.items()}

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        return add_marker(self._markers, frameId, color, name, note, duration, customData)

    # Test-side actions and views
    def retime(self, percent: float) -> None:
        """What changing the clip's speed in the Inspector does: the same media frames over a
        different number of timeline frames (a negative percentage plays them backwards)."""
        self._speed = Fraction(abs(percent)) / 100
        self._reversed = percent < 0
        self._duration = round(self._media_frames * self._per_media_frame / self._speed)

    def trim(self, duration: int) -> None:
        """What dragging the clip's end does: `duration` timeline frames from the same start."""
        self._duration = duration
        self._media_frames = math.ceil(duration / self._per_media_frame)

    def media_frame_at(self, record_frame: int) -> int:
        """The media frame this item shows at a record frame (real-time playback)."""
        shown = math.floor((record_frame - self._start) * self._speed / self._per_media_frame)
        return self._media_in + (self._media_frames - 1 - shown if self._reversed else shown)


class GhostItem:
    """What a collision leaves: a TimelineItem whose every getter answers None."""

    def __init__(self):
        self.track: tuple[str, int] | None = None

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class Transition:
    """A transition as GetItemListInTrack lists it: no media, spanning its cut."""

    def __init__(self, timeline: Timeline, start: int, end: int, name="Cross Dissolve"):
        self._version = timeline._version
        self._start, self._end, self._name = start, end, name
        self._id = f"transition-{next(_ids)}"
        self.track: tuple[str, int] | None = None

    def GetName(self):
        return self._name

    def GetUniqueId(self):
        return self._id

    def GetStart(self):
        return self._start

    def GetEnd(self):
        return self._end

    def GetDuration(self):
        return self._end - self._start

    def GetLeftOffset(self):
        return 0

    def GetMediaPoolItem(self):
        return None

    def GetTrackTypeAndIndex(self):
        return list(self.track)

    def GetMarkers(self):
        return {}


def _start_of(item) -> tuple[bool, int]:
    start = item.GetStart()
    return (start is None, start or 0)


class Timeline:
    def __init__(
        self,
        name: str,
        rate: Fraction,
        version,
        start_timecode="01:00:00:00",
        drop_frame=False,
        quirks: Quirks | None = None,
    ):
        self._name = name
        self._rate = rate
        self._version = version
        self._drop_frame = drop_frame
        self.quirks = quirks or Quirks()
        self._start = frames_of_timecode(start_timecode, rate, drop_frame)
        self._start_timecode = start_timecode
        self._tracks: dict[str, list[dict]] = {"video": [{"name": "", "items": []}], "audio": []}
        self._markers: dict[float, dict] = {}
        self._marks: dict = {}
        self._playhead = self._start
        self._selected: list = []
        self._id = f"timeline-{next(_ids)}"
        self.collisions: list[tuple[int, int, int]] = []
        """(track, start, end) of each placement that collided: a test-side record."""
        self.refuse_new_tracks = False
        """Test-side: AddTrack answers False, as the README allows it to."""
        self.refuse_track_deletion = False
        """Test-side: DeleteTrack answers False, as the README allows it to."""
        self.delete_calls = 0
        """Test-side: how many times DeleteClips was called."""
        self.project = None
        """The project holding it (set by Project.SetCurrentTimeline)."""

    # Reading
    def GetName(self):
        return self._name

    def GetUniqueId(self):
        return self._id

    def GetStartFrame(self):
        return self._start

    def GetEndFrame(self):
        ends = [
            item.GetEnd()
            for t in self._tracks["video"]
            for item in t["items"]
            if item.GetEnd() is not None
        ]
        return max(ends, default=self._start)

    def GetStartTimecode(self):
        return self._start_timecode

    def GetSetting(self, settingName=None):
        rate = fps_text(self._rate) + (" DF" if self._drop_frame else "")
        settings = {"timelineFrameRate": rate}
        return settings if settingName is None else settings.get(settingName, "")

    def GetTrackCount(self, trackType):
        return len(self._tracks[trackType])

    def GetItemListInTrack(self, trackType, index):
        if not 1 <= index <= len(self._tracks[trackType]):
            return None
        return sorted(self._tracks[trackType][index - 1]["items"], key=_start_of)

    def GetTrackName(self, trackType, trackIndex):
        return self._tracks[trackType][trackIndex - 1]["name"] or f"Video {trackIndex}"

    def GetMarkers(self):
        return {frame: dict(marker) for frame, marker in self._markers.items()}

    @since((19, 1, 0))
    def GetMarkInOut(self):
        return {kind: dict(marks) for kind, marks in self._marks.items()}

    @since((21, 0, 4))
    def GetSelectedClips(self):
        return list(self._selected)

    def GetCurrentVideoItem(self):
        for track in reversed(self._tracks["video"]):
            for item in track["items"]:
                if isinstance(item, TimelineItem) and item.GetStart() <= self._playhead:
                    if self._playhead < item.GetEnd():
                        return item
        return None

    # Changing
    def SetTrackName(self, trackType, trackIndex, name):
        if not 1 <= trackIndex <= len(self._tracks[trackType]):
            return False
        self._tracks[trackType][trackIndex - 1]["name"] = name
        return True

    def AddTrack(self, trackType, options=None):
        if self.refuse_new_tracks:
            return False
        index = len(self._tracks[trackType]) + 1
        if isinstance(options, dict) and "index" in options:
            if self._version[0] < 19:
                return False
            wanted = int(options["index"])
            if 1 <= wanted <= len(self._tracks[trackType]) and self.quirks.add_track_at_index:
                index = wanted
        self._tracks[trackType].insert(index - 1, {"name": "", "items": []})
        self._renumber(trackType)
        return True

    def DeleteTrack(self, trackType, trackIndex):
        if self.refuse_track_deletion or not 1 <= trackIndex <= len(self._tracks[trackType]):
            return False
        del self._tracks[trackType][trackIndex - 1]
        self._renumber(trackType)
        return True

    def DeleteClips(self, timelineItems, ripple=False):
        quirk = self.quirks.delete_clips
        self.delete_calls += 1
        if quirk == "edit_page" and self.project and self.project.page != "edit":
            return False
        if quirk == "flaky" and self.delete_calls == 1:
            return False
        removed = False
        for track in self._tracks["video"]:
            before = len(track["items"])
            track["items"] = [item for item in track["items"] if item not in timelineItems]
            removed |= len(track["items"]) != before
        return removed and quirk != "false_but_deleted"

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        return add_marker(self._markers, frameId, color, name, note, duration, customData)

    def DeleteMarkerAtFrame(self, frameNum):
        return self._markers.pop(float(frameNum), None) is not None

    def SetMarkInOut(self, markIn, markOut, type="all"):  # noqa: A002 - the API's name
        kinds = ("video", "audio") if type == "all" else (type,)
        for kind in kinds:
            self._marks[kind] = {"in": int(markIn), "out": int(markOut)}
        return True

    def SetCurrentTimecode(self, timecode):
        self._playhead = frames_of_timecode(timecode, self._rate, ";" in timecode)
        return True

    def _renumber(self, trackType):
        for index, track in enumerate(self._tracks[trackType], 1):
            for item in track["items"]:
                item.track = (trackType, index)

    def _place(self, item: TimelineItem, track_index: int):
        """The item placed, a ghost, or None (see Quirks.on_collision)."""
        tracks = self._tracks["video"]
        if not 1 <= track_index <= len(tracks):
            return None
        for other in tracks[track_index - 1]["items"]:
            if other.GetStart() is None:
                continue
            if item.GetStart() < other.GetEnd() and other.GetStart() < item.GetEnd():
                self.collisions.append((track_index, item.GetStart(), item.GetEnd()))
                item = GhostItem() if self.quirks.on_collision == "ghost" else None
                break
        if item is not None:
            tracks[track_index - 1]["items"].append(item)
            item.track = ("video", track_index)
        return item

    # Test-side actions and views
    def items(self, track_index: int) -> list:
        return self.GetItemListInTrack("video", track_index)

    def select(self, *items) -> None:
        """Selects clips on the timeline, as a click and shift-click would."""
        self._selected = list(items)

    def add_transition(self, track_index: int, cut: int, frames: int) -> Transition:
        """A transition centred on the cut at record frame `cut`."""
        transition = Transition(self, cut - frames // 2, cut - frames // 2 + frames)
        self._tracks["video"][track_index - 1]["items"].append(transition)
        transition.track = ("video", track_index)
        return transition

    def add_ghost(self, track_index: int) -> GhostItem:
        """A stale item in a track's list, as an earlier collision leaves."""
        ghost = GhostItem()
        self._tracks["video"][track_index - 1]["items"].append(ghost)
        ghost.track = ("video", track_index)
        return ghost
