"""The engine window store: finished engine windows on disk by key, shared by every job on the
server (resume, re-render after an edit), kept for a retention period after their last use."""

from __future__ import annotations

import logging
import os
import time
import zipfile
from pathlib import Path

import numpy as np

from sparkvsr.atomic import atomic_file, is_leftover
from sparkvsr.pipeline import StoredWindow

logger = logging.getLogger(__name__)


class EngineWindowStore:
    """Engine window outputs by window key, one .npz each (see sparkvsr.pipeline.StoredWindow)."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def load(self, key: str) -> StoredWindow | None:
        path = self._path(key)
        try:
            with np.load(path, allow_pickle=False) as stored:
                window = {name: stored[name] for name in stored.files}
        except (OSError, ValueError, zipfile.BadZipFile):  # absent, or cut short: run it again
            return None
        os.utime(path)  # retention counts from the last use
        return window

    def save(self, key: str, window: StoredWindow) -> None:
        """Stores a window; a store that cannot take it (full disk) only costs a later rerun."""
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            with atomic_file(path) as file:
                np.savez(file, **window)
        except OSError as error:
            logger.warning("window store: could not keep a window (%s)", error.strerror)

    def collect(self, max_age_s: float) -> int:
        """Removes windows unused for `max_age_s` (what a crash left half-written the spool
        removes when it is opened again); returns how many files went."""
        cutoff = time.time() - max_age_s
        removed = 0
        for path in self.root.glob("*/*.npz"):
            try:
                if not is_leftover(path) and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        if removed:
            logger.info("window store: removed %d files", removed)
        return removed

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npz"
