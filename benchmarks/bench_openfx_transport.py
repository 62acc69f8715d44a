"""OpenFX plug-in benchmark: the window handover by file against a raw loopback socket moving the
same bytes, and render time per frame at 1080p through the test OFX host with the flow engine.

Run: .venv/bin/python benchmarks/bench_openfx_transport.py [--windows 6] [--render-frames 16]
     [--gateway http://127.0.0.1:50052]   (else it starts `sparkvsr serve --gateway-port 0`)
Builds the plug-in with CMake into a temporary folder. Prints figures; it asserts nothing.
The transport part needs only numpy (--transport-only), so it also runs on a quieter machine.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "openfx"))

# One 16-frame window of a UHD timeline restored x4: 960x540 RGBA 16-bit in, 3840x2160 out.
FRAMES, IN_SHAPE, SCALE = 16, (540, 960, 4), 4
IN_BYTES = FRAMES * int(np.prod(IN_SHAPE)) * 2
OUT_BYTES = IN_BYTES * SCALE * SCALE
HANDOVER = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()


def file_server(requests, replies) -> None:
    """Reads each handed-over window and writes an output file of the output's size."""
    incoming, output = bytearray(IN_BYTES), np.zeros(OUT_BYTES, np.uint8)
    while (path := requests.get()) is not None:
        with open(path, "rb", buffering=0) as f:
            f.readinto(incoming)
        out_path = path + ".out"
        output[:IN_BYTES] = np.frombuffer(incoming, np.uint8)
        with open(out_path, "wb", buffering=0) as f:
            f.write(output.data)
        replies.put(out_path)


def socket_server(port_reply) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port_reply.put(listener.getsockname()[1])
    connection, _ = listener.accept()
    incoming, output = bytearray(IN_BYTES), np.zeros(OUT_BYTES, np.uint8)
    view = memoryview(incoming)
    while True:
        got = 0
        while got < IN_BYTES:
            n = connection.recv_into(view[got:])
            if n == 0:
                return
            got += n
        output[:IN_BYTES] = np.frombuffer(incoming, np.uint8)
        connection.sendall(output)


def file_fps(windows: int, window: bytes) -> float:
    requests, replies = mp.Queue(), mp.Queue()
    server = mp.Process(target=file_server, args=(requests, replies))
    server.start()
    result = bytearray(OUT_BYTES)
    started = time.perf_counter()
    for i in range(windows):
        path = f"{HANDOVER}/sparkvsr-bench-{os.getpid()}-{i}"
        with open(path, "wb", buffering=0) as f:
            f.write(window)
        requests.put(path)
        out_path = replies.get()
        with open(out_path, "rb", buffering=0) as f:
            assert f.readinto(result) == OUT_BYTES
        os.unlink(path)
        os.unlink(out_path)
    elapsed = time.perf_counter() - started
    requests.put(None)
    server.join()
    return windows * FRAMES / elapsed


def socket_fps(windows: int, window: bytes) -> float:
    port_reply = mp.Queue()
    server = mp.Process(target=socket_server, args=(port_reply,))
    server.start()
    client = socket.create_connection(("127.0.0.1", port_reply.get()))
    result = bytearray(OUT_BYTES)
    view = memoryview(result)
    started = time.perf_counter()
    for _ in range(windows):
        client.sendall(window)
        got = 0
        while got < OUT_BYTES:
            got += client.recv_into(view[got:])
    elapsed = time.perf_counter() - started
    client.close()
    server.join()
    return windows * FRAMES / elapsed


def start_gateway() -> tuple[subprocess.Popen, str]:
    """`sparkvsr serve` with its gateway on a free port; the URL from its log line."""
    command = [sys.executable, "-m", "sparkvsr", "serve", "--port", "0", "--gateway-port", "0"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:
        if found := re.search(r"gateway listening on (http://\S+)", line):
            return server, found.group(1)
    raise RuntimeError("sparkvsr serve exited before its gateway listened")


def render_seconds(gateway: str, frame_count: int) -> tuple[float, float]:
    """First frame of a 1080p window (the job) and the mean of its other frames (cached)."""
    import cv2
    from ofx_host import OfxTestHost
    from ofx_instance import EffectInstance

    from sparkvsr.demo import camera_clip, sample_photo
    from sparkvsr_openfx import build, bundle_binary

    low = camera_clip(sample_photo("motorcycle"), (480, 270), frame_count, seed=3)
    frames = np.stack([cv2.resize(f, (1920, 1080), interpolation=cv2.INTER_CUBIC) for f in low])
    frames = np.concatenate([frames, np.full((*frames.shape[:3], 1), 255, np.uint8)], axis=3)
    with tempfile.TemporaryDirectory() as build_dir:
        host = OfxTestHost(str(bundle_binary(Path(build(Path(build_dir))).parent)))
        effect = EffectInstance(host, frames)
        effect.set(server=gateway.removeprefix("http://"), window=frame_count)
        times = []
        for t in range(frame_count):
            started = time.perf_counter()
            status, _ = effect.render(t)
            times.append(time.perf_counter() - started)
            assert status == 0 and effect.message() is None, effect.message()
        effect.destroy()
    return times[0], float(np.mean(times[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--render-frames", type=int, default=16)
    parser.add_argument("--gateway", help="a running gateway's URL (default: start one)")
    parser.add_argument("--transport-only", action="store_true")
    args = parser.parse_args()
    window = np.random.default_rng(0).integers(0, 256, IN_BYTES, np.uint8).tobytes()
    by_file, by_socket = file_fps(args.windows, window), socket_fps(args.windows, window)
    print(f"window {FRAMES} x {IN_SHAPE[1]}x{IN_SHAPE[0]} RGBA16 in, x{SCALE} out "
          f"({(IN_BYTES + OUT_BYTES) / FRAMES / 1e6:.1f} MB per frame both ways)")  # fmt: skip
    print(f"file handover via {HANDOVER}: {by_file:.1f} frames/s; loopback socket: "
          f"{by_socket:.1f} frames/s; ratio {by_file / by_socket:.2f}")  # fmt: skip
    if args.transport_only:
        return
    server, gateway = (None, args.gateway) if args.gateway else start_gateway()
    try:
        first, cached = render_seconds(gateway, args.render_frames)
    finally:
        if server:
            server.terminate()
    per_frame = (first + cached * (args.render_frames - 1)) / args.render_frames
    print(f"render 1920x1080 restore x4, flow engine, window {args.render_frames}: "
          f"{first:.2f} s for the window's first frame (the job), {cached * 1000:.0f} ms per "
          f"cached frame, {per_frame:.2f} s per frame overall")  # fmt: skip


if __name__ == "__main__":
    main()
