"""Cancelling a media job (the gateway's CancelJob) at its two awkward moments: while a keyframe
is restored (before any engine job exists), and after its movie is written (while the sidecar
is). Either way what a watcher is told agrees with what is on disk."""

import asyncio
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import make_clip
from test_gateway import post
from test_media_jobs_restart import assert_nothing_left, finished, media_spec, start_media_job

from sparkvsr.keyframes import KeyframeProvider, ProviderSettings
from sparkvsr.specs import FrameLayout
from sparkvsr_server.jobs import _media_job

WAIT_S = 60  # a guard against a hang, not a timing: each wait ends on an event


@pytest.fixture
def clip(tmp_path):
    return make_clip(tmp_path, frame_count=24, size=(96, 64), keyframes=(0,))


def cancel(url: str, job_id: str) -> dict:
    status, reply = asyncio.run(post(url, "CancelJob", {"jobId": job_id}))
    assert status == 200, reply
    return reply["progress"]


class HeldProvider(KeyframeProvider):
    """A restoration provider (a paid service, say) whose first restoration lasts until the
    test releases it; it counts the keyframes it was asked for."""

    name = "held"

    def __init__(self):
        self.asked: list[int] = []
        self.restoring = threading.Event()
        self.release = threading.Event()

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        self.asked.append(index)
        self.restoring.set()
        assert self.release.wait(WAIT_S)
        return np.zeros(target.shape, np.uint8)


def test_a_cancel_during_keyframe_restoration_restores_no_further_keyframe(
    start_server, clip, tmp_path, monkeypatch
):
    provider = HeldProvider()
    monkeypatch.setattr(ProviderSettings, "build", lambda self: provider)
    server = start_server(gateway_port=0)
    spec = media_spec(clip, tmp_path / "out")
    spec["keyframes"] = [{"frame": 0}, {"frame": 8}, {"frame": 16}]  # none has a still
    spec["settings"]["keyframeProvider"] = "local"
    status, started = asyncio.run(post(server.gateway_url, "StartMediaJob", {"spec": spec}))
    assert status == 200, started
    assert provider.restoring.wait(WAIT_S)
    assert cancel(server.gateway_url, started["jobId"])["state"] == "JOB_STATE_CANCELLED"
    provider.release.set()
    server.stop()  # returns once the job's thread has ended
    assert provider.asked == [0]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_cancel_after_the_movie_is_written_lets_the_job_finish(
    start_server, clip, tmp_path, monkeypatch
):
    writing, release = threading.Event(), threading.Event()
    write_sidecar = _media_job.write_sidecar

    def held_write_sidecar(*args, **kwargs):
        writing.set()
        assert release.wait(WAIT_S)
        return write_sidecar(*args, **kwargs)

    monkeypatch.setattr(_media_job, "write_sidecar", held_write_sidecar)
    server = start_server(gateway_port=0)
    started = start_media_job(server.gateway_url, clip, tmp_path / "out")
    assert writing.wait(WAIT_S)
    assert Path(started["outputPath"]).exists()  # the movie is in place already
    assert cancel(server.gateway_url, started["jobId"])["state"] == "JOB_STATE_RUNNING"
    release.set()
    final = finished(server.gateway_url, started["jobId"])
    assert final["state"] == "JOB_STATE_SUCCEEDED", final
    assert Path(final["outputPath"]).exists() and Path(final["sidecarPath"]).exists()
    assert_nothing_left(tmp_path / "out")
