"""`sparkvsr serve` as a user runs it: a port already taken, what it logs about jobs, and the
client's word when no server answers or the address is spelt as a URL."""

import logging
import subprocess
import sys

import pytest
from helpers import free_port, random_job
from served import SERVE_START_S, Served

import sparkvsr.connection
from sparkvsr.cli import main
from sparkvsr.client import Client


def serve_fails(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkvsr", "serve", *args],
        capture_output=True,
        text=True,
        timeout=SERVE_START_S,
    )


@pytest.fixture
def served():
    port, gateway = free_port(), free_port()
    server = Served("--port", str(port), "--gateway-port", str(gateway))
    try:
        server.wait_for("listening on")
        yield server, port, gateway
    finally:
        server.stop()


@pytest.mark.slow
def test_ports_in_use_are_refused_and_jobs_are_logged(served, clip, tmp_path, capsys):
    server, port, gateway = served
    second = serve_fails("--port", str(port), "--gateway-port", "0")
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"sparkvsr: error: cannot listen on 127.0.0.1:{port}: Address already in use (is "
        "another `sparkvsr serve` running there? stop it, or choose another --port)"
    )
    third = serve_fails("--port", "0", "--gateway-port", str(gateway))
    assert third.returncode == 2 and len(third.stderr.strip().splitlines()) == 1
    assert f"{gateway}: Address already in use" in third.stderr and "--gateway-port" in third.stderr

    # The address spelt as a URL reaches the same server.
    output = tmp_path / "out.mov"
    code = main(
        ["upscale", str(clip.path), "--server", f"http://127.0.0.1:{port}/", "-o", str(output)]
        + [f"--keyframe={index}={path}" for index, path in clip.stills.items()]
        + ["--no-progress"]
    )
    assert code == 0 and output.exists()
    assert f"on 127.0.0.1:{port})" in capsys.readouterr().out

    lines = server.stop()
    assert sum("listening on" in line for line in lines) == 1
    # A normal start, its jobs and its stop are news, not warnings.
    assert [line for line in lines if line.startswith(("WARNING", "ERROR"))] == []
    assert any(
        line.startswith("INFO sparkvsr_server._app: SparkVSR server listening") for line in lines
    )
    (accepted,) = [line for line in lines if " accepted: " in line]
    job = accepted.split(" job ")[1].split()[0]
    assert "24 frames 48x32, engine flow, x4, 2 keyframes" in accepted
    assert any(line.endswith(f"job {job} started") for line in lines)
    (finished,) = [line for line in lines if f"job {job} succeeded: " in line]
    assert "24 of 24 frames in" in finished


def test_a_cancelled_job_is_logged_with_its_frames_and_time(start_server, caplog):
    server = start_server(delay_s=0.05)
    spec, inputs = random_job(count=48)
    caplog.set_level(logging.INFO, logger="sparkvsr_server")
    with Client(server.address) as client:
        run = client.upscale(spec, inputs)
        next(iter(run))
        client.cancel(run.job_id)
    (line,) = [r.getMessage() for r in caplog.records if " cancelled: " in r.getMessage()]
    assert line.startswith(f"job {run.job_id} cancelled: ") and " of 48 frames in " in line
    assert any(r.getMessage() == f"job {run.job_id} started" for r in caplog.records)


def test_no_server_answering_says_to_start_one(clip, tmp_path, capsys):
    port = free_port()
    code = main(["upscale", str(clip.path), "--server", f"127.0.0.1:{port}", "-o", "x.mov"])
    stderr = capsys.readouterr().err
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert f"no SparkVSR server answers at 127.0.0.1:{port}: start one with `sparkvsr serve`" in (
        stderr
    )


def test_a_bare_host_means_the_default_port(capsys, monkeypatch):
    # A free port stands in for 50051, where the user's own server may answer: the address
    # tried is the default port, never 443.
    port = free_port()
    monkeypatch.setattr(sparkvsr.connection, "DEFAULT_PORT", port)
    code = main(["info", "--server", "localhost"])
    stderr = capsys.readouterr().err
    assert code == 2 and f"localhost:{port}" in stderr
