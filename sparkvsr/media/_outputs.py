"""Checks made before anything is written: never replace an input, never replace a file unasked,
and find out early that an output folder cannot be written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sparkvsr.errors import InvalidInputError, OutputError


def is_sequence_pattern(target: str) -> bool:
    """Whether `target` names an image sequence (`DIR/%06d.png`) rather than a movie file."""
    return "%" in os.path.basename(target)


def output_files(target: str, first_index: int = 0, frame_count: int = 1) -> Iterator[str]:
    """Every file writing `frame_count` frames to `target` creates (one for a movie)."""
    if not is_sequence_pattern(target):
        yield target
        return
    for index in range(first_index, first_index + frame_count):
        try:
            yield target % index
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"{target} is not an image sequence pattern such as DIR/%06d.png"
            ) from None


def check_output(
    target: str,
    *,
    first_index: int = 0,
    frame_count: int = 1,
    overwrite: bool = False,
    inputs: Iterable[str] = (),
) -> None:
    """Raises before any work if writing `target` would destroy an input (the same file by
    identity: symlinks, hard links and other spellings included) or, without `overwrite`, any
    existing file; or if its folder cannot be written.

    Raises:
        InvalidInputError: the output is an input, or exists and `overwrite` is off.
        OutputError: the output's folder cannot be created or written.
    """
    protected = {_identity(path): path for path in inputs if os.path.exists(path)}
    existing = []
    for path in output_files(target, first_index, frame_count):
        if not os.path.lexists(path):
            continue
        if os.path.exists(path) and _identity(path) in protected:
            raise InvalidInputError(
                f"the output {path} is the input {protected[_identity(path)]}; "
                "choose another output"
            )
        existing.append(path)
    if existing and not overwrite:
        more = f" (and {len(existing) - 1} more of its files)" if len(existing) > 1 else ""
        raise InvalidInputError(f"{existing[0]} exists{more}; pass --overwrite to replace it")
    check_writable_folder(target)


def check_writable_folder(target: str) -> None:
    """Raises OutputError naming the path unless `target`'s folder exists (or can be made) and
    takes new files."""
    folder = Path(os.path.abspath(target)).parent
    with output_errors(target):
        folder.mkdir(parents=True, exist_ok=True)
        # A real file, not os.access: read-only mounts and ACLs answer only to an attempt.
        with tempfile.TemporaryFile(dir=folder, prefix=".sparkvsr-probe-"):
            pass


@contextlib.contextmanager
def output_errors(path: str) -> Iterator[None]:
    """Turns an OS error while writing `path` into one OutputError line naming it."""
    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write {path}: {reason}") from None


def _identity(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino
