"""Soak: many clients run many small jobs on one server (loopback), some disconnecting mid-job and
reattaching, some cancelling; every frame of every job not cancelled must come back exact. Beside
the gRPC clients, WebSocket clients of the gateway run path-based media jobs (some cancelling),
one socket floods the gateway with calls, and a probe times a small call meanwhile.

The server runs in its own process (the flow engine, a temporary durable store), so its peak
memory is its own. Each job is one of a few templates whose frames were computed in process
first; a frame that is missing or differs counts as lost.

Run: .venv/bin/python benchmarks/bench_soak.py [--seconds 20] [--clients 12] [--ws-clients 4]
    [--no-flood]
Prints jobs completed, reattached and cancelled, frames lost (must be 0), errors (must be 0), the
probe's latency and peak server memory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _soak_gateway import digest, make_media_clip, run_gateway_clients

from sparkvsr.client import Client
from sparkvsr.engines import load_engine
from sparkvsr.errors import JobCancelledError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

# The server as a base install runs it (flow needs no torch): its memory is the job machinery's.
SERVER = """
import sys, threading
sys.modules["torch"] = None
from sparkvsr_server import BackgroundServer, ServerConfig
config = ServerConfig(
    port=0, gateway_port=0, spool_dir=sys.argv[1], max_queued_jobs=256, workers=2
)
server = BackgroundServer(config)
print(server.port, server.server.gateway.port, flush=True)
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
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


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
    parser.add_argument("--ws-clients", type=int, default=4, help="gateway media-job clients")
    parser.add_argument("--no-flood", action="store_true", help="no flooding socket")
    args = parser.parse_args()
    templates = make_templates(4)
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        work = Path(folder)
        clip = make_media_clip(work)
        (work / "spool").mkdir()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(work / "spool")], stdout=subprocess.PIPE, text=True
        )
        try:
            grpc_port, gateway_port = server.stdout.readline().split()
            address = f"127.0.0.1:{grpc_port}"
            tally = Tally()
            deadline = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=client_loop, args=(address, templates, deadline, i, tally))
                for i in range(args.clients)
            ]
            gateway = {}
            threads.append(
                threading.Thread(
                    target=lambda: gateway.update(
                        tally=asyncio.run(
                            run_gateway_clients(
                                f"http://127.0.0.1:{gateway_port}",
                                clip,
                                work / "outputs",
                                deadline,
                                args.ws_clients,
                                not args.no_flood,
                            )
                        )
                    )
                )
            )
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
    print(f"gRPC clients            {args.clients} for {elapsed:.1f} s (loopback)")
    print(f"jobs completed          {tally.completed} ({tally.completed / elapsed:.1f}/s)")
    print(f"  of which reattached   {tally.reattached}")
    print(f"jobs cancelled          {tally.cancelled}")
    print(f"frames received         {tally.frames}")
    print(f"frames lost             {tally.lost}")
    print(f"errors                  {len(tally.errors)}")
    for error in tally.errors[:5]:
        print(f"  {error}")
    for line in gateway["tally"].report():
        print(line)
    print(f"peak server memory      {peak / 1024:.0f} MiB (VmHWM)")


if __name__ == "__main__":
    main()
