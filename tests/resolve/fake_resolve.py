"""The test double of DaVinci Resolve's scripting API, shared by every Resolve client test.

Built from Resolve's scripting README (DaVinciResolveScript): object and method names, argument
and return shapes (dicts of strings from GetClipProperty, {frameId: {...}} marker dicts, lists
of items from ImportMedia and AppendToTimeline, False on refusal), and the frame conventions
sparkvsr_resolve._resolve documents (absolute record frames from GetStartFrame, 86400 at
01:00:00:00 and 24 fps; timeline markers and In/Out relative to the timeline start; item
markers in media frames; AppendToTimeline endFrame exclusive). Version gates follow the README:
GetMarkInOut from 19.1, AddTrack with {"index"} from 19.0. Media is real: ImportMedia reads the
file with PyAV as Resolve reads its clip properties.

The UIManager part (Fusion's UI toolkit: UIDispatcher, AddWindow, widgets, On.<ID>.<Event>
handlers, Timer) runs a test's `user` generator in RunLoop: each `yield` lets timers fire.
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import av

_ids = itertools.count(1)


def _nominal_fps(rate: Fraction) -> int:
    return round(rate)


def _frames_of_timecode(timecode: str, rate: Fraction) -> int:
    hours, minutes, seconds, frames = (int(part) for part in timecode.replace(";", ":").split(":"))
    return ((hours * 60 + minutes) * 60 + seconds) * _nominal_fps(rate) + frames


def _fps_text(rate: Fraction) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


class MediaPoolItem:
    def __init__(self, path: str):
        with av.open(path) as container:
            stream = container.streams.video[0]
            self._rate = Fraction(stream.average_rate)
            frames = stream.frames
            timecode = stream.metadata.get("timecode") or "00:00:00:00"
            width, height = stream.codec_context.width, stream.codec_context.height
        self._id = f"mpi-{next(_ids)}"
        self._properties = {
            "File Path": path,
            "Clip Name": path.rsplit("/", 1)[-1],
            "FPS": _fps_text(self._rate),
            "Start TC": timecode,
            "Frames": str(frames),
            "Resolution": f"{width}x{height}",
            "Drop frame": "1" if ";" in timecode else "0",
        }
        self._markers: dict[float, dict] = {}

    def GetName(self):
        return self._properties["Clip Name"]

    def GetUniqueId(self):
        return self._id

    def GetClipProperty(self, propertyName=None):
        if propertyName is None:
            return dict(self._properties)
        return self._properties.get(propertyName, "")

    def GetMarkers(self):
        return {frame: dict(marker) for frame, marker in self._markers.items()}

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        return _add_marker(self._markers, frameId, color, name, note, duration, customData)


def _add_marker(markers, frameId, color, name, note, duration, customData):
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
    def __init__(self, media_item: MediaPoolItem, start: int, left: int, duration: int):
        self._media_item = media_item
        self._start = start
        self._left = left
        self._duration = duration
        self._source_frames = duration
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

    def GetLeftOffset(self):
        return self._left

    def GetRightOffset(self):
        return int(self._media_item.GetClipProperty("Frames")) - self._left - self._duration

    def GetSourceStartFrame(self):
        return self._left

    def GetSourceEndFrame(self):
        return self._left + self._source_frames

    def GetMediaPoolItem(self):
        return self._media_item

    def GetTrackTypeAndIndex(self):
        return list(self.track)

    def GetMarkers(self):
        return {frame: dict(marker) for frame, marker in self._markers.items()}

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        return _add_marker(self._markers, frameId, color, name, note, duration, customData)

    # Test-side action
    def retime(self, percent: float) -> None:
        """What changing the clip's speed in the Inspector does: the same media frames over a
        different number of timeline frames."""
        self._duration = round(self._source_frames * 100 / percent)


class Timeline:
    def __init__(self, name: str, rate: Fraction, version, start_timecode="01:00:00:00"):
        self._name = name
        self._rate = rate
        self._version = version
        self._start = _frames_of_timecode(start_timecode, rate)
        self._start_timecode = start_timecode
        self._tracks: dict[str, list[dict]] = {"video": [{"name": "", "items": []}], "audio": []}
        self._markers: dict[float, dict] = {}
        self._marks: dict = {}
        self._playhead = self._start

    # Reading
    def GetName(self):
        return self._name

    def GetStartFrame(self):
        return self._start

    def GetEndFrame(self):
        ends = [item.GetEnd() for t in self._tracks["video"] for item in t["items"]]
        return max(ends, default=self._start)

    def GetStartTimecode(self):
        return self._start_timecode

    def GetSetting(self, settingName=None):
        settings = {"timelineFrameRate": _fps_text(self._rate)}
        return settings if settingName is None else settings.get(settingName, "")

    def GetTrackCount(self, trackType):
        return len(self._tracks[trackType])

    def GetItemListInTrack(self, trackType, index):
        if not 1 <= index <= len(self._tracks[trackType]):
            return None
        return sorted(self._tracks[trackType][index - 1]["items"], key=lambda i: i.GetStart())

    def GetTrackName(self, trackType, trackIndex):
        return self._tracks[trackType][trackIndex - 1]["name"] or f"Video {trackIndex}"

    def GetMarkers(self):
        return {frame: dict(marker) for frame, marker in self._markers.items()}

    def GetMarkInOut(self):
        if (self._version[0], self._version[1]) < (19, 1):
            raise AttributeError("GetMarkInOut is new in Resolve 19.1")
        return {kind: dict(marks) for kind, marks in self._marks.items()}

    def GetCurrentVideoItem(self):
        for track in reversed(self._tracks["video"]):
            for item in track["items"]:
                if item.GetStart() <= self._playhead < item.GetEnd():
                    return item
        return None

    # Changing
    def SetTrackName(self, trackType, trackIndex, name):
        if not 1 <= trackIndex <= len(self._tracks[trackType]):
            return False
        self._tracks[trackType][trackIndex - 1]["name"] = name
        return True

    def AddTrack(self, trackType, options=None):
        index = len(self._tracks[trackType]) + 1
        if isinstance(options, dict) and "index" in options:
            if self._version[0] < 19:
                return False
            wanted = int(options["index"])
            if 1 <= wanted <= len(self._tracks[trackType]):
                index = wanted
        self._tracks[trackType].insert(index - 1, {"name": "", "items": []})
        self._renumber(trackType)
        return True

    def DeleteTrack(self, trackType, trackIndex):
        if not 1 <= trackIndex <= len(self._tracks[trackType]):
            return False
        del self._tracks[trackType][trackIndex - 1]
        self._renumber(trackType)
        return True

    def DeleteClips(self, timelineItems, ripple=False):
        removed = False
        for track in self._tracks["video"]:
            before = len(track["items"])
            track["items"] = [item for item in track["items"] if item not in timelineItems]
            removed |= len(track["items"]) != before
        return removed

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        return _add_marker(self._markers, frameId, color, name, note, duration, customData)

    def SetMarkInOut(self, markIn, markOut, type="all"):  # noqa: A002 - the API's name
        kinds = ("video", "audio") if type == "all" else (type,)
        for kind in kinds:
            self._marks[kind] = {"in": int(markIn), "out": int(markOut)}
        return True

    def SetCurrentTimecode(self, timecode):
        self._playhead = _frames_of_timecode(timecode, self._rate)
        return True

    def _renumber(self, trackType):
        for index, track in enumerate(self._tracks[trackType], 1):
            for item in track["items"]:
                item.track = (trackType, index)

    def _place(self, item: TimelineItem, track_index: int) -> bool:
        tracks = self._tracks["video"]
        if not 1 <= track_index <= len(tracks):
            return False
        for other in tracks[track_index - 1]["items"]:
            if item.GetStart() < other.GetEnd() and other.GetStart() < item.GetEnd():
                return False
        tracks[track_index - 1]["items"].append(item)
        item.track = ("video", track_index)
        return True

    # Test-side views
    def items(self, track_index: int) -> list[TimelineItem]:
        return self.GetItemListInTrack("video", track_index)


class Folder:
    def __init__(self, name: str):
        self._name = name
        self.clips: list[MediaPoolItem] = []
        self.subfolders: list[Folder] = []

    def GetName(self):
        return self._name

    def GetClipList(self):
        return list(self.clips)

    def GetSubFolderList(self):
        return list(self.subfolders)


class MediaPool:
    def __init__(self, project: Project):
        self._project = project
        self._root = Folder("Master")
        self._current = self._root

    def GetRootFolder(self):
        return self._root

    def GetCurrentFolder(self):
        return self._current

    def SetCurrentFolder(self, folder):
        self._current = folder
        return True

    def AddSubFolder(self, folder, name):
        sub = Folder(name)
        folder.subfolders.append(sub)
        return sub

    def ImportMedia(self, items):
        imported = []
        for path in items:
            try:
                clip = MediaPoolItem(path)
            except (av.FFmpegError, IndexError, FileNotFoundError):
                continue
            self._current.clips.append(clip)
            imported.append(clip)
        return imported

    def DeleteClips(self, clips):
        for folder in self._folders(self._root):
            folder.clips = [clip for clip in folder.clips if clip not in clips]
        return True

    def AppendToTimeline(self, clipInfos):
        timeline = self._project.GetCurrentTimeline()
        placed = []
        for info in clipInfos:
            media_item = info["mediaPoolItem"]
            start, end = int(info["startFrame"]), int(info["endFrame"])
            if not 0 <= start < end <= int(media_item.GetClipProperty("Frames")):
                continue
            record = int(info.get("recordFrame", timeline.GetEndFrame()))
            item = TimelineItem(media_item, record, start, end - start)
            if info.get("mediaType", 1) == 1 and timeline._place(
                item, int(info.get("trackIndex", 1))
            ):
                placed.append(item)
        return placed

    def _folders(self, folder):
        yield folder
        for sub in folder.subfolders:
            yield from self._folders(sub)

    # Test-side views
    def bin(self, name: str) -> Folder | None:
        return next((f for f in self._root.subfolders if f.GetName() == name), None)


class Project:
    def __init__(self, name: str):
        self._name = name
        self._media_pool = MediaPool(self)
        self._timeline: Timeline | None = None

    def GetName(self):
        return self._name

    def GetMediaPool(self):
        return self._media_pool

    def GetCurrentTimeline(self):
        return self._timeline

    def SetCurrentTimeline(self, timeline):
        self._timeline = timeline
        return True


class ProjectManager:
    def __init__(self, project: Project | None):
        self._project = project

    def GetCurrentProject(self):
        return self._project


class Resolve:
    """The `resolve` object a script gets."""

    def __init__(self, project: Project | None, studio=True, version=(19, 1, 3, 7, "")):
        self._manager = ProjectManager(project)
        self._product = "DaVinci Resolve Studio" if studio else "DaVinci Resolve"
        self.version = version
        self.ui = UIManager()

    def GetProjectManager(self):
        return self._manager

    def GetProductName(self):
        return self._product

    def GetVersion(self):
        return list(self.version)

    def GetVersionString(self):
        major, minor, patch, build, suffix = self.version
        return f"{major}.{minor}.{patch}{suffix}.{build}"

    def Fusion(self):
        return Fusion(self.ui)


class Fusion:
    def __init__(self, ui):
        self.UIManager = ui


# UIManager ---------------------------------------------------------------------------------


class _Handlers:
    """`On.<ID>.<Event> = handler`, as UIManager windows and dispatchers take them."""

    def __init__(self):
        object.__setattr__(self, "_by_id", {})

    def __getattr__(self, widget_id):
        return self._by_id.setdefault(widget_id, _EventSlots())


class _EventSlots:
    def __init__(self):
        object.__setattr__(self, "handlers", {})

    def __setattr__(self, event, handler):
        self.handlers[event] = handler

    def __getattr__(self, event):
        return self.handlers.get(event)


class Widget:
    def __init__(self, kind: str, props=None, children=None):
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "props", dict(props or {}))
        object.__setattr__(self, "children", list(children or []))
        object.__setattr__(self, "items", [])

    def __getattr__(self, name):
        try:
            return self.props[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        if name == "CurrentText" and value not in self.items:
            raise AssertionError(f"{value!r} is not one of {self.items}")
        self.props[name] = value

    def AddItems(self, items):
        self.items.extend(items)
        if "CurrentText" not in self.props and items:
            self.props["CurrentText"] = items[0]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class UIManager:
    def __init__(self):
        self.timers: list[Widget] = []

    def _layout(kind):
        def make(self, first=None, second=None):
            props, children = (first, second) if isinstance(first, dict) else ({}, first)
            return Widget(kind, props, children)

        return make

    VGroup = _layout("VGroup")
    HGroup = _layout("HGroup")

    def _widget(kind):
        def make(self, props=None):
            return Widget(kind, props)

        return make

    Label = _widget("Label")
    TextEdit = _widget("TextEdit")
    ComboBox = _widget("ComboBox")
    LineEdit = _widget("LineEdit")
    CheckBox = _widget("CheckBox")
    Button = _widget("Button")
    HGap = _widget("HGap")

    def Timer(self, props):
        timer = Widget("Timer", {"Interval": 0, **props})
        object.__setattr__(timer, "running", False)
        object.__setattr__(timer, "Start", lambda: object.__setattr__(timer, "running", True))
        object.__setattr__(timer, "Stop", lambda: object.__setattr__(timer, "running", False))
        self.timers.append(timer)
        return timer


class Window:
    def __init__(self, props, layout: Widget):
        self.props = props
        self.layout = layout
        self.On = _Handlers()
        self.shown = False

    def GetItems(self):
        return {w.props["ID"]: w for w in self.layout.walk() if "ID" in w.props}

    def Find(self, widget_id):
        return self.GetItems().get(widget_id)

    def Show(self):
        self.shown = True

    def Hide(self):
        self.shown = False

    # Test-side actions
    def click(self, widget_id):
        widget = self.Find(widget_id)
        assert widget.props.get("Enabled", True), f"{widget_id} is disabled"
        handler = getattr(self.On, widget_id).Clicked
        handler({"who": widget_id})

    def close(self):
        getattr(self.On, self.props["ID"]).Close({"who": self.props["ID"]})


class UIDispatcher:
    def __init__(self, ui: UIManager, user):
        self.ui = ui
        self.user = user
        self.On = _Handlers()
        self.window: Window | None = None
        self._running = False

    def AddWindow(self, props, layout):
        self.window = Window(props, layout)
        return self.window

    def RunLoop(self):
        assert self.user is not None, "the script opened a dialog but the test drives none"
        self._running = True
        steps = self.user(self.window)
        while self._running:
            try:
                next(steps)
            except StopIteration:
                raise AssertionError("the user is done but the dialog is still open") from None
            for timer in self.ui.timers:
                if timer.running:
                    getattr(self.On, timer.props["ID"]).Timeout({"who": timer.props["ID"]})
            time.sleep(0.02)

    def ExitLoop(self):
        self._running = False


class Bmd:
    """The `bmd` module object scripts get; `user` drives the dialog (see UIDispatcher)."""

    def __init__(self, resolve: Resolve, user=None):
        self._resolve = resolve
        self.user = user

    def UIDispatcher(self, ui):
        return UIDispatcher(ui, self.user)

    def scriptapp(self, name):
        return self._resolve if name == "Resolve" else None
