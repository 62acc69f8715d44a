"""The folder a server keeps its jobs and caches in: one server at a time (a lock), a temporary
one removed at shutdown, and what dead servers left behind collected on opening."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from sparkvsr.atomic import remove_leftovers
from sparkvsr.errors import InvalidInputError, ResourceExhaustedError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

logger = logging.getLogger(__name__)

_LOCK = "server.lock"
_TEMPORARY_PREFIX = "sparkvsr-jobs-"
# A temporary spool younger than this may be one a starting server has not locked yet.
_STARTING_S = 60.0


class Spool:
    """An open spool folder, locked for this process until `close`."""

    def __init__(self, root: Path, *, temporary: bool, budget_bytes: int | None = None):
        self.root = root
        self.temporary = temporary
        """Removed at `close`: a server without a spool folder keeps nothing."""
        self.budget_bytes = budget_bytes or shutil.disk_usage(root).free // 2
        """Most bytes the jobs kept here may take (ServerConfig.max_spool_bytes)."""
        try:
            self._lock = _lock(root)
        except OSError as error:  # a read-only folder, another user's
            raise _unusable(root, error) from None
        if self._lock is None:
            raise InvalidInputError(
                f"another server keeps its jobs in {root} ({_holder(root)}); stop it, or give "
                "this one another --spool-dir"
            )
        remove_leftovers(root, recursive=True)

    @classmethod
    def open(cls, folder: str | os.PathLike | None, budget_bytes: int | None = None) -> Spool:
        """`folder` (made if needed), or a fresh temporary folder when None; temporary folders
        of servers that died are removed first. `budget_bytes` None = half the free space."""
        if folder is not None:
            root = Path(folder)
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise _unusable(root, error) from None
            return cls(root, temporary=False, budget_bytes=budget_bytes)
        _remove_dead_temporary_spools(Path(tempfile.gettempdir()))
        root = Path(tempfile.mkdtemp(prefix=_TEMPORARY_PREFIX))
        return cls(root, temporary=True, budget_bytes=budget_bytes)

    def check_room(self, needed: int, held: int) -> None:
        """Raises ResourceExhaustedError, saying why, unless a job needing `needed` bytes fits
        in the budget beside the `held` bytes of the jobs kept."""
        if held + needed > self.budget_bytes:
            raise ResourceExhaustedError(
                f"the job needs about {_mib(needed)} of the server's job store, which keeps at "
                f"most {_mib(self.budget_bytes)} (max_spool_bytes) and holds {_mib(held)} of "
                "other jobs; try again when they are collected, or send a shorter job"
            )

    def close(self) -> None:
        """Releases the folder (and removes it, if temporary)."""
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()  # closing the file releases its lock
            self._lock = None


def _unusable(root: Path, error: OSError) -> InvalidInputError:
    return InvalidInputError(
        f"cannot keep jobs in {root}: {error.strerror or error}; give another --spool-dir"
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def _lock(root: Path):
    """The open lock file of `root`, locked for this process; None when another holds it."""
    file = open(root / _LOCK, "a+")  # noqa: SIM115 - held open for the server's life
    try:
        if fcntl is not None:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            file.seek(0)
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        file.close()
        return None
    file.seek(0)
    file.truncate()
    file.write(f"{os.getpid()}\n")
    file.flush()
    return file


def _holder(root: Path) -> str:
    try:
        pid = (root / _LOCK).read_text().split()[0]
    except (OSError, IndexError):
        return "its process id is unknown"
    return f"process {pid}"


def _remove_dead_temporary_spools(base: Path) -> None:
    """Temporary spools whose server died (their lock is free), however it died."""
    for folder in base.glob(f"{_TEMPORARY_PREFIX}*"):
        try:
            if not folder.is_dir() or time.time() - folder.stat().st_mtime < _STARTING_S:
                continue
            lock = _lock(folder)
        except OSError:
            continue
        if lock is not None:
            lock.close()
            shutil.rmtree(folder, ignore_errors=True)
            logger.info("removed %s, left by a server that died", folder)
