"""A server killed mid-job loses nothing: restarted on the same store it resumes the job from its
last finished window, and a client reattaching by job id gets every frame, byte for byte."""

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import BilinearEngine, KeyedEngine, random_job
from served import Served

from sparkvsr.atomic import is_leftover, temporary_path
from sparkvsr.client import Client
from sparkvsr.errors import NotFoundError, ResourceExhaustedError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import JobState, Keyframe
from sparkvsr.window_plan import plan_chunks


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> Path:
    """The per-user state folder `sparkvsr serve` keeps its jobs in (never the user's own)."""
    state = tmp_path / "state"
    monkeypatch.setenv("SPARKVSR_STATE_DIR", str(state))
    return state


def leftovers(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if is_leftover(path)]


def start(spool: Path | None, delay_s: float, *args: str) -> tuple[Served, str]:
    """`sparkvsr serve` with the test engines: on `spool`, or (None) on its default spool."""
    served = Served(*(["--spool-dir", str(spool)] if spool else []), *args, delay_s=delay_s)
    return served, served.address


def kill(served: Served) -> None:
    served.kill()


def expected(spec, items, engine):
    return [frame.image for frame in run_job(spec, engine, items)]


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGKILL", "SIGTERM"])
def test_a_server_stopped_mid_job_resumes_it_with_identical_frames(stop, state_dir):
    # `sparkvsr serve` as a user starts it: no --spool-dir, so the per-user state folder.
    spec, items = random_job(count=96, size=(48, 32))  # 16 windows of 8, 0.1 s each
    process, address = start(None, 0.1, "--shutdown-grace", "0")
    try:
        with Client(address) as client:
            run = client.upscale(spec, items)
            frames = iter(run)
            received = [next(frames).image for _ in range(20)]
            while not run.server_has_input:
                received.append(next(frames).image)
            done_before = client.job(run.job_id).frames_done
            if stop == "SIGKILL":
                kill(process)  # no journal update, no cleanup
            else:  # too short a grace for the job to finish
                lines = process.stop()
                assert any("shutting down" in line for line in lines)
                assert not any(f"job {run.job_id} succeeded:" in line for line in lines)
        assert done_before < 96
        process, address = start(None, delay_s=0.0)
        with Client(address) as client:
            rest = [f.image for f in client.fetch_frames(run.job_id, len(received), retries=3)]
            everything = [f.image for f in client.fetch_frames(run.job_id)]
            status = client.job(run.job_id)
    finally:
        kill(process)
    want = expected(spec, items, BilinearEngine())
    for got in (received + rest, everything):
        assert len(got) == 96
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)
    assert status.state is JobState.SUCCEEDED
    reused = int(status.stage.split()[1])
    assert reused >= done_before // 8 - 1, status.stage  # the windows done before the stop
    assert (state_dir / "server" / "jobs" / run.job_id).is_dir() and not leftovers(state_dir)


@pytest.mark.slow
def test_a_job_rerun_with_one_keyframe_changed_reuses_the_other_windows(tmp_path):
    spool = tmp_path / "spool"
    spec, items = random_job(count=64, keyframes=(0, 40), engine="keyed")
    process, address = start(spool, delay_s=0.0)
    try:
        with Client(address) as client:
            first = client.upscale(spec, items)
            assert len(list(first)) == 64
            changed = np.roll(items[1].image, 7, axis=1)
            edited = [items[0], Keyframe(40, changed), *items[2:]]
            second = client.upscale(spec, edited)
            got = [frame.image for frame in second]
            status = client.job(second.job_id)
    finally:
        kill(process)
    for a, b in zip(got, expected(spec, edited, KeyedEngine()), strict=True):
        np.testing.assert_array_equal(a, b)
    chunks = plan_chunks(64, 8, 2)
    holding = sum(1 for chunk in chunks if 40 in chunk)
    assert status.stage == f"reused {len(chunks) - holding} of {len(chunks)} windows"


def test_a_restarted_server_collects_what_a_crash_left_half_made(tmp_path):
    from sparkvsr_server.jobs import JobStore, Spool

    jobs = tmp_path / "jobs"
    (jobs / "halfmade").mkdir(parents=True)  # a crash between its folder and its journal
    spec, _ = random_job(count=4)
    files = JobStore(jobs).create("whole", spec, owner="")
    temporary_path(files.folder / "out" / "00000000.raw").write_bytes(b"cut short")
    window = tmp_path / "engine-windows" / "ab"
    window.mkdir(parents=True)
    temporary_path(window / "ab01.npz").write_bytes(b"cut short")
    spool = Spool.open(tmp_path)  # as a restarted server opens it
    try:
        loaded = JobStore(jobs).load()
    finally:
        spool.close()
    assert [job.job_id for job in loaded] == ["whole"]
    assert not (jobs / "halfmade").exists()
    assert os.listdir(files.folder / "out") == [] and os.listdir(window) == []


def test_finished_jobs_and_windows_are_collected_after_the_retention_period(start_server, tmp_path):
    spool = tmp_path / "spool"
    server = start_server(spool_dir=str(spool), job_ttl_s=0.5)
    spec, items = random_job(count=16)
    with Client(server.address) as client:
        old = client.upscale(spec, items)
        assert len(list(old)) == 16
        assert len(list((spool / "engine-windows").glob("*/*.npz"))) == 3
        time.sleep(0.7)
        other, other_items = random_job(count=8, seed=1)
        assert len(list(client.upscale(other, other_items))) == 8  # admitting it collects
        with pytest.raises(NotFoundError, match="may have expired"):
            client.job(old.job_id)
    assert not (spool / "jobs" / old.job_id).exists()
    assert len(list((spool / "engine-windows").glob("*/*.npz"))) == 1  # the new job's one window


def test_a_failing_job_store_fails_the_job_without_showing_server_paths(start_server, tmp_path):
    spool = tmp_path / "spool"
    server = start_server(spool_dir=str(spool), delay_s=0.05)
    spec, items = random_job(count=64)
    with Client(server.address) as client:
        run = client.upscale(spec, items)
        frames = iter(run)
        next(frames)
        while not run.server_has_input:
            next(frames)
        # As a disk that went away would; moved first, since the server writes there meanwhile.
        out = spool / "jobs" / run.job_id / "out"
        out.rename(out.with_name("gone"))
        shutil.rmtree(out.with_name("gone"), ignore_errors=True)
        with pytest.raises((ResourceExhaustedError, NotFoundError)) as failed:
            list(frames)  # whichever the reader meets first: a frame gone, or the job failed
        while not (status := client.job(run.job_id)).state.finished:
            time.sleep(0.02)
    assert status.state is JobState.FAILED and "cannot store job" in status.message
    for message in (status.message, str(failed.value)):
        assert str(tmp_path) not in message
