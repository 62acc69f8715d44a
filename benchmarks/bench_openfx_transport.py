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
--scrub [--before COMMIT] [--scrub-window 8] compares, for a 1920x1080 Restore x4 render, the
plug-in built from COMMIT's sources (default: where the branch left main) with the working tree's:
milliseconds and source fetches per frame for the window's first pass (its job), a scrub back
through it in the same instance, and a fresh instance on the window the server now holds.
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
            keys, _ = _read_window(request, "bench", layout)
            images = (image for _ in range(FRAMES))
            replies.put(str(store.write(keys.window, images, OUT_BYTES, bottom_up=False)))
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


def host_clip(frame_count: int, seed: int) -> np.ndarray:
    """A 1080p RGBA clip as an NLE hands a 480x270 source on a 1080p timeline."""
    import cv2

    from sparkvsr.demo import camera_clip, sample_photo

    low = camera_clip(sample_photo("motorcycle"), (480, 270), frame_count, seed=seed)
    frames = np.stack([cv2.resize(f, (1920, 1080), interpolation=cv2.INTER_CUBIC) for f in low])
    return np.concatenate([frames, np.full((*frames.shape[:3], 1), 255, np.uint8)], axis=3)


def render_seconds(gateway: str, frame_count: int) -> tuple[float, float]:
    """First frame of a 1080p window (the job) and the mean of its other frames (cached)."""
    from ofx_host import OfxTestHost
    from ofx_instance import EffectInstance

    from sparkvsr_openfx import build, bundle_binary

    frames = host_clip(frame_count, seed=3)
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


def build_plugin(sources: Path, build_dir: Path) -> str:
    """The plug-in built with CMake from a source folder; its binary's path."""
    for step in (
        ["cmake", "-S", str(sources), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release"],
        ["cmake", "--build", str(build_dir), "--parallel", "2"],
    ):
        subprocess.run(step, check=True, capture_output=True)
    return str(next(build_dir.glob("SparkVSR.ofx.bundle/Contents/*/SparkVSR.ofx")))


def native_sources(commit: str | None, into: Path) -> Path:
    """The plug-in's CMake project at `commit` (None: the working tree)."""
    native = Path(__file__).resolve().parents[1] / "plugin_clients" / "openfx" / "native"
    if commit is None:
        return native
    archive = subprocess.run(
        ["git", "archive", commit, "plugin_clients/openfx/native"],
        cwd=native.parents[2], check=True, capture_output=True,
    ).stdout  # fmt: skip
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "plugin_clients" / "openfx" / "native"


def scrub_passes(binary: str, gateway: str, frames: np.ndarray, window: int) -> list[tuple]:
    """(ms per frame, source fetches per frame) for a window's first pass, a scrub back through
    it in the same instance, and a fresh instance on the window the server holds."""
    from ofx_host import OfxTestHost
    from ofx_instance import EffectInstance

    host = OfxTestHost(binary)
    effect = EffectInstance(host, frames)
    passes = []
    for times in (range(window), reversed(range(window)), "fresh"):
        if times == "fresh":
            effect.destroy()
            effect, times = EffectInstance(host, frames), range(window)
        effect.set(server=gateway.removeprefix("http://"), window=window)
        host.fetched.clear()
        started = time.perf_counter()
        for t in times:
            status, _ = effect.render(t)
            assert status == 0 and effect.message() is None, effect.message()
        seconds = time.perf_counter() - started
        passes.append((seconds * 1000 / window, len(host.fetched) / window))
    effect.destroy()
    return passes


def scrub(gateway: str, before: str, window: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        results = {}
        for seed, (label, commit) in enumerate((("before", before), ("after", None)), start=5):
            sources = native_sources(commit, scratch / label)
            binary = build_plugin(sources, scratch / f"build-{label}")
            # Each its own clip, so that neither finds the other's windows on the server.
            results[label] = scrub_passes(binary, gateway, host_clip(window, seed), window)
    print(f"render 1920x1080 restore x4, flow engine, window {window}, before = {before}:")
    names = ("first pass (the job)", "scrub back, same instance", "fresh instance, cached")
    for i, name in enumerate(names):
        (ms_b, fetch_b), (ms_a, fetch_a) = results["before"][i], results["after"][i]
        print(f"  {name}: before {ms_b:.0f} ms/frame, {fetch_b:.2f} fetches/frame; "
              f"after {ms_a:.0f} ms/frame, {fetch_a:.2f} fetches/frame")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--render-frames", type=int, default=16)
    parser.add_argument("--gateway", help="a running gateway's URL (default: start one)")
    parser.add_argument("--transport-only", action="store_true")
    parser.add_argument("--scrub", action="store_true")
    parser.add_argument(
        "--before", help="the commit --scrub compares with (default: where this branch left main)"
    )
    parser.add_argument("--scrub-window", type=int, default=8)
    args = parser.parse_args()
    if args.scrub:
        before = (
            args.before
            or subprocess.run(
                ["git", "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
            ).stdout.strip()[:12]
        )
        server, gateway = (None, args.gateway) if args.gateway else start_gateway()
        try:
            scrub(gateway, before, args.scrub_window)
        finally:
            if server:
                server.terminate()
        return
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
