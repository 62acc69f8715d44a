"""The test run keeps to its own temporary root (tests/conftest.py): the user's temp folder,
state, caches, configuration and servers are never touched."""

import os
import tempfile
from pathlib import Path

import pytest
from helpers import free_port, kill_servers_on

from sparkvsr import environment
from sparkvsr.cli import main
from sparkvsr.connection import connection_options
from sparkvsr.runners import ensure_server


def test_every_per_user_folder_is_under_the_runs_root(test_root, tmp_path):
    inside = [
        Path(tempfile.gettempdir()),
        tmp_path,
        environment.user_state_dir(),
        environment.keyframe_cache_dir(),
        environment.user_config_dir(),
        Path(os.environ["XDG_CACHE_HOME"]),
    ]
    assert all(test_root in path.resolve().parents for path in inside), inside


@pytest.mark.slow
def test_a_killed_server_leaves_nothing_in_the_temp_folder(test_root, clip, tmp_path, capsys):
    """As an editor client starts one (`ensure_server`), with a job run on it, then SIGKILL."""
    temp = Path(tempfile.gettempdir())
    before = set(temp.iterdir())
    port = free_port()
    try:
        ensure_server(connection_options(f"127.0.0.1:{port}", environ={}), start_local=True)
        args = ["upscale", str(clip.path), "--server", f"127.0.0.1:{port}", "--no-progress"]
        assert main([*args, "-o", str(tmp_path / "out.mov")]) == 0
    finally:
        kill_servers_on(port)

    assert set(temp.iterdir()) - before == set()  # its spool is state, not temporary
    log = environment.user_state_dir() / "logs" / "sparkvsr-local-server.log"
    assert str(port) in log.read_text()  # what the server logged on start-up
