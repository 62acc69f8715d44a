"""Content keys: one digest over what a result depends on (settings, frames, files), the same on
every machine and in every process, so equal keys mean results that can be reused."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

_BLOCK = 1 << 20


class ContentKey:
    """A running digest (SHA-256). Each part is framed by its kind and length, so different
    sequences of parts never give the same key."""

    def __init__(self, *parts):
        self._digest = hashlib.sha256()
        for part in parts:
            self.add(part)

    def add(self, value) -> ContentKey:
        """Adds bytes, a numpy array (its dtype, shape and samples) or anything JSON can write
        (dicts in key order); returns self."""
        if isinstance(value, bytes | bytearray | memoryview):
            self._part(b"b", bytes(value))
        elif isinstance(value, np.ndarray):
            self._part(b"a", f"{value.dtype.str}{value.shape}".encode())
            self._part(b"d", np.ascontiguousarray(value).data)
        else:
            self._part(b"j", json.dumps(value, sort_keys=True, default=str).encode())
        return self

    def add_frames(self, frames) -> ContentKey:
        """Adds a sequence of frames (arrays or buffers) hashed side by side on several cores
        (hashlib releases the GIL): a window of 4K frames is hundreds of MB."""
        digests = _pool().map(lambda frame: hashlib.sha256(frame).digest(), frames)
        self._part(b"f", b"".join(digests))
        return self

    def add_file(self, path: str | os.PathLike) -> ContentKey:
        """Adds a file's bytes (read in blocks). Raises OSError when it cannot be read."""
        file_digest = hashlib.sha256()
        with open(path, "rb") as file:
            while block := file.read(_BLOCK):
                file_digest.update(block)
        self._part(b"F", file_digest.digest())
        return self

    def hexdigest(self, length: int = 64) -> str:
        """The key as hex, cut to `length` characters (a shorter one for file names)."""
        return self._digest.hexdigest()[:length]

    def _part(self, kind: bytes, data) -> None:
        data = memoryview(data).cast("B")
        self._digest.update(kind + len(data).to_bytes(8, "little"))
        self._digest.update(data)


def each_frame_key(frames) -> list[str]:
    """The key of each frame alone (ContentKey(frame)), the frames hashed side by side on
    several cores: a window's frames, each looked up by itself."""
    return list(_pool().map(lambda frame: ContentKey(frame).hexdigest(), frames))


def file_key(path: str | os.PathLike) -> str:
    """The key of one file's content."""
    return ContentKey().add_file(path).hexdigest()


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1), thread_name_prefix="hash")
