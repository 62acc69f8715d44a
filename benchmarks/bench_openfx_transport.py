"""OpenFX plug-in benchmark: the window handover by file (the server's own RunWindow input
mapping, hashing and output store) against a raw loopback socket moving the same bytes each way,
and render time per frame at 1080p through the test OFX host with the flow engine.

The handover is timed twice: while the output store fills (each output gets fresh memory) and
once it is full (a server that has run a while: evicted outputs' memory is written over).

Run: .venv/bin/python benchmarks/bench_openfx_transport.py [--windows 6] [--rounds 5]
     [--render-frames 16]
     [--gateway http://127.0.0.1:50052]   (else it starts `sparkvsr serve --gateway-port 0`)
Builds the plug-in with CMake into a temporary folder. Prints figures; it asserts nothing.
--transport-only skips the render part (no plug-in build, no server).
"""

from __future__ import annotations

import argparse
import mmap
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "openfx"))

# One 16-frame window of a UHD timeline restored x4: 960x540 RGBA 16-bit in, 3840x2160 out.
FRAMES, IN_SHAPE, SCALE = 16, (540, 960, 4), 4
OUT_SHAPE = (IN_SHAPE[0] * SCALE, IN_SHAPE[1] * SCALE, 4)
IN_BYTES = FRAMES * int(np.prod(IN_SHAPE)) * 2
OUT_FRAME_BYTES = int(np.prod(OUT_SHAPE)) * 2
OUT_BYTES = FRAMES * OUT_FRAME_BYTES
HANDOVER = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()


def engine_output() -> np.ndarray:
    """What both servers answer every window with (no engine runs: only transport is timed)."""
    return np.random.default_rng(1).integers(0, 65536, OUT_SHAPE, np.uint16)


def file_server(requests, replies, budget: int) -> None:
    """The server's RunWindow path without the engine: the input mapped and hashed for the
    cache key, the output written into the window store (shared memory, byte budget)."""
    from sparkvsr.api.v1 import upscale_pb2 as pb
    from sparkvsr.specs import FrameLayout
    from sparkvsr_server.windows._handover import _read_window
    from sparkvsr_server.windows._output_store import OutputStore

    layout = FrameLayout(IN_SHAPE[1], IN_SHAPE[0], 4, 16)  # top-down, as the plug-in sends
    store, image = OutputStore(Path(tempfile.mkdtemp()), budget), engine_output()
    spare = threading.Thread()
    try:
        while (path := requests.get()) is not None:
            request = pb.RunWindowRequest(input_path=path, frame_count=FRAMES)
            key, _ = _read_window(request, "bench", layout)
            images = (image for _ in range(FRAMES))
            replies.put(str(store.write(key, images, OUT_BYTES, bottom_up=False)))
            # As the server's WindowHandover does after a reply: the next window's memory ahead.
            spare = threading.Thread(target=store.prepare_spare, args=(OUT_BYTES,))
            spare.start()
    finally:
        if spare.is_alive():
            spare.join()
        store.close()


def socket_server(port_reply) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port_reply.put(listener.getsockname()[1])
    connection, _ = listener.accept()
    incoming, image = bytearray(IN_BYTES), engine_output()
    view = memoryview(incoming)
    while True:
        got = 0
        while got < IN_BYTES:
            n = connection.recv_into(view[got:])
            if n == 0:
                return
            got += n
        for _ in range(FRAMES):
            connection.sendall(image)


def file_fps(windows: int, window: bytearray) -> tuple[float, float]:
    """The plug-in's side: the window written to a fresh file, each output frame mapped (with
    the plug-in's flags) and copied into the host's image. Frames per second while the store
    fills (`windows` of them) and once it is full (as many again)."""
    requests, replies = mp.Queue(), mp.Queue()
    server = mp.Process(target=file_server, args=(requests, replies, windows * OUT_BYTES))
    server.start()
    host_image = np.empty(OUT_FRAME_BYTES, np.uint8)
    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
    elapsed = []
    for i in range(2 * windows):
        if i % windows == 0:
            elapsed.append(-time.perf_counter())
        window[0] = i  # a new window each time, as for the socket: no cache hits
        fd, path = tempfile.mkstemp(prefix="sparkvsr-bench-", dir=HANDOVER)
        with open(fd, "wb", buffering=0) as f:
            f.write(window)
        requests.put(path)
        with open(replies.get(), "rb") as output:
            for t in range(FRAMES):
                frame = mmap.mmap(output.fileno(), OUT_FRAME_BYTES, flags, mmap.PROT_READ,
                                  offset=t * OUT_FRAME_BYTES)  # fmt: skip
                host_image[:] = np.frombuffer(frame, np.uint8)
                frame.close()
        os.unlink(path)
        if i % windows == windows - 1:
            elapsed[-1] += time.perf_counter()
    requests.put(None)
    server.join()
    filling, full = (windows * FRAMES / seconds for seconds in elapsed)
    return filling, full


def socket_fps(windows: int, window: bytearray) -> float:
    port_reply = mp.Queue()
    server = mp.Process(target=socket_server, args=(port_reply,))
    server.start()
    client = socket.create_connection(("127.0.0.1", port_reply.get()))
    host_image = bytearray(OUT_FRAME_BYTES)
    view = memoryview(host_image)
    started = time.perf_counter()
    for i in range(windows):
        window[0] = i
        client.sendall(window)
        for _ in range(FRAMES):
            got = 0
            while got < OUT_FRAME_BYTES:
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
        if found := re.search(r"gateway (http://[^\s,]+)", line):
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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--render-frames", type=int, default=16)
    parser.add_argument("--gateway", help="a running gateway's URL (default: start one)")
    parser.add_argument("--transport-only", action="store_true")
    args = parser.parse_args()
    window = bytearray(np.random.default_rng(0).integers(0, 256, IN_BYTES, np.uint8).tobytes())
    rounds = []  # (filling, full, socket): interleaved, as loopback throughput drifts
    for _ in range(args.rounds):
        rounds.append((*file_fps(args.windows, window), socket_fps(args.windows, window)))
    filling, full, by_socket = np.median(np.array(rounds), axis=0)
    print(f"window {FRAMES} x {IN_SHAPE[1]}x{IN_SHAPE[0]} RGBA16 in, x{SCALE} out "
          f"({(IN_BYTES + OUT_BYTES) / FRAMES / 1e6:.1f} MB per frame both ways); "
          f"medians of {args.rounds} interleaved rounds")  # fmt: skip
    print(f"loopback socket: {by_socket:.1f} frames/s")
    for label, fps in (("store filling", filling), ("store full", full)):
        print(f"file handover via {HANDOVER}, {label}: {fps:.1f} frames/s; "
              f"ratio to the socket {fps / by_socket:.2f}")  # fmt: skip
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
