"""The test double of DaVinci Resolve's scripting API, shared by every Resolve client test.

Built from Resolve's scripting README (DaVinciResolveScript): object and method names, argument
and return shapes (dicts of strings from GetClipProperty, {frameId: {...}} marker dicts, lists
of items from ImportMedia and AppendToTimeline, False on refusal), and the frame conventions
sparkvsr_resolve._resolve documents (absolute record frames from GetStartFrame, 86400 at
01:00:00:00 and 24 fps; timeline markers and In/Out relative to the timeline start; item
markers in media frames). Version gates follow the README editions: clip info "trackIndex" and
"recordFrame" from 18.1 (before, AppendToTimeline appends at the end of V1), AddTrack with
{"index"} from 19.0, GetSourceStartFrame/EndFrame and GetSourceStartTime/EndTime from 19.0.2,
GetMarkInOut from 19.1,
Timeline.GetSelectedClips from 21.0.4; a method the version lacks reads as None. Media is real:
ImportMedia reads the file with PyAV as Resolve reads its clip properties.

Real Resolve's failure modes, modelled because the client must survive them (Quirks switches
the ones that vary between builds and projects), with where each is documented or reported:
- Collisions: AppendToTimeline onto occupied frames answers a "ghost" item whose getters all
  return None (left in the track's list) or leaves the clip out of its answer (issue #17's audit
  of live reports; davinci-resolve-mcp PR #31 guards "invalid returned timeline items").
- Transitions: GetItemListInTrack lists them among the clips, without a media pool item,
  spanning their cut into both neighbours (issue #17, live reports).
- AppendToTimeline places into whatever timeline is current (README: "Appends ... in the
  current timeline"), not the one a script read.
- Mixed frame rates: media of another rate plays in real time; GetLeftOffset and GetDuration
  count whole timeline frames (a live report on 21.1: a 50p clip on a 25p timeline has source
  frame = 2 x left offset), and placed durations are floored to whole timeline frames.
- GetSourceStartFrame/EndFrame answer 0/0 on timelines conformed from XML, and a frame off on
  some items (Quirks.source_frames, with the sources).
- Retimed clips: GetLeftOffset/GetRightOffset count at the clip's speed, GetSourceStartFrame/
  EndFrame show the media frames it spans, reversed with a reversed clip (TimelineItem.retime).
- Timeline.DeleteClips answers False (and may delete nothing) off the Edit page, on a first try
  or even while deleting (Quirks.delete_clips); OpenPage/GetCurrentPage switch and name pages.
- ImportMedia of a path already in the Media Pool: undocumented (Quirks.reimport).
- endFrame counts the frame after the last (measured on 19.1.3.7 and 21.0) or, by other
  reports, the last one (Quirks.end_frame_inclusive, with the sources).
- Resolve 21 refuses a whole AppendToTimeline batch holding fractional frames and answers None
  (tmoroney/auto-subs PR #772).
- Drop-frame timelines report their rate as "29.97 DF" (public Resolve scripts parse that form).

The UIManager part lives in fake_fusion_ui.py; the timeline objects in fake_resolve_timeline.py.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import av
from fake_fusion_ui import UIDispatcher, UIManager
from fake_resolve_timeline import (
    Quirks,
    Timeline,
    TimelineItem,
    add_marker,
    fps_text,
    frames_of_timecode,
)

__all__ = ["Bmd", "MediaPool", "Project", "Quirks", "Resolve", "Timeline", "TimelineItem"]

_ids = itertools.count(1)
PAGES = ("media", "cut", "edit", "fusion", "color", "fairlight", "deliver")


class MediaPoolItem:
    def __init__(self, path: str):
        with av.open(path) as container:
            stream = container.streams.video[0]
            self.rate = Fraction(stream.average_rate)
            frames = stream.frames
            timecode = stream.metadata.get("timecode") or "00:00:00:00"
            width, height = stream.codec_context.width, stream.codec_context.height
        self.timecode_frames = frames_of_timecode(timecode, self.rate, ";" in timecode)
        self._id = f"mpi-{next(_ids)}"
        self._properties = {
            "File Path": path,
            "Clip Name": path.rsplit("/", 1)[-1],
            "FPS": fps_text(self.rate),
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
        return add_marker(self._markers, frameId, color, name, note, duration, customData)


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
        self.appended: list[list[dict]] = []
        """Test-side: the clip infos of every AppendToTimeline call."""

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
        reimport = self._project.quirks.reimport
        for path in items:
            existing = self._find(path)
            if existing is not None and reimport != "duplicate":
                if reimport == "none":
                    return None
                imported += [existing] if reimport == "existing" else []
                continue
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

    def DeleteFolders(self, subfolders):
        for folder in self._folders(self._root):
            folder.subfolders = [sub for sub in folder.subfolders if sub not in subfolders]
        return True

    def AppendToTimeline(self, clipInfos):
        timeline = self._project.GetCurrentTimeline()
        version = tuple(timeline._version[:3])
        frames = [info.get(key, 0) for info in clipInfos for key in ("startFrame", "endFrame")]
        if version >= (21, 0, 0) and any(value != int(value) for value in frames):
            return None
        self.appended.append([dict(info) for info in clipInfos])
        placed = []
        for info in clipInfos:
            item = self._append(timeline, version, info)
            if item is not None:
                placed.append(item)
        return placed

    def _append(self, timeline: Timeline, version, info):
        media_item = info["mediaPoolItem"]
        start, end = int(info["startFrame"]), int(info["endFrame"])
        quirks = self._project.quirks
        if quirks.end_frame_inclusive:
            end += 1  # Quirks.end_frame_inclusive says who reports which
        frames = int(media_item.GetClipProperty("Frames"))
        if end > frames and quirks.end_frame_past_media == "clamp":
            end = frames
        if not 0 <= start < end <= frames:
            return None
        if version >= (18, 1, 0):
            record = int(info.get("recordFrame", timeline.GetEndFrame()))
            track = int(info.get("trackIndex", 1))
        else:  # the keys are unknown: appended at the end of V1
            record, track = timeline.GetEndFrame(), 1
        if info.get("mediaType", 1) != 1:
            return None
        item = TimelineItem(timeline, media_item, record, start, end - start)
        return timeline._place(item, track)

    def _find(self, path: str) -> MediaPoolItem | None:
        for folder in self._folders(self._root):
            for clip in folder.clips:
                if clip.GetClipProperty("File Path") == path:
                    return clip
        return None

    def _folders(self, folder):
        yield folder
        for sub in folder.subfolders:
            yield from self._folders(sub)

    # Test-side views
    def bin(self, name: str) -> Folder | None:
        return next((f for f in self._root.subfolders if f.GetName() == name), None)


class Project:
    def __init__(self, name: str, quirks: Quirks | None = None):
        self._name = name
        self.quirks = quirks or Quirks()
        self._media_pool = MediaPool(self)
        self._timelines: list[Timeline] = []
        self._timeline: Timeline | None = None
        self.page = "edit"
        """The page the UI shows (Resolve.OpenPage/GetCurrentPage)."""

    def GetName(self):
        return self._name

    def GetMediaPool(self):
        return self._media_pool

    def GetTimelineCount(self):
        return len(self._timelines)

    def GetTimelineByIndex(self, idx):
        return self._timelines[idx - 1] if 1 <= idx <= len(self._timelines) else None

    def GetCurrentTimeline(self):
        return self._timeline

    def SetCurrentTimeline(self, timeline):
        if timeline not in self._timelines:
            self._timelines.append(timeline)
            timeline.project = self
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
        self.refuse_page_switch = False
        """Test-side: OpenPage answers False (a modal dialog is open)."""

    def GetProjectManager(self):
        return self._manager

    # README: OpenPage(pageName) switches to one of "media", "cut", "edit", "fusion", "color",
    # "fairlight", "deliver" and answers a Bool (None in older editions); GetCurrentPage()
    # names the page shown. A modal dialog makes such calls fail (rogmag/davinci-resolve-scripts
    # README): refuse_page_switch models it.
    def OpenPage(self, pageName):
        project = self._manager.GetCurrentProject()
        if self.refuse_page_switch or project is None or pageName not in PAGES:
            return False
        project.page = pageName
        return True

    def GetCurrentPage(self):
        project = self._manager.GetCurrentProject()
        return project.page if project else "edit"

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


class Bmd:
    """The `bmd` module object scripts get; `user` drives the dialog (see UIDispatcher)."""

    def __init__(self, resolve: Resolve, user=None):
        self._resolve = resolve
        self.user = user

    def UIDispatcher(self, ui):
        return UIDispatcher(ui, self.user)

    def scriptapp(self, name):
        return self._resolve if name == "Resolve" else None
