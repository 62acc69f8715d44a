"""Pure window planning, below the pipeline and the engines: which frames each engine window
covers, its keyframes, seed and blend weights, and which windows must run after which. The one
plan every way of running (in process, several GPUs, farm tasks) distributes."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from sparkvsr.specs import FrameRange, JobSpec


class EngineRules(Protocol):
    """The parts of an engine's rules (sparkvsr.engines.EngineInfo) the plan reads; the plan sits
    below the engines, so it names them without importing them."""

    chunk_length: int
    chunk_overlap: int
    keyframe_reach: int
    min_keyframe_gap: int
    window_dependency: str


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


@dataclass(frozen=True)
class Window:
    """One engine window of a clip: the unit every worker, GPU and farm task runs."""

    index: int
    """Position in the clip's plan (0 = first)."""
    frames: FrameRange
    """The job's frames it upscales."""
    keyframes: tuple[int, ...]
    """The job's keyframe indices within the engine's reach of these frames."""
    seed: int
    """From the job's seed and the window's index, so any worker reproduces it."""
    weights: np.ndarray = field(repr=False, compare=False)
    """Blend weight of each of its frames (float32; 1 where no other window covers a frame)."""
    depends_on: tuple[int, ...] = ()
    """Earlier windows whose output it continues (empty = independent): the ones covering the
    frame before it. They run before it, on the same worker."""


def window_length(spec: JobSpec, info: EngineRules) -> int:
    """Frames per window: the job's choice, else the engine's."""
    return spec.chunk_length or info.chunk_length


def window_overlap(spec: JobSpec, info: EngineRules) -> int:
    """Frames neighbouring windows share: the job's choice, else the engine's."""
    return info.chunk_overlap if spec.chunk_overlap is None else spec.chunk_overlap


def plan_windows(spec: JobSpec, info: EngineRules, seed: int = 0) -> tuple[Window, ...]:
    """The clip's windows, their keyframes, seeds, blend weights and dependencies.

    Args:
        spec: the job (frames, keyframes, chunk length and overlap).
        info: the engine's rules (EngineInfo): default chunking, keyframe reach, dependency.
        seed: the job's seed.
    """
    chunks = plan_chunks(spec.frame_count, window_length(spec, info), window_overlap(spec, info))
    keys, reach = spec.keyframe_indices, info.keyframe_reach
    return tuple(
        Window(
            index=i,
            frames=chunk,
            keyframes=tuple(k for k in keys if chunk.start - reach <= k < chunk.stop + reach),
            seed=window_seed(seed, i),
            weights=weights,
            depends_on=_depends_on(i, chunks, keys, info.window_dependency),
        )
        for i, (chunk, weights) in enumerate(zip(chunks, chunk_weights(chunks)))
    )


def window_seed(job_seed: int, index: int) -> int:
    """A 31-bit seed for window `index`, the same in every process (unlike Python's hash)."""
    digest = hashlib.blake2b(f"{job_seed}:{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


def _depends_on(
    i: int, chunks: tuple[FrameRange, ...], keys: tuple[int, ...], rule: str
) -> tuple[int, ...]:
    chunk = chunks[i]
    if i == 0 or rule == "none":
        return ()
    if rule == "until_keyframe_on_first_frame" and chunk.start in keys:
        return ()
    if rule == "without_keyframe_inside" and (
        any(k in chunk for k in keys) or chunks[i - 1].stop <= chunk.start
    ):
        return ()
    # The finished frame before this window blends every window covering it.
    return tuple(j for j in range(i) if chunks[j].stop >= chunk.start)


def window_chains(windows: tuple[Window, ...]) -> tuple[tuple[int, ...], ...]:
    """Runs of consecutive windows linked by dependencies: each runs in order on one worker;
    different chains run anywhere, in any order."""
    chains: list[list[int]] = []
    for window in windows:
        if window.depends_on and chains:
            chains[-1].append(window.index)
        else:
            chains.append([window.index])
    return tuple(tuple(chain) for chain in chains)


def window_groups(windows: tuple[Window, ...], per_group: int) -> tuple[tuple[int, ...], ...]:
    """Whole chains packed in order into groups of about `per_group` windows (a longer chain is
    a group of its own): the tasks of a farm job."""
    if per_group < 1:
        raise ValueError(f"per_group must be at least 1, got {per_group}")
    groups: list[list[int]] = []
    for chain in window_chains(windows):
        if groups and len(groups[-1]) + len(chain) <= per_group:
            groups[-1].extend(chain)
        else:
            groups.append(list(chain))
    return tuple(tuple(group) for group in groups)


def keyframes_for_independence(spec: JobSpec, info: EngineRules) -> tuple[int, ...]:
    """Frames to make keyframes so that every window is independent (`--keyframe-every-chunk`):
    one per window that would depend on its predecessor, placed where the engine's rule needs it
    (first frame, or the middle) and as far from other keyframes as the engine requires. A window
    where the spacing rule leaves no room stays dependent."""
    chosen = set(spec.keyframe_indices)
    length, overlap = window_length(spec, info), window_overlap(spec, info)
    chunks = plan_chunks(spec.frame_count, length, overlap)
    for i, chunk in enumerate(chunks):
        if not _depends_on(i, chunks, tuple(sorted(chosen)), info.window_dependency):
            continue
        if info.window_dependency == "until_keyframe_on_first_frame":
            candidates = [chunk.start]
        else:
            middle = (chunk.start + chunk.stop - 1) // 2
            candidates = sorted(range(chunk.start, chunk.stop), key=lambda f: abs(f - middle))
        for frame in candidates:
            if all(abs(frame - other) >= info.min_keyframe_gap for other in chosen):
                chosen.add(frame)
                break
    return tuple(sorted(chosen - set(spec.keyframe_indices)))
