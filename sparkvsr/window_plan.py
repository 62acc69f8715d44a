"""Pure window planning, below the pipeline and the engines: which frames each engine chunk
covers and how overlaps are blended."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import overload

import numpy as np

from sparkvsr.specs import FrameRange


class ChunkPlan(Sequence[FrameRange]):
    """Chunks of exactly `length` frames (fewer only if the clip is shorter) covering
    [0, frame_count), overlapping by at least `overlap`, spread evenly so the last chunk is never
    short. Computed on demand: its size does not grow with the clip."""

    def __init__(self, frame_count: int, length: int, overlap: int):
        if length < 1 or not 0 <= overlap < length:
            raise ValueError(f"need 0 <= overlap < length, got length={length}, overlap={overlap}")
        self.frame_count, self.length = frame_count, length
        # Fewest chunks whose stride stays within length - overlap.
        spare = max(0, frame_count - length)
        self._gaps = math.ceil(spare / (length - overlap))

    def __len__(self) -> int:
        return self._gaps + 1

    @overload
    def __getitem__(self, i: int) -> FrameRange: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[FrameRange, ...]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"chunk {i} of {len(self)}")
        if self._gaps == 0:
            return FrameRange(0, min(self.frame_count, self.length))
        start = round(i * (self.frame_count - self.length) / self._gaps)
        return FrameRange(start, start + self.length)


def plan_chunks(frame_count: int, length: int, overlap: int) -> tuple[FrameRange, ...]:
    """All chunks of ChunkPlan(frame_count, length, overlap), as a tuple."""
    return tuple(ChunkPlan(frame_count, length, overlap))


def _ramp(width: int, rising: bool) -> np.ndarray:
    # Raised cosine over `width` frames; a rising and a falling ramp of equal width sum to 1.
    position = np.arange(1, width + 1, dtype=np.float64) / (width + 1)
    up = 0.5 - 0.5 * np.cos(np.pi * position)
    return up if rising else up[::-1]


def _window(chunks: Sequence[FrameRange], i: int) -> np.ndarray:
    """Chunk i's unnormalised weights: ramps across the overlaps with its neighbours."""
    chunk = chunks[i]
    window = np.ones(len(chunk), dtype=np.float64)
    if i > 0:
        head = max(0, chunks[i - 1].stop - chunk.start)
        window[:head] *= _ramp(head, rising=True)
    if i + 1 < len(chunks):
        tail = max(0, chunk.stop - chunks[i + 1].start)
        window[len(chunk) - tail :] *= _ramp(tail, rising=False)
    return window


def weights_of_chunk(chunks: Sequence[FrameRange], i: int) -> np.ndarray:
    """Per-frame blend weights of chunk i, normalised over every chunk covering its frames (so
    each frame's weights sum to exactly 1); reads only the chunks that overlap it."""
    chunk = chunks[i]
    total = np.zeros(len(chunk), dtype=np.float64)
    for j in _overlapping(chunks, i):
        other = chunks[j]
        lo, hi = max(chunk.start, other.start), min(chunk.stop, other.stop)
        total[lo - chunk.start : hi - chunk.start] += _window(chunks, j)[
            lo - other.start : hi - other.start
        ]
    return (_window(chunks, i) / total).astype(np.float32)


def _overlapping(chunks: Sequence[FrameRange], i: int) -> list[int]:
    found = [i]
    j = i - 1
    while j >= 0 and chunks[j].stop > chunks[i].start:
        found.append(j)
        j -= 1
    j = i + 1
    while j < len(chunks) and chunks[j].start < chunks[i].stop:
        found.append(j)
        j += 1
    return found


def chunk_weights(chunks: Sequence[FrameRange]) -> tuple[np.ndarray, ...]:
    """Per-frame blend weights of each chunk: smooth across each overlap, summing to 1 per frame."""
    return tuple(weights_of_chunk(chunks, i) for i in range(len(chunks)))
