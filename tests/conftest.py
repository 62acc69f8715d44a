"""Shared fixtures: clips synthesised with PyAV in tmp_path, servers on loopback port 0 with
the test engines injected."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Clip, engines, make_clip

from sparkvsr_server import BackgroundServer, ServerConfig


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(pytest.mark.skip(reason="needs CUDA"))


@pytest.fixture
def clip(tmp_path: Path) -> Clip:
    return make_clip(tmp_path)


@pytest.fixture(autouse=True)
def _private_keyframe_cache(tmp_path_factory, monkeypatch):
    """Restored keyframes go to a temporary cache, never the user's."""
    monkeypatch.setenv("SPARKVSR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "keyframe-cache"))


@pytest.fixture(autouse=True)
def _private_state_folder(tmp_path_factory, monkeypatch):
    """`sparkvsr serve` keeps its jobs in a temporary state folder, never the user's."""
    monkeypatch.setenv("SPARKVSR_STATE_DIR", str(tmp_path_factory.mktemp("state")))


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


@pytest.fixture
def gateway_server(start_server) -> BackgroundServer:
    """A server with the flow and test engines and its JSON gateway, on loopback."""
    return start_server(gateway_port=0)


@pytest.fixture
def gateway_url(gateway_server) -> str:
    """http://127.0.0.1:PORT of a real server's gateway (see gateway_server)."""
    return gateway_server.gateway_url
