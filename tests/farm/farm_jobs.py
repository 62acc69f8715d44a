"""Running farm jobs as a studio does: the sparkvsr and openjd commands of this environment, and
comparisons of what they write."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from sparkvsr.media import read_frames, write_still

SPARKVSR = str(Path(sys.executable).with_name("sparkvsr"))
OPENJD = str(Path(sys.executable).with_name("openjd"))


def hr_still(path: Path, frame: np.ndarray) -> Path:
    """A x4 still of a source frame (bicubic: the test needs a still, not a good one)."""
    height, width = frame.shape[:2]
    write_still(str(path), cv2.resize(frame, (width * 4, height * 4), cv2.INTER_CUBIC))
    return path


def frames_of(path: Path) -> list[np.ndarray]:
    return list(read_frames(str(path)))


def same_frames(a: Path, b: Path) -> bool:
    first, second = frames_of(a), frames_of(b)
    return len(first) == len(second) and all(np.array_equal(x, y) for x, y in zip(first, second))


def run(*arguments: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(arguments), capture_output=True, text=True, timeout=120, **kw)


def openjd_run(bundle: Path, values: dict[str, Path]) -> subprocess.CompletedProcess:
    """The whole bundle on this machine, as a studio without a farm runs it."""
    arguments = [OPENJD, "run", str(bundle / "template.yaml"), "--step", "Assemble"]
    arguments += ["--run-dependencies"]
    for name, value in values.items():
        arguments += ["-p", f"{name}={value}"]
    return run(*arguments)


needs_openjd = pytest.mark.skipif(
    shutil.which(OPENJD) is None, reason="openjd-cli (the test extra) is not installed"
)
