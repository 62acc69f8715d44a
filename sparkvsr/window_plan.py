"""Pure window planning, below the pipeline and the engines: which frames each engine chunk
covers and how overlaps are blended."""

from __future__ import annotations

import math

import numpy as np

from sparkvsr.specs import FrameRange


def plan_chunks(frame_count: int, length: int, overlap: int) -> tuple[FrameRange, ...]:
    """Splits [0, frame_count) into chunks of exactly `length` frames (fewer only if the clip is
    shorter), overlapping by at least `overlap`, spread evenly so the last chunk is never short."""
    if length < 1 or not 0 <= overlap < length:
        raise ValueError(f"need 0 <= overlap < length, got length={length}, overlap={overlap}")
    if frame_count <= length:
        return (FrameRange(0, frame_count),)
    # Fewest chunks whose stride stays within length - overlap.
    gaps = math.ceil((frame_count - length) / (length - overlap))
    starts = [round(i * (frame_count - length) / gaps) for i in range(gaps + 1)]
    return tuple(FrameRange(start, start + length) for start in starts)


def _ramp(width: int, rising: bool) -> np.ndarray:
    # Raised cosine over `width` frames; a rising and a falling ramp of equal width sum to 1.
    position = np.arange(1, width + 1, dtype=np.float64) / (width + 1)
    up = 0.5 - 0.5 * np.cos(np.pi * position)
    return up if rising else up[::-1]


def chunk_weights(chunks: tuple[FrameRange, ...]) -> tuple[np.ndarray, ...]:
    """Per-frame blend weights of each chunk: smooth across each overlap, summing to 1 per frame."""
    windows = []
    for i, chunk in enumerate(chunks):
        window = np.ones(len(chunk), dtype=np.float64)
        if i > 0:
            head = max(0, chunks[i - 1].stop - chunk.start)
            window[:head] *= _ramp(head, rising=True)
        if i + 1 < len(chunks):
            tail = max(0, chunk.stop - chunks[i + 1].start)
            window[len(chunk) - tail :] *= _ramp(tail, rising=False)
        windows.append(window)
    # Normalise so any coverage (two chunks or more) sums to exactly 1.
    total = np.zeros(chunks[-1].stop, dtype=np.float64)
    for chunk, window in zip(chunks, windows):
        total[chunk.start : chunk.stop] += window
    return tuple(
        (window / total[chunk.start : chunk.stop]).astype(np.float32)
        for chunk, window in zip(chunks, windows)
    )
