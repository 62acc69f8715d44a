"""Files written whole or not at all: written under a temporary name beside the target and
renamed over it once complete, so a crash leaves only a leftover that `remove_leftovers` finds."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)

# Every temporary name starts with this, whoever writes it: one rule for what a crash leaves.
LEFTOVER_PREFIX = ".partial-"

_counter = itertools.count()


def temporary_path(target: str | os.PathLike) -> Path:
    """A fresh name beside `target` for writing it (same folder, so the rename is atomic; same
    suffix, so writers that choose a format by suffix still do)."""
    target = Path(target)
    unique = f"{os.getpid()}-{threading.get_ident()}-{next(_counter)}"
    return target.with_name(f"{LEFTOVER_PREFIX}{unique}-{target.name}")


def is_leftover(path: str | os.PathLike) -> bool:
    """Whether `path` is a temporary file of this module (a crash may have left it)."""
    return Path(path).name.startswith(LEFTOVER_PREFIX)


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write `target` through, for writers that take a path (an encoder, an
    OTIO adapter). When the block ends normally the file becomes `target`; on an error it is
    removed and the error goes on."""
    target = Path(target)
    temporary = temporary_path(target)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def atomic_file(target: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """An open temporary file that becomes `target` when the block ends normally."""
    with atomic_path(target) as temporary, open(temporary, mode.replace("w", "x")) as file:
        yield file


def write_atomically(target: str | os.PathLike, data) -> None:
    """Writes `data` (bytes, text, or any buffer such as a numpy array) whole to `target`."""
    text = isinstance(data, str)
    with atomic_file(target, "w" if text else "wb") as file:
        file.write(data if text or isinstance(data, bytes) else memoryview(data).cast("B"))


@contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """A path (not yet made) for a folder to fill, which then replaces the folder `target`: the
    old one is moved aside, the new one renamed in, the old one removed, so `target` is missing
    only between two renames. When the block fails, `target` stays as it was."""
    target = Path(target)
    temporary = temporary_path(target)
    try:
        yield temporary
        old = temporary_path(target) if target.exists() else None
        if old:
            os.replace(target, old)
        try:
            os.replace(temporary, target)
        except BaseException:
            if old:
                os.replace(old, target)
            raise
        if old:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def write_first(target: str | os.PathLike, write: Callable[[Path], None]) -> bool:
    """Calls `write(path)` to make `target` unless it exists; the first complete one stays when
    several processes race (a farm's tasks sharing a folder). Returns whether this call's file is
    the one kept. Needs hard links; where the file system has none, an existence check and a
    rename stand in, with a warning (a race may then replace the first)."""
    target = Path(target)
    temporary = temporary_path(target)
    try:
        write(temporary)
        return _link_unless_exists(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def remove_leftovers(
    folder: str | os.PathLike, *, recursive: bool = False, older_than_s: float = 0.0
) -> int:
    """Removes the temporary files a crash left in `folder` (and below it with `recursive`) that
    are older than `older_than_s`; call it only when nothing may still be writing them (younger
    ones may be in use). Returns how many went."""
    pattern = f"**/{LEFTOVER_PREFIX}*" if recursive else f"{LEFTOVER_PREFIX}*"
    cutoff = time.time() - older_than_s
    removed = 0
    for path in Path(folder).glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        logger.info("removed %d unfinished files under %s", removed, folder)
    return removed


def _link_unless_exists(temporary: Path, target: Path) -> bool:
    try:
        os.link(temporary, target)  # fails if the target exists: the first one stays
    except FileExistsError:
        return False
    except OSError:  # no hard links here (some network shares): one check, then rename
        if target.exists():
            return False
        logger.warning("%s: no hard links here; a racing writer may replace it", target)
        os.replace(temporary, target)
    return True
