"""Shared fixtures: clips synthesised with PyAV in tmp_path, servers on loopback port 0."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from sparkvsr.demo import camera_clip, degrade, sample_photo
from sparkvsr.media import FrameWriter, write_still
from sparkvsr.specs import FrameLayout


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(pytest.mark.skip(reason="needs CUDA"))


@dataclass(frozen=True)
class Clip:
    """A low-resolution movie on disk with its ground truth and keyframe stills."""

    path: Path
    truth: np.ndarray  # (T, H*4, W*4, 3) uint8
    low: np.ndarray  # (T, H, W, 3) uint8, what was encoded
    stills: dict[int, Path]


def write_movie(path: Path, frames: np.ndarray, rate=Fraction(24), codec="prores_4444", **kw) -> Path:
    with FrameWriter(str(path), FrameLayout.of(frames[0]), rate, codec=codec, **kw) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def make_clip(directory: Path, frame_count: int = 24, size=(192, 128), keyframes=(0, 12)) -> Clip:
    truth = camera_clip(sample_photo("motorcycle"), size, frame_count, seed=1)
    low = degrade(truth, 4)
    path = write_movie(directory / "clip.mov", low, start_timecode="01:00:00:00")
    stills = {}
    for index in keyframes:
        stills[index] = directory / f"hr_{index:04d}.png"
        write_still(str(stills[index]), truth[index])
    return Clip(path, truth, low, stills)


@pytest.fixture
def clip(tmp_path: Path) -> Clip:
    return make_clip(tmp_path)
