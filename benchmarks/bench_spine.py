"""Spine benchmark: whole-job frames/s in process, and gRPC frame transport against a raw socket.

Run: .venv/bin/python benchmarks/bench_spine.py [--frames 96] [--transport-mb 1500]
Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from sparkvsr.client import Client
from sparkvsr.demo import camera_clip, degrade, sample_photo
from sparkvsr.engines import Engine, EngineChunk, EngineInfo, engine_entry
from sparkvsr.media import FrameWriter, write_still
from sparkvsr.specs import FrameLayout, JobSpec, SourceFrame
from sparkvsr.upscale_file import FileJob, upscale_file
from sparkvsr_server import BackgroundServer, ServerConfig

COPY_INFO = EngineInfo(
    "copy",
    "returns its input (transport benchmark)",
    scales=(1,),
    min_keyframe_gap=1,
    chunk_length=8,
    chunk_overlap=0,
    default_scale=1,
)


class CopyEngine(Engine):
    """Scale 1, no work: what remains of a job's time is transport and bookkeeping."""

    info = COPY_INFO

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        return chunk.frames


def whole_job_fps(frame_count: int, workdir: Path) -> tuple[float, str]:
    """Decode + flow engine + ProRes encode at 480x270 -> 1920x1080, keyframe every 32 frames."""
    truth = camera_clip(
        sample_photo("hubble_deep_field"), (1920, 1080), frame_count, seed=0, zoom=(0.45, 0.4)
    )
    source = workdir / "source.mov"
    with FrameWriter(str(source), FrameLayout(480, 270), Fraction(24), codec="prores_4444") as w:
        for frame in degrade(truth, 4):
            w.write(frame)
    stills = []
    for index in range(0, frame_count, 32):
        path = workdir / f"hr_{index}.png"
        write_still(str(path), truth[index])
        stills.append((index, str(path)))
    job = FileJob(str(source), str(workdir / "out.mov"), keyframe_stills=tuple(stills))
    start = time.perf_counter()
    upscale_file(job)
    seconds = time.perf_counter() - start
    return (
        frame_count / seconds,
        f"{frame_count} frames, 480x270 -> 1920x1080, {len(stills)} keyframes",
    )


def grpc_transport_mb_s(total_mb: int) -> float:
    """1080p 8-bit RGB frames through Upscale with the copy engine: bytes up plus bytes down."""
    layout = FrameLayout(1920, 1080)
    count = max(8, total_mb * 2**20 // (2 * layout.nbytes))
    frame = np.random.default_rng(0).integers(0, 256, layout.shape, dtype=np.uint8)
    spec = JobSpec(count, layout, scale=1, engine="copy")
    flow = engine_entry("flow")
    engines = {"flow": (flow.info, flow.load), "copy": (COPY_INFO, CopyEngine)}
    with (
        BackgroundServer(ServerConfig(port=0), engines) as server,
        Client(server.address) as client,
    ):
        client.server_info()
        start = time.perf_counter()
        received = sum(
            1 for _ in client.upscale(spec, (SourceFrame(i, frame) for i in range(count)))
        )
        seconds = time.perf_counter() - start
    assert received == count
    return 2 * count * layout.nbytes / seconds / 1e6


def raw_socket_mb_s(total_mb: int) -> float:
    """One TCP connection on 127.0.0.1: sendall in one thread, recv_into in another."""
    payload = memoryview(np.random.default_rng(0).bytes(4 * 2**20))
    total = total_mb * 2**20
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def send() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sender:
            sent = 0
            while sent < total:
                sender.sendall(payload)
                sent += len(payload)

    sender = threading.Thread(target=send)
    start = time.perf_counter()
    sender.start()
    connection, _ = listener.accept()
    buffer = bytearray(4 * 2**20)
    got = 0
    while got < total and (n := connection.recv_into(buffer)):
        got += n
    seconds = time.perf_counter() - start
    sender.join()
    connection.close()
    listener.close()
    return got / seconds / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=96)
    parser.add_argument("--transport-mb", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        fps, what = whole_job_fps(args.frames, Path(workdir))
    grpc_rate = grpc_transport_mb_s(args.transport_mb)
    socket_rate = raw_socket_mb_s(args.transport_mb)
    print(f"in-process job ({what}): {fps:.2f} frames/s, {1 / fps:.3f} s/frame")
    print(f"gRPC frame transport (1080p RGB, up + down): {grpc_rate:.0f} MB/s")
    print(f"raw loopback socket copy:                    {socket_rate:.0f} MB/s")
    print(f"gRPC / raw socket: {grpc_rate / socket_rate:.2f}")


if __name__ == "__main__":
    main()
