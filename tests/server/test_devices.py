"""Several workers in one server: each loads its engine onto its own device, windows of one job
and of different jobs spread over them, and the frames are the bytes one worker gives."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
from helpers import BILINEAR_INFO, BilinearEngine, random_job

from sparkvsr.client import Client
from sparkvsr.engines import EngineChunk, load_engine
from sparkvsr.errors import InvalidInputError
from sparkvsr.pipeline import run_job
from sparkvsr_server import BackgroundServer, ServerConfig
from sparkvsr_server._config import parse_devices


def upscaled(server: BackgroundServer, spec, items) -> list[np.ndarray]:
    with Client(server.address) as client:
        return [frame.image for frame in client.upscale(spec, items)]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


# Flow windows of 4 frames: chains restart at keyframes on first frames (0, 8, 20, 28); overlapping
# windows of 6 blend and continue the frame before them.
JOBS = [
    dict(count=36, keyframes=(0, 8, 20, 28)),
    dict(count=30, keyframes=(3, 17), chunk_length=6, chunk_overlap=2),
]


@pytest.mark.slow
def test_one_and_three_workers_give_the_bytes_of_run_job(start_server):
    one, three = start_server(), start_server(workers=3)
    for job in JOBS:
        spec, items = _job(**job)
        expected = [frame.image for frame in run_job(spec, load_engine("flow"), items)]
        assert same(upscaled(one, spec, items), expected)
        assert same(upscaled(three, spec, items), expected)


def _job(count, keyframes, chunk_length=None, chunk_overlap=None):
    spec, items = random_job(count=count, keyframes=keyframes, engine="flow", seed=count)
    chunks = dict(chunk_length=chunk_length, chunk_overlap=chunk_overlap)
    return dataclasses.replace(spec, **chunks), items


class DeviceEngine(BilinearEngine):
    """Bilinear, and records on which device each window ran."""

    ran: list[tuple[str, int]] = []
    lock = threading.Lock()

    def __init__(self, device: str | None = None):
        super().__init__(delay_s=0.05)
        self.device = device

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        with self.lock:
            self.ran.append((self.device, chunk.start))
        return super().upscale_chunk(chunk)


def test_each_worker_loads_its_engine_on_its_device_and_windows_spread(tmp_path):
    DeviceEngine.ran.clear()
    engines = {"bilinear": (BILINEAR_INFO, DeviceEngine)}
    config = ServerConfig(port=0, devices=("cuda:0", "cuda:1"), workers=2)
    server = BackgroundServer(config, engines | {"flow": (BILINEAR_INFO, DeviceEngine)})
    try:
        # The bilinear engine's windows never depend on each other: two jobs, eight windows each.
        jobs = [random_job(count=48, seed=seed) for seed in (1, 2)]
        results: list = [None, None]

        def run(number: int) -> None:
            results[number] = upscaled(server, *jobs[number])

        threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for (spec, items), got in zip(jobs, results):
            assert same(got, [f.image for f in run_job(spec, BilinearEngine(), items)])
        with Client(server.address) as client:
            info = client.server_info()
    finally:
        server.stop()
    devices = {device for device, _ in DeviceEngine.ran}
    assert devices == {"cuda:0", "cuda:1"}  # the factory got each worker's device
    assert info.workers == 2 and info.worker_devices == ("cuda:0", "cuda:1")


def test_devices_are_parsed_and_checked():
    assert parse_devices("0,1") == ("cuda:0", "cuda:1")
    assert parse_devices("cuda:1, cpu") == ("cuda:1", "cpu")
    with pytest.raises(InvalidInputError, match="distinct indices"):
        parse_devices("0,0")
    with pytest.raises(InvalidInputError, match="2 devices need 2 workers"):
        ServerConfig(devices=("cuda:0", "cuda:1"), workers=1)
