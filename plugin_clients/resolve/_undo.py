"""Removing what a failed run added to the project, and only that, checking every step.

Resolve's answers to deletions are advisory: Timeline.DeleteClips answers False and deletes
nothing while the UI is on another page than Edit, and has been seen to answer False once and
succeed when called again. So every removal runs on the Edit page, is read back, is tried once
more if something is still there, and whatever stays is named to the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sparkvsr.errors import SparkVSRError
from sparkvsr_resolve._api import VIDEO, ResolveError, call, item_span
from sparkvsr_resolve._resolve import ResolveTimeline

logger = logging.getLogger(__name__)

EDIT_PAGE = "edit"


class LeftBehindError(ResolveError):
    """A run stopped, and undoing it left some of what it had added in the project."""


def failure_text(error: SparkVSRError) -> str:
    """What a stopped run tells the user: that nothing was added, unless something was left."""
    if isinstance(error, LeftBehindError):
        return str(error)
    return f"nothing was added to the project: {error}"


@dataclass
class Added:
    """What this run added to the project, so that a failure removes exactly that."""

    folder: object | None = None
    """The bin, when this run created it."""
    media: list = field(default_factory=list)
    """Media pool items this run imported (not those it found in the pool)."""
    tracks: list[int] = field(default_factory=list)
    items: list = field(default_factory=list)

    def undo(self, timeline: ResolveTimeline) -> list[str]:
        """Removes what was added, newest first, the timeline's part on the Edit page; a step
        that fails does not stop the others. Returns what is still there, one phrase each."""
        left: list[str] = []
        with EditPage(timeline):
            _step(left, "the placed clips", lambda: _remove_placed(timeline, self))
        if left:  # what stays on the timeline may use the media: it stays, with its bin
            left += [f"{clip.GetName()} in the Media Pool" for clip in self.media]
            if self.folder is not None:
                left.append(f"the Media Pool bin {self.folder.GetName()}")
            return left
        if self.media:
            _step(left, "the imported media", lambda: _remove_media(timeline, self.media))
        if self.folder is not None:
            _step(left, "the new bin", lambda: _remove_folder(timeline, self.folder))
        return left


def undo_or_explain(added: Added, timeline: ResolveTimeline, error: BaseException) -> None:
    """Undoes the run after `error`; raises LeftBehindError (from it) naming what could not
    be removed, and returns (for the caller to raise `error`) when everything was."""
    left = added.undo(timeline)
    if left:
        said = str(error) if isinstance(error, SparkVSRError) else repr(error)
        raise LeftBehindError(
            f"{said}; undoing the run, Resolve would not remove {', '.join(left)}: remove "
            "them by hand"
        ) from error


class EditPage:
    """Shows the Edit page for the duration (timeline edits by script fail on other pages),
    then the page the user had open."""

    def __init__(self, timeline: ResolveTimeline):
        self.resolve = timeline.resolve
        self.back_to: str | None = None

    def __enter__(self) -> EditPage:
        page = call(self.resolve, "GetCurrentPage")  # None where the call is missing
        if page != EDIT_PAGE:
            if call(self.resolve, "OpenPage", EDIT_PAGE) is False:
                logger.warning("Resolve would not open the Edit page (a dialog may be open)")
            self.back_to = page
        return self

    def __exit__(self, *exc_info) -> None:
        if self.back_to:
            call(self.resolve, "OpenPage", self.back_to)


def remove_items(timeline: ResolveTimeline, items: list) -> list:
    """Deletes timeline items (never rippling): a False answer is read back and the call made
    once more for what is still there. Returns the items still on the timeline (call it on the
    Edit page: elsewhere Resolve deletes nothing)."""
    left = list(items)
    for _ in range(2):
        timeline.timeline.DeleteClips(left, False)
        present = timeline.item_ids()
        # An item whose id reads None (a ghost a collision left) cannot be checked: not named.
        left = [item for item in left if item.GetUniqueId() in present]
        if not left:
            break
    return left


def _remove_placed(timeline: ResolveTimeline, added: Added) -> list[str]:
    named = {item.GetUniqueId(): _name(item) for item in added.items}  # read before deleting
    if added.items:
        remove_items(timeline, added.items)
    left = []
    for index in sorted(added.tracks, reverse=True):  # the higher first: indices stay valid
        left += _remove_track(timeline, index)
    present = timeline.item_ids()  # items go with their track: those still there are left
    return left + [name for key, name in named.items() if key in present]


def _remove_track(timeline: ResolveTimeline, index: int) -> list[str]:
    for _ in range(2):
        before = timeline.track_count()
        timeline.timeline.DeleteTrack(VIDEO, index)
        if timeline.track_count() == before - 1:
            return []
    return [f"video track V{index}"]


def _remove_media(timeline: ResolveTimeline, media: list) -> list[str]:
    left = list(media)
    for _ in range(2):
        timeline.media_pool.DeleteClips(left)
        pooled = {clip.GetUniqueId() for clip in timeline.pool_clips()}
        left = [clip for clip in left if clip.GetUniqueId() in pooled]
        if not left:
            return []
    return [f"{clip.GetName()} in the Media Pool" for clip in left]


def _remove_folder(timeline: ResolveTimeline, folder) -> list[str]:
    name = folder.GetName()
    for _ in range(2):
        timeline.media_pool.DeleteFolders([folder])
        root = timeline.media_pool.GetRootFolder()
        if name not in {sub.GetName() for sub in root.GetSubFolderList() or []}:
            return []
    return [f"the Media Pool bin {name}"]


def _name(item) -> str:
    span = item_span(item)
    return f"{span.name} at frame {span.start}" if span else "a placed clip"


def _step(left: list[str], what: str, remove: Callable[[], list[str]]) -> None:
    try:
        left += remove()
    except Exception:  # keep undoing; the error that started the undo is raised
        logger.exception("undoing a Resolve change failed")
        left.append(f"{what} (Resolve raised an error removing them)")
