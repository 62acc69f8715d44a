"""Servers on 127.0.0.1 port 0 with the test engines injected."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import engines

from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr_server import BackgroundServer, ServerConfig


@pytest.fixture
def start_server():
    servers = []

    def start(delay_s: float = 0.0, **config) -> BackgroundServer:
        server = BackgroundServer(ServerConfig(port=0, **config), engines(delay_s))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def random_job(count=24, size=(32, 24), depth=8, keyframes=(), engine="bilinear", seed=0, scale=4):
    """A spec and its input items (keyframes first) with random content."""
    rng = np.random.default_rng(seed)
    high = 255 if depth == 8 else 65535
    dtype = np.uint8 if depth == 8 else np.uint16
    low = rng.integers(0, high + 1, (count, size[1], size[0], 3), dtype=dtype)
    spec = JobSpec(count, FrameLayout(*size, 3, depth), scale=scale, engine=engine,
                   keyframe_indices=tuple(keyframes))
    items = [Keyframe(k, rng.integers(0, high + 1, spec.output_layout.shape, dtype=dtype))
             for k in keyframes]
    items += [SourceFrame(i, f) for i, f in enumerate(low)]
    return spec, items
