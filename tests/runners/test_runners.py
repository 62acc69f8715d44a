"""Runners: the same job in process and on a server, connection options, starting a server."""

import sys

import numpy as np
import pytest
from helpers import free_port, kill_servers_on, make_clip

from sparkvsr.client import Client
from sparkvsr.connection import connection_options
from sparkvsr.errors import InvalidInputError, ServerUnavailableError, UnauthenticatedError
from sparkvsr.media import read_frames, read_still
from sparkvsr.runners import LocalRunner, Runner, ensure_server, open_runner
from sparkvsr.settings import JobSettings
from sparkvsr.upscale_file import FileJob, upscale_file


def test_a_job_gives_identical_frames_through_both_runners(tmp_path, start_server):
    clip = make_clip(tmp_path, frame_count=10, keyframes=(0, 6))
    server = start_server()
    outputs = {}
    for name, runner in (
        ("local", LocalRunner()),
        ("server", open_runner(connection_options(server.address))),
    ):
        assert isinstance(runner, Runner)
        job = FileJob(
            str(clip.path),
            str(tmp_path / name / "%06d.png"),
            JobSettings(engine="flow"),
            keyframe_stills=tuple((i, str(p)) for i, p in clip.stills.items()),
        )
        with runner:
            upscale_file(job, runner)
        outputs[name] = [read_still(str(tmp_path / name / f"{i:06d}.png"), None) for i in range(10)]
    assert len(outputs["local"]) == 10
    for local, served in zip(outputs["local"], outputs["server"]):
        np.testing.assert_array_equal(local, served)


def test_an_engine_only_the_server_runs_is_accepted_with_server(tmp_path, start_server):
    clip = make_clip(tmp_path, frame_count=4, keyframes=())
    server = start_server()
    job = FileJob(str(clip.path), str(tmp_path / "out.mov"), JobSettings(engine="bilinear"))
    with Client(server.address) as client:
        assert client.engine_info("bilinear").name == "bilinear"
        result = upscale_file(job, client)
    assert result.spec.engine == "bilinear"
    assert len(list(read_frames(str(tmp_path / "out.mov")))) == 4
    with pytest.raises(InvalidInputError, match="unknown engine 'bilinear'; choose one of"):
        upscale_file(job, LocalRunner())


def test_a_job_naming_no_engine_gets_the_runners_default(tmp_path, start_server):
    clip = make_clip(tmp_path, frame_count=4, keyframes=())
    server = start_server(default_engine="bilinear")
    with Client(server.address) as client:
        result = upscale_file(FileJob(str(clip.path), str(tmp_path / "o.mov")), client)
    assert result.spec.engine == "bilinear"
    assert LocalRunner().default_engine == "flow"


@pytest.mark.parametrize(
    ("given", "address"),
    [
        ("localhost", "localhost:50051"),
        ("http://127.0.0.1:6000/", "127.0.0.1:6000"),
        ("grpc://gpu-box:7000", "gpu-box:7000"),
        ("::1", "[::1]:50051"),
        ("[::1]:6001", "[::1]:6001"),
    ],
)
def test_server_addresses_are_read_as_a_user_means_them(given, address):
    assert connection_options(given, environ={}).address == address


@pytest.mark.parametrize("given", ["127.0.0.1:0", "host:port", "a/b:5", "127.0.0.1:70000"])
def test_a_malformed_address_says_how_to_write_one(given):
    with pytest.raises(InvalidInputError, match="give the server as HOST:PORT"):
        connection_options(given, environ={})


def test_the_token_comes_from_the_environment_unless_given():
    environ = {"SPARKVSR_TOKEN": "from-env"}
    assert connection_options("h:1", environ=environ).token == "from-env"
    assert connection_options("h:1", token="given", environ=environ).token == "given"
    assert connection_options(None, environ=environ) is None


def test_no_server_and_none_to_start_is_one_clear_error():
    options = connection_options(f"127.0.0.1:{free_port()}", environ={})
    with pytest.raises(ServerUnavailableError, match="start one with `sparkvsr serve`"):
        ensure_server(options)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="finds the server it started in /proc")
def test_a_started_local_server_serves_with_the_token():
    port = free_port()
    options = connection_options(f"127.0.0.1:{port}", token="s3cret", environ={})
    logged = []
    try:
        ensure_server(options, start_local=True, log=logged.append)
        assert f"starting a local SparkVSR server on port {port}" in logged[0]
        with Client.connect(options) as client:
            assert client.server_info().default_engine == "flow"
        with Client(options.address) as anonymous, pytest.raises(UnauthenticatedError):
            anonymous.job("nothing")
    finally:
        kill_servers_on(port)
