"""Finished windows of a farm job on shared storage: one file per window, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sparkvsr.pipeline import StoredWindow
from sparkvsr.settings import FileJob
from sparkvsr.specs import JobSpec


def clip_key(job: FileJob, spec: JobSpec, keyframe_sources: Mapping[int, str]) -> str:
    """Names a clip's windows by what decides them (media name, frames, engine job, where each
    keyframe comes from), not by where the media lives: path mapping gives each worker its own
    path to the same file."""
    frames = job.frames and [job.frames.start, job.frames.stop]
    described = {
        "media": os.path.basename(job.source),
        "frames": frames,
        "keyframes": {str(index): source for index, source in keyframe_sources.items()},
        "spec": [
            spec.frame_count,
            list(spec.source_layout.shape),
            spec.source_layout.bit_depth,
            spec.scale,
            spec.engine,
            list(spec.keyframe_indices),
            spec.chunk_length,
            spec.chunk_overlap,
        ],
    }
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
    return f"{Path(job.source).stem}_{digest[:16]}"


class WindowStore:
    """A clip's windows in `folder`: `window_000012.npz`, present only once complete."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def path(self, index: int) -> Path:
        return self.folder / f"window_{index:06d}.npz"

    def has(self, index: int) -> bool:
        return self.path(index).is_file()

    def save(self, index: int, window: StoredWindow) -> None:
        """Writes the window (packed as the server's window store keeps it) under a temporary
        name and renames it: a killed task leaves no partial window, and a window is never
        half-read."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".partial-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, **window)
            os.replace(temporary, self.path(index))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, index: int) -> StoredWindow:
        with np.load(self.path(index), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
