"""Pure window planning, below the pipeline and the engines: which frames each engine window
covers, its keyframes, seed and blend weights, and which windows must run after which. The one
plan every way of running (in process, several GPUs, farm tasks) distributes."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, TypeVar, overload

import numpy as np

from sparkvsr.specs import FrameRange, JobSpec

T = TypeVar("T")


class EngineRules(Protocol):
    """The parts of an engine's rules (sparkvsr.engines.EngineInfo) the plan reads; the plan sits
    below the engines, so it names them without importing them."""

    chunk_length: int
    chunk_overlap: int
    keyframe_reach: int
    min_keyframe_gap: int
    window_dependency: str


class _LazySequence(Sequence[T]):
    """A sequence whose items are made on demand by `_at(i)` (0 <= i < len): plans of huge
    clips cost nothing until read."""

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"item {i} of {len(self)}")
        return self._at(i)

    def _at(self, i: int) -> T:
        raise NotImplementedError


class ChunkPlan(_LazySequence[FrameRange]):
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

    def _at(self, i: int) -> FrameRange:
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
    shared: tuple[int, int] = (0, 0)
    """How many of its first and last frames it blends with its neighbours."""


def window_length(spec: JobSpec, info: EngineRules) -> int:
    """Frames per window: the job's choice, else the engine's."""
    return spec.chunk_length or info.chunk_length


def window_overlap(spec: JobSpec, info: EngineRules) -> int:
    """Frames neighbouring windows share: the job's choice, else the engine's."""
    return info.chunk_overlap if spec.chunk_overlap is None else spec.chunk_overlap


class WindowPlan(_LazySequence["Window"]):
    """The clip's windows, made on demand from a lazy ChunkPlan: a plan of any length costs
    the same memory before its frames arrive."""

    def __init__(self, spec: JobSpec, info: EngineRules, seed: int = 0):
        self.chunks = ChunkPlan(
            spec.frame_count, window_length(spec, info), window_overlap(spec, info)
        )
        self._keys, self._reach = spec.keyframe_indices, info.keyframe_reach
        self._rule, self._seed = info.window_dependency, seed
        # The assembler and bisection revisit the same few windows: keep them made.
        self._made = lru_cache(maxsize=256)(self._make)

    def __len__(self) -> int:
        return len(self.chunks)

    def _at(self, i: int) -> Window:
        return self._made(i)

    def _make(self, i: int) -> Window:
        chunks, chunk, reach = self.chunks, self.chunks[i], self._reach
        head = max(0, chunks[i - 1].stop - chunk.start) if i > 0 else 0
        tail = max(0, chunk.stop - chunks[i + 1].start) if i + 1 < len(chunks) else 0
        return Window(
            index=i,
            frames=chunk,
            keyframes=tuple(k for k in self._keys if chunk.start - reach <= k < chunk.stop + reach),
            seed=window_seed(self._seed, i),
            weights=weights_of_chunk(chunks, i),
            depends_on=_depends_on(i, chunks, self._keys, self._rule),
            shared=(head, tail),
        )


def plan_windows(spec: JobSpec, info: EngineRules, seed: int = 0) -> WindowPlan:
    """The clip's windows, their keyframes, seeds, blend weights and dependencies.

    Args:
        spec: the job (frames, keyframes, chunk length and overlap).
        info: the engine's rules (EngineInfo): default chunking, keyframe reach, dependency.
        seed: the job's seed.
    """
    return WindowPlan(spec, info, seed)


def window_seed(job_seed: int, index: int) -> int:
    """A 31-bit seed for window `index`, the same in every process (unlike Python's hash)."""
    digest = hashlib.blake2b(f"{job_seed}:{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


def _depends_on(
    i: int, chunks: Sequence[FrameRange], keys: tuple[int, ...], rule: str
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
    # The finished frame before this window blends every window covering it (chunks are
    # sorted, so those are the last ones before it).
    found, j = [], i - 1
    while j >= 0 and chunks[j].stop >= chunk.start:
        found.append(j)
        j -= 1
    return tuple(reversed(found))


def window_chains(windows: Sequence[Window]) -> tuple[tuple[int, ...], ...]:
    """Runs of consecutive windows linked by dependencies: each runs in order on one worker;
    different chains run anywhere, in any order."""
    chains: list[list[int]] = []
    for window in windows:
        if window.depends_on and chains:
            chains[-1].append(window.index)
        else:
            chains.append([window.index])
    return tuple(tuple(chain) for chain in chains)


def window_groups(windows: Sequence[Window], per_group: int) -> tuple[tuple[int, ...], ...]:
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
    chunks = ChunkPlan(spec.frame_count, length, overlap)
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
