"""Media jobs (the gateway's StartMediaJob) are as durable as streamed jobs: a SIGTERM lets one
that finishes within the grace period write its movie and tell its watcher; otherwise it stops
with nothing left beside the output and, like after a SIGKILL, a restarted server finishes it
under the id the client holds. Servers as a user starts them: `sparkvsr serve`, no --spool-dir."""

import asyncio
import json
import signal

import aiohttp
import numpy as np
import pytest
from helpers import make_clip
from served import Served
from test_gateway import post

from sparkvsr.atomic import is_leftover
from sparkvsr.media import read_frames


def media_spec(clip, output_dir) -> dict:
    return {
        "sourcePath": str(clip.path),
        "keyframes": [{"frame": 0, "stillPath": str(clip.stills[0])}],
        "settings": {"engine": "keyed", "audio": False},
        "outputDir": str(output_dir),
    }


async def watch(url: str, job_id: str, on_running=None) -> list[dict]:
    """Watches a job over the WebSocket until its final message (or the socket closes); calls
    `on_running` once, when the job has finished frames."""
    progress = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url.replace('http', 'ws')}/v1/ws") as socket:
            await socket.send_str(json.dumps({"requestId": 1, "watchJob": {"jobId": job_id}}))
            async for message in socket:
                reply = json.loads(message.data)
                progress.append(reply.get("progress", reply))
                if on_running and int(progress[-1].get("framesDone", 0)):
                    on_running()
                    on_running = None
                if reply.get("final"):
                    break
    return progress


def start_media_job(url: str, clip, output_dir) -> dict:
    status, started = asyncio.run(
        post(url, "StartMediaJob", {"spec": media_spec(clip, output_dir)})
    )
    assert status == 200, started
    return started


def finished(url: str, job_id: str) -> dict:
    return asyncio.run(watch(url, job_id))[-1]


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARKVSR_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def clip(tmp_path):
    return make_clip(tmp_path, frame_count=24, size=(96, 64), keyframes=(0,))


@pytest.fixture
def undisturbed(start_server, clip, tmp_path) -> list[np.ndarray]:
    """The frames of the same media job on a server nobody stops."""
    server = start_server(gateway_port=0)
    started = start_media_job(server.gateway_url, clip, tmp_path / "undisturbed")
    assert finished(server.gateway_url, started["jobId"])["state"] == "JOB_STATE_SUCCEEDED"
    return list(read_frames(started["outputPath"]))


def assert_same_movie(path: str, frames: list[np.ndarray]) -> None:
    got = list(read_frames(path))
    assert len(got) == len(frames) == 24
    for a, b in zip(got, frames):
        np.testing.assert_array_equal(a, b)


def assert_nothing_left(*folders) -> None:
    for folder in folders:
        assert [p for p in folder.rglob("*") if is_leftover(p)] == []


@pytest.mark.slow
def test_sigterm_lets_a_media_job_finish_within_the_grace(clip, tmp_path, undisturbed, state_dir):
    served = Served("--shutdown-grace", "60", delay_s=0.3)
    try:
        started = start_media_job(served.gateway_url, clip, tmp_path / "out")
        stop = lambda: served.process.send_signal(signal.SIGTERM)  # noqa: E731
        progress = asyncio.run(watch(served.gateway_url, started["jobId"], on_running=stop))
        assert served.process.wait(60) == 0
    finally:
        served.kill()
    assert any("shutting down" in line for line in served.lines)
    assert 0 < min(int(p["framesDone"]) for p in progress if p.get("framesDone")) < 24
    assert progress[-1]["state"] == "JOB_STATE_SUCCEEDED", progress[-1]
    assert progress[-1]["outputPath"] == started["outputPath"]
    assert_same_movie(started["outputPath"], undisturbed)
    assert_nothing_left(tmp_path / "out", state_dir)
    assert (state_dir / "server" / "media-jobs" / f"{started['jobId']}.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_a_stopped_media_job_resumes_under_its_id(stop, clip, tmp_path, undisturbed, state_dir):
    served = Served("--shutdown-grace", "0", delay_s=0.5)
    output = tmp_path / "out"
    try:
        started = start_media_job(served.gateway_url, clip, output)
        signalled = []

        def interrupt():
            signalled.append(True)
            served.process.send_signal(getattr(signal, stop))

        progress = asyncio.run(watch(served.gateway_url, started["jobId"], on_running=interrupt))
        served.process.wait(60)
    finally:
        served.kill()
    assert signalled
    if stop == "SIGTERM":  # the watcher is told, and nothing is left beside the output
        assert progress[-1]["state"] == "JOB_STATE_CANCELLED", progress[-1]
        assert list(output.iterdir()) == []
    served = Served(delay_s=0.0)
    try:
        final = finished(served.gateway_url, started["jobId"])
        status, job = asyncio.run(post(served.gateway_url, "GetJob", {"jobId": started["jobId"]}))
    finally:
        lines = served.stop()
    assert f"resuming media job {started['jobId']}" in "\n".join(lines)
    assert final["state"] == "JOB_STATE_SUCCEEDED", final
    assert status == 200 and job["progress"]["state"] == "JOB_STATE_SUCCEEDED"
    assert final["outputPath"] == started["outputPath"]
    assert_same_movie(started["outputPath"], undisturbed)
    assert_nothing_left(output, state_dir)
