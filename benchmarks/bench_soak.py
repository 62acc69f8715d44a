"""Soak: many clients run many small jobs on one server (loopback), some disconnecting mid-job and
reattaching, some cancelling; every frame of every job not cancelled must come back exact.

Beside the gRPC clients, WebSocket clients of the gateway run path-based media jobs (the panel's
way: StartMediaJob, watchJob, some cancelJob) whose movies must decode to the frames of the same
job run in process, and one socket floods the gateway with requests. A prober measures how long
other clients wait for a reply meanwhile.

The server runs in its own process (the flow engine, a temporary durable store), so its peak
memory is its own. Each job is one of a few templates whose frames were computed in process
first; a frame that is missing or differs counts as lost.

Run: .venv/bin/python benchmarks/bench_soak.py [--seconds 20] [--clients 12] [--ws-clients 4]
Prints jobs completed, reattached and cancelled, frames lost (must be 0), errors (must be 0), the
flood's requests, other clients' reply latency and peak server memory.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import aiohttp
import numpy as np

from sparkvsr.client import Client
from sparkvsr.engines import load_engine
from sparkvsr.errors import JobCancelledError
from sparkvsr.media import FrameWriter, read_frames
from sparkvsr.pipeline import run_job
from sparkvsr.runners import LocalRunner
from sparkvsr.settings import JobSettings
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr.upscale_file import FileJob, upscale_file

# The server as a base install runs it (flow needs no torch): its memory is the job machinery's.
SERVER = """
import sys, threading
sys.modules["torch"] = None
from sparkvsr_server import BackgroundServer, ServerConfig
config = ServerConfig(
    port=0, spool_dir=sys.argv[1], max_queued_jobs=256, workers=2, gateway_port=0
)
server = BackgroundServer(config)
print(server.port, server.gateway_url, flush=True)
threading.Event().wait()
"""


@dataclass(frozen=True)
class Template:
    spec: JobSpec
    items: list
    digests: tuple[str, ...]


@dataclass
class Tally:
    completed: int = 0
    reattached: int = 0
    cancelled: int = 0
    frames: int = 0
    lost: int = 0
    media_completed: int = 0
    media_cancelled: int = 0
    flood_requests: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def digest(image: np.ndarray) -> str:
    return hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()


def make_templates(count: int) -> list[Template]:
    engine = load_engine("flow")
    templates = []
    for seed in range(count):
        rng = np.random.default_rng(seed)
        frames = 8 + 8 * seed
        layout = FrameLayout(48, 32)
        spec = JobSpec(frames, layout, scale=4, engine="flow", keyframe_indices=(0,))
        items = [Keyframe(0, rng.integers(0, 256, spec.output_layout.shape, dtype=np.uint8))]
        items += [
            SourceFrame(i, rng.integers(0, 256, layout.shape, dtype=np.uint8))
            for i in range(frames)
        ]
        digests = tuple(digest(f.image) for f in run_job(spec, engine, items))
        templates.append(Template(spec, items, digests))
    return templates


def one_job(address: str, template: Template, behaviour: str, tally: Tally) -> None:
    got: list[str] = []
    client = Client(address)
    run = client.upscale(template.spec, template.items)
    frames = iter(run)
    try:
        for frame in frames:
            got.append(digest(frame.image))
            if behaviour == "cancel":
                client.cancel(run.job_id)
            elif behaviour == "disconnect" and run.server_has_input and len(got) >= 2:
                break
    except JobCancelledError:
        tally.add(cancelled=1)
        return
    finally:
        client.close()  # first: a run closed while connected would cancel its job
        frames.close()
    if len(got) < template.spec.frame_count:  # disconnected: a new client reattaches
        with Client(address) as again:
            got += [digest(f.image) for f in again.fetch_frames(run.job_id, len(got))]
        tally.add(reattached=1)
    lost = sum(a != b for a, b in zip(got, template.digests))
    lost += abs(len(template.digests) - len(got))
    tally.add(completed=1, frames=len(got), lost=lost)


def client_loop(address, templates, deadline, seed, tally) -> None:
    chooser = random.Random(seed)
    while time.monotonic() < deadline:
        behaviour = chooser.choices(["normal", "disconnect", "cancel"], [6, 2, 1])[0]
        try:
            one_job(address, chooser.choice(templates), behaviour, tally)
        except Exception as error:  # noqa: BLE001 - counted and printed, the soak goes on
            with tally.lock:
                tally.errors.append(f"{behaviour}: {type(error).__name__}: {error}")


@dataclass(frozen=True)
class Movie:
    """A source movie for media jobs and the digests of its upscaled frames (run in process)."""

    path: str
    digests: tuple[str, ...]


def make_movie(folder: Path) -> Movie:
    rng = np.random.default_rng(7)
    source = folder / "source.mov"
    with FrameWriter(str(source), FrameLayout(48, 32), Fraction(24)) as writer:
        for _ in range(16):
            writer.write(rng.integers(0, 256, (32, 48, 3), dtype=np.uint8))
    reference = folder / "reference.mov"
    job = FileJob(str(source), str(reference), JobSettings(engine="flow", audio=False))
    upscale_file(job, LocalRunner())
    return Movie(str(source), tuple(digest(frame) for frame in read_frames(str(reference))))


async def media_job(socket, movie: Movie, output: Path, cancel: bool, tally: Tally) -> None:
    """One path-based job over the WebSocket: started, watched to its end (or cancelled)."""
    spec = {"sourcePath": movie.path, "outputPath": str(output)}
    spec["settings"] = {"engine": "flow", "audio": False, "overwrite": True}
    await socket.send_str(json.dumps({"requestId": 1, "startMediaJob": {"spec": spec}}))
    started = json.loads((await socket.receive(timeout=60)).data)
    if "error" in started:
        raise RuntimeError(started["error"]["message"])
    job_id = started["mediaJobStarted"]["jobId"]
    await socket.send_str(json.dumps({"requestId": 2, "watchJob": {"jobId": job_id}}))
    while True:
        reply = json.loads((await socket.receive(timeout=60)).data)
        state = reply.get("progress", {}).get("state", "")
        if cancel and int(reply.get("progress", {}).get("framesDone", 0)):
            await socket.send_str(json.dumps({"requestId": 3, "cancelJob": {"jobId": job_id}}))
            cancel = False
        if reply.get("final") and reply["requestId"] == "2":
            break
    if state == "JOB_STATE_CANCELLED":
        tally.add(media_cancelled=1)
        return
    if state != "JOB_STATE_SUCCEEDED":
        raise RuntimeError(f"media job {job_id} ended {state}: {reply['progress'].get('message')}")
    got = [digest(frame) for frame in read_frames(str(output))]
    lost = sum(a != b for a, b in zip(got, movie.digests)) + abs(len(got) - len(movie.digests))
    tally.add(media_completed=1, frames=len(got), lost=lost)
    output.unlink()


async def ws_client(url, movie, folder: Path, deadline, seed, tally) -> None:
    chooser = random.Random(seed)
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            output = folder / f"ws{seed}-{chooser.randrange(1 << 30)}.mov"
            try:
                async with session.ws_connect(f"{url.replace('http', 'ws')}/v1/ws") as socket:
                    await media_job(socket, movie, output, chooser.random() < 0.2, tally)
            except Exception as error:  # noqa: BLE001 - counted and printed, the soak goes on
                with tally.lock:
                    tally.errors.append(f"websocket: {type(error).__name__}: {error}")


async def flood(url, deadline, tally) -> None:
    """One socket sending requests as fast as it can, reading replies as they come."""
    request = json.dumps({"requestId": 1, "getServerInfo": {}})
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url.replace('http', 'ws')}/v1/ws") as socket:

            async def read():
                async for _ in socket:
                    pass

            reader = asyncio.create_task(read())
            while time.monotonic() < deadline:
                await socket.send_str(request)  # waits when the server reads no further
                tally.add(flood_requests=1)
            reader.cancel()


async def probe(url, deadline, tally) -> None:
    """Another client's reply latency, every 0.1 s, over HTTP."""
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            began = time.monotonic()
            async with session.post(f"{url}/v1/GetServerInfo", json={}) as reply:
                await reply.read()
            with tally.lock:
                tally.latencies.append(time.monotonic() - began)
            await asyncio.sleep(0.1)


def gateway_clients(url, movie, folder, deadline, count, tally) -> None:
    async def everything():
        await asyncio.gather(
            flood(url, deadline, tally),
            probe(url, deadline, tally),
            *(ws_client(url, movie, folder, deadline, n, tally) for n in range(count)),
        )

    asyncio.run(everything())


def peak_memory_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--ws-clients", type=int, default=4)
    args = parser.parse_args()
    templates = make_templates(4)
    with tempfile.TemporaryDirectory(prefix="soak-") as spool:
        movie = make_movie(Path(spool))
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(Path(spool) / "spool")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            port, gateway = server.stdout.readline().split()
            address = f"127.0.0.1:{port}"
            tally = Tally()
            deadline = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=client_loop, args=(address, templates, deadline, i, tally))
                for i in range(args.clients)
            ]
            gateway_args = (gateway, movie, Path(spool), deadline, args.ws_clients, tally)
            threads.append(threading.Thread(target=gateway_clients, args=gateway_args))
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            peak = peak_memory_kib(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    print(f"clients                 {args.clients} for {elapsed:.1f} s (loopback)")
    print(f"gRPC jobs completed     {tally.completed} ({tally.completed / elapsed:.1f}/s)")
    print(f"  of which reattached   {tally.reattached}")
    print(f"gRPC jobs cancelled     {tally.cancelled}")
    print(f"media jobs completed    {tally.media_completed} (WebSocket, {args.ws_clients} clients)")
    print(f"media jobs cancelled    {tally.media_cancelled}")
    print(f"flood requests sent     {tally.flood_requests} (one socket)")
    waits = sorted(tally.latencies) or [0.0]
    print(
        f"others' reply latency   median {1000 * waits[len(waits) // 2]:.0f} ms, "
        f"p95 {1000 * waits[int(len(waits) * 0.95)]:.0f} ms, max {1000 * waits[-1]:.0f} ms "
        f"({len(tally.latencies)} probes)"
    )
    print(f"frames received         {tally.frames}")
    print(f"frames lost             {tally.lost}")
    print(f"errors                  {len(tally.errors)}")
    for error in tally.errors[:5]:
        print(f"  {error}")
    print(f"peak server memory      {peak / 1024:.0f} MiB (VmHWM)")


if __name__ == "__main__":
    main()
