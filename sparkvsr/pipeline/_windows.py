"""Engine windows, run once: a key made of everything a window's output depends on, a store that
stands in for running a window again (resume after a crash, re-render after an edit), and the
retry with less device memory after an out-of-memory error."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import astuple
from typing import Protocol

import numpy as np

from sparkvsr.content_key import ContentKey
from sparkvsr.engines import Engine, EngineChunk, EngineInfo
from sparkvsr.errors import DeviceOutOfMemoryError, EngineError
from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float

logger = logging.getLogger(__name__)

Report = Callable[[str], None]
"""Told what the job is doing, in words, when that changes (a window reused, a retry)."""

StoredWindow = Mapping[str, np.ndarray]
"""A window's output as stored: "shared" (float32, the frames blended with a neighbour, first
ones then last ones) and "alone" (the frames no other window covers, at the output bit depth:
they reach the output unchanged, so storing them quantized loses nothing)."""


class WindowCache(Protocol):
    """Finished windows by key; `load` gives None for a key it does not hold."""

    def load(self, key: str) -> StoredWindow | None: ...

    def save(self, key: str, window: StoredWindow) -> None: ...


def window_key(
    info: EngineInfo, identity: str, chunk: EngineChunk, overlap: int, bit_depth: int
) -> str:
    """The key of running `chunk` on the engine of rules `info` and `identity`.

    It covers the engine's rules, settings and weights (Engine.output_identity), the scale and
    chunking, the output bit depth, the chunk's position (engines seed by it), its source
    frames, its keyframes (both resolutions) and, for a window that depends on the one before
    it (the engine's `window_dependency`), the state carried from there (the previous finished
    frame and the carried output, which only such windows get): equal keys mean equal outputs,
    so reuse is exact.
    """
    settings = (astuple(info), chunk.scale, overlap, bit_depth, chunk.start)
    frames = np.ascontiguousarray(chunk.frames)
    key = ContentKey(repr((settings, frames.shape, frames.dtype.str, identity)))
    key.add_frames(frames)
    for keyframe in chunk.keyframes:
        key.add(f"keyframe {keyframe.offset}").add(keyframe.hr).add(keyframe.lr)
    if chunk.previous is not None:
        key.add("previous").add(chunk.previous.lr).add(chunk.previous.output)
    if chunk.carried_output is not None:
        key.add("carried").add(chunk.carried_output)
    return key.hexdigest(40)


def pack_window(result: np.ndarray, shared: tuple[int, int], bit_depth: int) -> StoredWindow:
    head, tail = shared
    alone = slice(head, len(result) - tail)
    return {
        "shared": np.concatenate([result[:head], result[len(result) - tail :]]),
        "alone": from_unit_float(result[alone], bit_depth),
    }


def unpack_window(window: StoredWindow, shared: tuple[int, int], bit_depth: int) -> np.ndarray:
    head = shared[0]
    blended = window["shared"]
    alone = to_unit_float(window["alone"], bit_depth)
    return np.concatenate([blended[:head], alone, blended[head:]])


class WindowRunner:
    """Runs a job's windows, on any engine and thread: from the store when it holds one, else on
    the engine, retrying with less device memory after an out-of-memory error; every window run
    is stored."""

    def __init__(
        self, windows: WindowCache | None = None, report: Report | None = None, total: int = 0
    ):
        self._windows, self._total = windows, total
        self._report = report or (lambda stage: None)
        self._lock = threading.Lock()
        self.reused = 0

    def run(
        self,
        engine: Engine,
        chunk: EngineChunk,
        shared: tuple[int, int],
        overlap: int,
        bit_depth: int,
    ) -> np.ndarray:
        """The window's output; `shared` = how many of its first and last frames it blends
        with its neighbours."""
        if self._windows is None:
            return self._run_engine(engine, chunk)
        identity = engine.output_identity(chunk)
        key = window_key(engine.info, identity, chunk, overlap, bit_depth)
        stored = self._windows.load(key)
        if stored is not None:
            result = unpack_window(stored, shared, bit_depth)
            if result.shape == _expected(chunk):
                with self._lock:
                    self.reused += 1
                    stage = f"reused {self.reused} of {self._total} windows"
                logger.info("window at frame %d reused from the window store", chunk.start)
                self._report(stage)
                return result
        result = self._run_engine(engine, chunk)
        ran_as = engine.output_identity(chunk)
        if ran_as != identity:  # an out-of-memory retry cut it into smaller tiles
            key = window_key(engine.info, ran_as, chunk, overlap, bit_depth)
        self._windows.save(key, pack_window(result, shared, bit_depth))
        return result

    def _run_engine(self, engine: Engine, chunk: EngineChunk) -> np.ndarray:
        while True:
            try:
                result = engine.upscale_chunk(chunk)
                break
            except DeviceOutOfMemoryError as error:
                lower = engine.use_less_memory()
                if lower is None:
                    raise
                message = f"out of device memory at frame {chunk.start}; retrying with {lower}"
                logger.warning("%s (%s)", message, error)
                self._report(message)
        expected = _expected(chunk)
        if result.shape != expected or result.dtype != np.float32:
            raise EngineError(
                f"engine {engine.info.name!r} returned {result.dtype} {result.shape} for "
                f"chunk [{chunk.start}, {chunk.start + len(chunk.frames)}); expected float32 "
                f"{expected}"
            )
        return result


def _expected(chunk: EngineChunk) -> tuple[int, ...]:
    count, height, width, channels = chunk.frames.shape
    return (count, height * chunk.scale, width * chunk.scale, channels)
