"""The spool a server keeps its jobs in: one server per folder, a disk budget that refuses a job
at once, and what dead servers left collected."""

import asyncio
import os
import tempfile
import time

import pytest
from helpers import make_clip, random_job
from test_gateway import post

from sparkvsr.client import Client
from sparkvsr.errors import InvalidInputError, ResourceExhaustedError
from sparkvsr_server import config_from_env
from sparkvsr_server.jobs import Spool


def test_serve_keeps_jobs_in_the_per_user_state_folder(tmp_path):
    config = config_from_env({"SPARKVSR_STATE_DIR": str(tmp_path)}, port=0)
    assert config.spool_dir == str(tmp_path / "server")
    assert config_from_env({}, spool_dir="elsewhere").spool_dir == "elsewhere"


def test_a_second_server_on_one_spool_is_refused_with_who_holds_it(start_server, tmp_path):
    start_server(spool_dir=str(tmp_path))
    with pytest.raises(InvalidInputError) as refused:
        start_server(spool_dir=str(tmp_path))
    assert str(refused.value) == (
        f"another server keeps its jobs in {tmp_path} (process {os.getpid()}); stop it, or give "
        "this one another --spool-dir"
    )


def test_a_job_beyond_the_disk_budget_is_refused_at_once_saying_why(start_server, tmp_path):
    spec, items = random_job(count=24, size=(32, 24))  # about 3 MiB in the store
    server = start_server(spool_dir=str(tmp_path), max_spool_bytes=5 * 2**20)
    with Client(server.address) as client:
        assert len(list(client.upscale(spec, items))) == 24  # fits
        with pytest.raises(ResourceExhaustedError) as refused:
            list(client.upscale(spec, items))  # the first is still kept: no room for two
    message = str(refused.value)
    assert "the job needs about 3 MiB of the server's job store" in message
    assert "keeps at most 5 MiB (max_spool_bytes) and holds 3 MiB of other jobs" in message
    assert (
        list((tmp_path / "jobs").iterdir()) != [] and len(list((tmp_path / "jobs").iterdir())) == 1
    )


def test_temporary_spools_of_dead_servers_go_and_live_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / "sparkvsr-jobs-dead"
    (dead / "jobs").mkdir(parents=True)
    live = Spool.open(None)
    old = time.time() - 3600  # past the minute a starting server may take to lock its folder
    for folder in (dead, live.root):
        os.utime(folder, (old, old))
    second = Spool.open(None)
    try:
        assert not dead.exists() and live.root.is_dir()
    finally:
        live.close()
        second.close()
    assert list(tmp_path.iterdir()) == []


def test_a_media_job_beyond_the_disk_budget_is_refused_before_it_starts(start_server, tmp_path):
    clip = make_clip(tmp_path, frame_count=12, keyframes=(0,))
    server = start_server(gateway_port=0, max_spool_bytes=2**20)
    spec = {"sourcePath": str(clip.path), "outputDir": str(tmp_path / "out")}
    status, error = asyncio.run(post(server.gateway_url, "StartMediaJob", {"spec": spec}))
    assert (status, error["code"]) == (429, "RESOURCE_EXHAUSTED")
    assert "(max_spool_bytes)" in error["message"]
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_spool_folder_the_server_cannot_use_is_one_line_naming_it(tmp_path):
    # Where its lock file cannot be made (here a folder of that name; a read-only folder or
    # another user's does the same): the reason, not an OSError traceback from `sparkvsr serve`.
    (tmp_path / "server.lock").mkdir()
    with pytest.raises(InvalidInputError) as refused:
        Spool.open(tmp_path)
    assert str(refused.value) == (
        f"cannot keep jobs in {tmp_path}: Is a directory; give another --spool-dir"
    )
