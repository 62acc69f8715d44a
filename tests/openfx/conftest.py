"""The plug-in built once per session from its CMake sources, and a test host around it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from helpers import make_clip

sys.path.insert(0, str(Path(__file__).parent))

from ofx_host import OfxTestHost  # noqa: E402

from sparkvsr_openfx import build, bundle_binary  # noqa: E402


@pytest.fixture(scope="session")
def ofx_build(tmp_path_factory) -> Path:
    build_dir = tmp_path_factory.mktemp("openfx-build")
    # scripts/test_openfx_sanitized.sh runs these tests on the ASan + UBSan build.
    build(build_dir, sanitize=os.environ.get("SPARKVSR_OFX_SANITIZE") == "1")
    return build_dir


@pytest.fixture
def plugin_binary(ofx_build) -> str:
    return str(bundle_binary(ofx_build))


@pytest.fixture(scope="session")
def host_frames(tmp_path_factory) -> np.ndarray:
    """A real clip made and decoded with PyAV, enlarged x4 as an NLE hands an HD clip on a UHD
    timeline to an effect: (T, 64, 96, 4) uint8 RGBA, alpha a gradient."""
    clip = make_clip(
        tmp_path_factory.mktemp("ofx-clip"), frame_count=10, size=(96, 64), keyframes=()
    )
    with av.open(str(clip.path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    enlarged = [cv2.resize(f, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC) for f in decoded]
    rgb = np.stack(enlarged)
    alpha = np.broadcast_to(np.linspace(0, 255, rgb.shape[2], dtype=np.uint8), rgb.shape[1:3])
    return np.concatenate([rgb, np.broadcast_to(alpha[..., None], (*rgb.shape[:3], 1))], axis=3)


def in_depth(frames: np.ndarray, depth: str) -> np.ndarray:
    """The clip as the host would hand it at 8-bit, 16-bit or float (with out-of-range floats)."""
    if depth == "8":
        return frames
    if depth == "16":
        return frames.astype(np.uint16) * 257
    values = frames.astype(np.float32) / 255
    values[:, 0, 0, 0], values[:, 0, 1, 0] = 1.5, -0.25  # floats may leave [0, 1]
    return values


@pytest.fixture
def host(plugin_binary) -> OfxTestHost:
    host = OfxTestHost(plugin_binary)
    yield host
    host.unload()  # reports memory the plug-in did not free, among the errors
    assert host.errors == []
    assert host.open_images() == 0
