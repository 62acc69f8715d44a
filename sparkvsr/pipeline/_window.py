"""One window on an engine, and the blend of finished frames: the two pieces every way of running
a job (in process, several GPUs, farm tasks) shares, so they all produce the same bytes."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from sparkvsr.engines import ChunkKeyframe, Engine, EngineChunk, PreviousFrame
from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float
from sparkvsr.pipeline._windows import WindowRunner
from sparkvsr.specs import JobSpec
from sparkvsr.window_plan import Window, window_overlap

WindowOutput = np.ndarray
"""A window's frames, (T, H*s, W*s, C) float32 in [0, 1], as the engine returned them (or as a
stored window unpacks: the same values)."""


class WindowSource(Protocol):
    """Where a window's inputs come from: a streamed job's buffer, or media on shared storage."""

    def frame(self, index: int) -> np.ndarray:
        """Source frame `index` of the job as float32 in [0, 1]."""

    def keyframe(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(HR image, LR source frame) of keyframe `index` as float32 in [0, 1]."""


def run_window(
    spec: JobSpec,
    engine: Engine,
    plan: Sequence[Window],
    index: int,
    source: WindowSource,
    outputs: Mapping[int, WindowOutput],
    runner: WindowRunner | None = None,
) -> np.ndarray:
    """The engine's output for window `index` of `plan`: (T, H*s, W*s, C) float32.

    Args:
        outputs: the outputs of (at least) the windows it depends on, by window index.
        runner: the job's window store and out-of-memory retry (None = neither).

    Raises:
        EngineError: the engine returned something malformed, or failed.
    """
    window = plan[index]
    chunk = window.frames
    frames = np.stack([source.frame(i) for i in range(chunk.start, chunk.stop)])
    keyframes = tuple(
        ChunkKeyframe(key - chunk.start, *source.keyframe(key)) for key in window.keyframes
    )
    previous, carried = None, None
    if window.depends_on:
        finished = blend_frame(spec, plan, outputs, chunk.start - 1)
        depth = spec.source_layout.depth
        previous = PreviousFrame(source.frame(chunk.start - 1), to_unit_float(finished, depth))
        carried = _carried(plan[index - 1], window, outputs[index - 1])
    chunk_input = EngineChunk(
        frames, keyframes, spec.scale, previous, chunk.start, carried, window.seed
    )
    overlap = window_overlap(spec, engine.info)
    return (runner or WindowRunner()).run(
        engine, chunk_input, window.shared, overlap, spec.source_layout.depth
    )


def _carried(previous: Window, window: Window, output: WindowOutput) -> np.ndarray | None:
    """The previous window's own output of this window's first frame, where they overlap."""
    offset = window.frames.start - previous.frames.start
    return np.array(output[offset], dtype=np.float32) if offset < len(output) else None


def covering(plan: Sequence[Window], index: int) -> range:
    """Indices of the windows that cover job frame `index` (consecutive: windows are sorted)."""
    last = bisect.bisect_right(plan, index, key=lambda window: window.frames.start) - 1
    first = last
    while first > 0 and plan[first - 1].frames.stop > index:
        first -= 1
    return range(first, last + 1)


def blend_frame(
    spec: JobSpec, plan: Sequence[Window], outputs: Mapping[int, WindowOutput], index: int
) -> np.ndarray:
    """Finished frame `index` (the output's integer type): the weighted sum of the outputs of
    the windows covering it, added in window order."""
    total = None
    for i in covering(plan, index):
        offset = index - plan[i].frames.start
        image, weight = outputs[i][offset], plan[i].weights[offset]
        # Frames outside any overlap have weight 1: no arithmetic, no copy.
        weighted = image if weight == 1.0 else image * weight
        total = weighted if total is None else total + weighted
    return from_unit_float(total, spec.source_layout.depth)
