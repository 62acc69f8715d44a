"""Window keys: a digest of everything an engine window's output depends on, so a stored output
can stand in for running the window again (resume after a crash, re-render after an edit)."""

from __future__ import annotations

import hashlib
from dataclasses import astuple
from typing import Protocol

import numpy as np

from sparkvsr.engines import EngineChunk, EngineInfo


class WindowCache(Protocol):
    """Finished window outputs by key; `load` gives None for a key it does not hold."""

    def load(self, key: str) -> np.ndarray | None: ...

    def save(self, key: str, output: np.ndarray) -> None: ...


def window_key(info: EngineInfo, chunk: EngineChunk, overlap: int) -> str:
    """The key of running `chunk` on the engine `info` describes.

    It covers the engine and its settings, the scale and chunking, the chunk's position (engines
    seed by it), its source frames, its keyframes (both resolutions) and, for engines that read
    them, the state carried from the chunk before (the previous finished frame and the carried
    output): equal keys mean equal outputs, so reuse is exact.
    """
    digest = hashlib.blake2b(digest_size=20)
    settings = (astuple(info), chunk.scale, overlap, chunk.start, chunk.frames.shape)
    digest.update(repr(settings).encode())
    _add(digest, chunk.frames)
    for keyframe in chunk.keyframes:
        digest.update(f"keyframe {keyframe.offset}".encode())
        _add(digest, keyframe.hr)
        _add(digest, keyframe.lr)
    if info.reads_previous_output:
        if chunk.previous is not None:
            digest.update(b"previous")
            _add(digest, chunk.previous.lr)
            _add(digest, chunk.previous.output)
        if chunk.carried_output is not None:
            digest.update(b"carried")
            _add(digest, chunk.carried_output)
    return digest.hexdigest()


def _add(digest, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array)
    digest.update(f"{array.dtype.str}{array.shape}".encode())
    digest.update(memoryview(array).cast("B"))
