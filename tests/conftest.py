"""Shared fixtures: clips synthesised with PyAV in tmp_path, servers on loopback port 0 with
the test engines injected; the whole run kept to one temporary root of its own."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Where the user's own state lives, by variable: each points under this run's root instead.
ISOLATED_FOLDERS = {
    "TMPDIR": "tmp",
    "SPARKVSR_STATE_DIR": "state",
    "SPARKVSR_CACHE_DIR": "cache/sparkvsr/keyframes",
    "XDG_STATE_HOME": "xdg/state",
    "XDG_CACHE_HOME": "xdg/cache",
    "XDG_CONFIG_HOME": "xdg/config",
}


def _isolate() -> Path:
    """Points the temp folder, SparkVSR's state and keyframe cache and the XDG folders under one
    new root, so no test touches the user's (a server's spool, a started server's log, the
    Resolve settings) and what tests leave goes with the root. Done when this file is imported,
    before pytest or any test asks tempfile for its folder; servers started in subprocesses
    inherit it."""
    root = Path(tempfile.mkdtemp(prefix="sparkvsr-tests-"))
    for variable, folder in ISOLATED_FOLDERS.items():
        (root / folder).mkdir(parents=True)
        os.environ[variable] = str(root / folder)
    tempfile.tempdir = os.environ["TMPDIR"]
    return root


TEST_ROOT = _isolate()

from helpers import Clip, engines, make_clip  # noqa: E402 (after the isolation above)

from sparkvsr_server import BackgroundServer, ServerConfig  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    """A green run takes its root with it; a red one keeps it to look at (the summary names it)."""
    if exitstatus == 0:
        shutil.rmtree(TEST_ROOT, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    if TEST_ROOT.exists():
        terminalreporter.write_line(f"this run's temporary files are kept in {TEST_ROOT}")


@pytest.fixture(scope="session")
def test_root() -> Path:
    """The run's temporary root (see _isolate)."""
    return TEST_ROOT


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    for item in items:
        # The marker itself: `item.keywords` also holds folder names (a checkout named gpu/).
        if item.get_closest_marker("gpu") and not has_cuda:
            item.add_marker(pytest.mark.skip(reason="needs CUDA"))


@pytest.fixture
def clip(tmp_path: Path) -> Clip:
    return make_clip(tmp_path)


@pytest.fixture(autouse=True)
def _private_state_folder(tmp_path_factory, monkeypatch):
    """Each test's `sparkvsr serve` keeps its jobs in a state folder of its own (under the run's
    root): two servers on one spool would refuse each other."""
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
