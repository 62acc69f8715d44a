"""A window's inputs read from media on shared storage: only the frames its windows need."""

from __future__ import annotations

import numpy as np

from sparkvsr.media import read_frames
from sparkvsr.pipeline import to_unit_float
from sparkvsr.specs import FrameRange, JobSpec, Keyframe

# Frames decoded per seek: one decode serves a whole window (and the frame before it).
_DECODE_FRAMES = 64


class MediaSource:
    """Source frames of a job decoded from `path` on demand (the job's frame 0 is the media's
    frame `first`), and the keyframe images a task restored for its windows."""

    def __init__(self, path: str, first: int, spec: JobSpec, keyframes: list[Keyframe]):
        self._path = path
        self._first = first
        self._spec = spec
        self._keyframes = {key.index: key.image for key in keyframes}
        self._frames: dict[int, np.ndarray] = {}

    def frame(self, index: int) -> np.ndarray:
        if index not in self._frames:
            self._decode(index)
        return to_unit_float(self._frames[index], self._spec.source_layout.bit_depth)

    def keyframe(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        depth = self._spec.source_layout.bit_depth
        return to_unit_float(self._keyframes[index], depth), self.frame(index)

    def _decode(self, index: int) -> None:
        stop = min(index + _DECODE_FRAMES, self._spec.frame_count)
        span = FrameRange(self._first + index, self._first + stop)
        self._frames = dict(enumerate(read_frames(self._path, span), start=index))
