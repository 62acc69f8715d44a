"""Runs a job: plan chunks, run each on the engine, blend overlaps, emit frames in order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from sparkvsr.engines import (
    ChunkKeyframe,
    Engine,
    EngineChunk,
    PreviousFrame,
    check_job_fits_engine,
)
from sparkvsr.errors import EngineError
from sparkvsr.pipeline._inputs import InputBuffer, from_unit_float, to_unit_float
from sparkvsr.specs import FrameRange, InputItem, JobSpec, OutputFrame
from sparkvsr.window_plan import chunk_weights, plan_chunks

# Frames a job may read past the current chunk while it waits for a keyframe image.
LOOKAHEAD_SLACK_FRAMES = 64


def run_job(spec: JobSpec, engine: Engine, items: Iterable[InputItem]) -> Iterator[OutputFrame]:
    """Upscales the job's frames, yielding each as soon as no later chunk can change it.

    Args:
        spec: the job; checked against the engine's rules before any frame is read.
        engine: the engine to run chunks on.
        items: source frames (in order) and keyframe images (anywhere), read lazily.

    Raises:
        InvalidInputError: the spec or an input item breaks a rule; the message names it.
        EngineError: the engine returned something malformed.
    """
    info = engine.info
    check_job_fits_engine(spec, info)
    length = spec.chunk_length or info.chunk_length
    overlap = info.chunk_overlap if spec.chunk_overlap is None else spec.chunk_overlap
    chunks = plan_chunks(spec.frame_count, length, overlap)
    weights = chunk_weights(chunks)
    reach = info.keyframe_reach
    inputs = InputBuffer(spec, items, max_buffered_frames=length + reach + LOOKAHEAD_SLACK_FRAMES)
    pending: dict[int, np.ndarray] = {}
    previous: OutputFrame | None = None
    carried: np.ndarray | None = None
    for i, chunk in enumerate(chunks):
        result = _run_chunk(spec, engine, inputs, chunk, previous, carried)
        following = chunks[i + 1].start if i + 1 < len(chunks) else chunk.stop
        # Kept for the next chunk, which starts inside this one when chunks overlap.
        carried = result[following - chunk.start].copy() if following < chunk.stop else None
        for offset, index in enumerate(range(chunk.start, chunk.stop)):
            weight = weights[i][offset]
            # Frames outside any overlap have weight 1: no arithmetic, no copy.
            weighted = result[offset] if weight == 1.0 else result[offset] * weight
            pending[index] = pending[index] + weighted if index in pending else weighted
        final_before = chunks[i + 1].start if i + 1 < len(chunks) else spec.frame_count
        for index in sorted(k for k in pending if k < final_before):
            image = from_unit_float(pending.pop(index), spec.source_layout.bit_depth)
            previous = OutputFrame(index, image)
            yield previous
        # The last finished frame's source stays: the next chunk gets it with its output.
        inputs.release(frames_before=final_before - 1, keyframes_before=final_before - reach)
    inputs.finish()


def _run_chunk(
    spec: JobSpec,
    engine: Engine,
    inputs: InputBuffer,
    chunk: FrameRange,
    previous: OutputFrame | None,
    carried: np.ndarray | None,
) -> np.ndarray:
    reach = engine.info.keyframe_reach
    depth = spec.source_layout.bit_depth
    frames = np.stack([inputs.frame(index) for index in range(chunk.start, chunk.stop)])
    keyframes = tuple(
        ChunkKeyframe(index - chunk.start, *inputs.keyframe(index))
        for index in spec.keyframe_indices
        if chunk.start - reach <= index < chunk.stop + reach
    )
    before = None
    if previous is not None and previous.index == chunk.start - 1:
        before = PreviousFrame(inputs.frame(previous.index), to_unit_float(previous.image, depth))
    result = engine.upscale_chunk(
        EngineChunk(frames, keyframes, spec.scale, before, chunk.start, carried)
    )
    expected = (len(chunk), *spec.output_layout.shape)
    if result.shape != expected or result.dtype != np.float32:
        raise EngineError(
            f"engine {engine.info.name!r} returned {result.dtype} {result.shape} for chunk "
            f"[{chunk.start}, {chunk.stop}); expected float32 {expected}"
        )
    return result
