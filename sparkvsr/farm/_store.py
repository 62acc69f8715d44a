"""Finished windows of a farm job: one losslessly compressed file per window, written whole or
not at all; the files are the upscale step's outputs, which the assemble step downloads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sparkvsr.atomic import atomic_file
from sparkvsr.content_key import ContentKey
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
    return f"{Path(job.source).stem}_{ContentKey(described).hexdigest(16)}"


class WindowStore:
    """A clip's windows in `folder`: `window_000012.npz`, present only once complete."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def path(self, index: int) -> Path:
        return self.folder / f"window_{index:06d}.npz"

    def has(self, index: int) -> bool:
        return self.path(index).is_file()

    def save(self, index: int, window: StoredWindow) -> None:
        """Writes the window (packed as the server's window store keeps it) deflated: windows
        travel through the farm's storage between steps, and the frames no neighbour shares are
        integers, which compress without loss. A killed task leaves no partial window."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(self.path(index)) as file:
            np.savez_compressed(file, **window)

    def load(self, index: int) -> StoredWindow:
        with np.load(self.path(index), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
