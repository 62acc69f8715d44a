"""Where RunWindow outputs are kept: in memory (/dev/shm) where there is one, else in the spool;
within a byte budget, the least recently used out first, its memory reused when nobody reads it."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

logger = logging.getLogger(__name__)

SHARED_MEMORY = Path("/dev/shm")
_PREFIX = "sparkvsr-windows-"
_IOV_MAX = 1024  # buffers one writev may take (Linux, macOS)


class OutputStore:
    """Output files by key. A client reads a file at once after the reply; one evicted while it
    reads stays readable to it (an unlinked file lives while open or mapped)."""

    def __init__(self, spool: Path, budget_bytes: int, shared_memory: Path | None = SHARED_MEMORY):
        base = _memory_base(shared_memory, budget_bytes) or spool
        base.mkdir(parents=True, exist_ok=True)
        _remove_stale(base)
        self.root = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
        self._budget = budget_bytes
        self._used = 0
        self._entries: OrderedDict[str, int] = OrderedDict()  # key -> bytes, oldest use first
        self._spare: Path | None = None  # allocated ahead for the next output, once ready
        self._spare_size = 0  # its bytes (counted in _used from the moment they are reserved)
        self._closed = False
        self._lock = threading.Lock()
        logger.info("window outputs kept in %s (up to %d bytes)", self.root, budget_bytes)

    def lookup(self, key: str) -> Path | None:
        """The stored output for `key` (now the most recently used), or None; one whose file
        went behind the store's back (a cleaner of /dev/shm) is forgotten."""
        with self._lock:
            if key not in self._entries:
                return None
            if not self._path(key).exists():
                self._used -= self._entries.pop(key)
                return None
            self._entries.move_to_end(key)
            return self._path(key)

    def write(self, key: str, frames: Iterable[np.ndarray], size: int, bottom_up: bool) -> Path:
        """Stores `frames` (top-down images, `size` bytes in all) back to back, rows flipped if
        `bottom_up`, making room first; the file appears complete or not at all."""
        path, partial = self._path(key), self._path(key).with_suffix(".partial")
        reused = self._reserve(size, partial)
        try:
            if reused:  # over pages already there: twice as fast as having fresh ones zeroed
                fd = os.open(partial, os.O_WRONLY)
            else:  # a new file, never one that a client may still have mapped
                partial.unlink(missing_ok=True)
                fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                written = 0
                for image in frames:
                    written += _write_rows(fd, image[::-1] if bottom_up else image)
            finally:
                os.close(fd)
            if written != size:
                raise RuntimeError(f"window output of {written} bytes, {size} expected")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            with self._lock:
                self._used -= size
            raise
        with self._lock:
            self._entries[key] = size
        return path

    def prepare_spare(self, size: int) -> None:
        """Allocates memory for a next output of `size` bytes ahead of time, where the budget
        has room free (nothing is evicted for it): the next write of that size goes over it.
        For a moment when nobody waits, as after a reply; where the system cannot allocate a
        file ahead (no posix_fallocate), nothing."""
        spare = self.root / "spare.partial"
        with self._lock:
            if not hasattr(os, "posix_fallocate") or self._spare_size or self._closed:
                return
            if self._used + size > self._budget:
                return
            self._used += size
            self._spare_size = size
        try:
            fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, size)
            finally:
                os.close(fd)
        except OSError:  # no room after all, or the store was closed meanwhile
            spare.unlink(missing_ok=True)
            with self._lock:
                self._used -= size
                self._spare_size = 0
            return
        with self._lock:
            if not self._closed:
                self._spare = spare
                return
        shutil.rmtree(self.root, ignore_errors=True)  # closed while it was made: it goes too

    def close(self) -> None:
        """Removes every stored output (memory is not freed until the files go)."""
        with self._lock:
            self._closed = True
        shutil.rmtree(self.root, ignore_errors=True)

    def _reserve(self, size: int, partial: Path) -> bool:
        """Makes room for `size` bytes; returns whether memory of that size lies at `partial`,
        ready to be written over: the spare, or an evicted output that nobody reads."""
        reused = False
        with self._lock:
            if self._spare is not None and self._spare_size == size:
                if self._take_spare(partial):
                    return True  # its room is counted already
            while self._used + size > self._budget and (self._spare is not None or self._entries):
                if self._spare is not None:  # one of another size goes before any output
                    self._drop_spare()
                    continue
                old, old_size = self._entries.popitem(last=False)
                self._used -= old_size
                if reused or old_size != size or not _take_unread(self._path(old), partial):
                    self._path(old).unlink(missing_ok=True)
                else:
                    reused = True
            self._used += size
        return reused

    def _take_spare(self, partial: Path) -> bool:
        """(Under the lock.) Moves the ready spare to `partial`."""
        spare, size = self._spare, self._spare_size
        self._spare, self._spare_size = None, 0
        try:
            os.replace(spare, partial)
        except OSError:  # gone meanwhile (the store closed, or /dev/shm was cleaned)
            self._used -= size
            return False
        return True

    def _drop_spare(self) -> None:
        """(Under the lock.) Frees the ready spare's memory and room."""
        self._spare.unlink(missing_ok=True)
        self._used -= self._spare_size
        self._spare, self._spare_size = None, 0

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.raw"


def _take_unread(path: Path, target: Path) -> bool:
    """Moves `path` to `target` if no process has it open or mapped. Renamed first, so nobody
    can open it any more; then a write lease, which the kernel grants only to the sole opener
    (Linux; elsewhere nothing is reused)."""
    if not hasattr(fcntl, "F_SETLEASE"):  # also when fcntl is None
        return False
    try:
        os.replace(path, target)
    except OSError:
        return False
    try:
        fd = os.open(target, os.O_RDONLY)
    except OSError:  # unknown whether someone reads it: never written over
        target.unlink(missing_ok=True)
        return False
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return True
    except OSError:  # a client still reads it: it keeps those pages, the caller drops the name
        target.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)


def _write_rows(fd: int, image: np.ndarray) -> int:
    """Appends the image's rows in order straight from its memory (a flipped view is written
    without a contiguous copy of it); returns the bytes written."""
    if not image[0].flags.c_contiguous:
        image = np.ascontiguousarray(image)
    if hasattr(os, "writev"):
        rows = [memoryview(row).cast("B") for row in image]
    else:  # Windows: one contiguous copy
        rows = [memoryview(np.ascontiguousarray(image)).cast("B")]
    total = sum(row.nbytes for row in rows)
    while rows:
        _write_some(fd, rows)
    return total


def _write_some(fd: int, rows: list[memoryview]) -> None:
    """One write of up to _IOV_MAX rows; drops what it wrote from `rows` (a short write leaves
    the rest of a row)."""
    left = os.writev(fd, rows[:_IOV_MAX]) if hasattr(os, "writev") else os.write(fd, rows[0])
    if left == 0:
        raise OSError("no room left to write the window output")
    while rows and left >= rows[0].nbytes:
        left -= rows.pop(0).nbytes
    if left:
        rows[0] = rows[0][left:]


def _memory_base(shared_memory: Path | None, budget_bytes: int) -> Path | None:
    """Shared memory, if it is there, writable, and has room for the budget."""
    if shared_memory is None or not os.access(shared_memory, os.W_OK | os.X_OK):
        return None
    stats = os.statvfs(shared_memory)
    return shared_memory if stats.f_bavail * stats.f_frsize >= budget_bytes else None


def _remove_stale(base: Path) -> None:
    """Folders left by servers that died without cleaning up (named by their process id)."""
    for folder in base.glob(f"{_PREFIX}*"):
        pid = folder.name.removeprefix(_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True
