"""Removing what a failed run added to the project, and only that."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sparkvsr_resolve._api import VIDEO
from sparkvsr_resolve._resolve import ResolveTimeline

logger = logging.getLogger(__name__)


@dataclass
class Added:
    """What this run added to the project, so that a failure removes exactly that."""

    folder: object | None = None
    """The bin, when this run created it."""
    media: list = field(default_factory=list)
    """Media pool items this run imported (not those it found in the pool)."""
    tracks: list[int] = field(default_factory=list)
    items: list = field(default_factory=list)

    def undo(self, timeline: ResolveTimeline) -> None:
        """Removes what was added, newest first; a step that fails does not stop the others."""
        steps = []
        if self.items:
            steps.append((remove_items, timeline, self.items))
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


def remove_items(timeline: ResolveTimeline, items: list) -> list:
    """Deletes timeline items (never rippling); returns those still on the timeline."""
    timeline.timeline.DeleteClips(list(items), False)
    present = timeline.item_ids()
    return [item for item in items if item.GetUniqueId() in present]
