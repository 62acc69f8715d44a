"""The gateway's side of the soak (bench_soak.py): WebSocket clients running path-based media
jobs (some cancelling), one socket flooding the gateway with calls, and a probe timing a small
call meanwhile, all on one event loop."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import statistics
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import aiohttp
import numpy as np

from sparkvsr.media import FrameWriter, read_frames, write_still
from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.specs import FrameLayout
from sparkvsr.upscale_file import upscale_file

FLOOD_LIMIT = 20_000  # calls the flooding socket sends at most


@dataclass
class MediaClip:
    """A small movie and a keyframe still on disk, and the digests of what upscaling gives."""

    movie: Path
    still: Path
    frame_count: int
    digests: tuple[str, ...] = ()


@dataclass
class GatewayTally:
    completed: int = 0
    cancelled: int = 0
    frames: int = 0
    lost: int = 0
    leftovers: int = 0
    flood_sent: int = 0
    flood_answered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        lat = sorted(self.latencies_ms) or [float("nan")]
        return [
            f"gateway media jobs      {self.completed} completed, {self.cancelled} cancelled",
            f"  frames received       {self.frames}, lost {self.lost}",
            f"  files left behind     {self.leftovers} (cancelled jobs)",
            f"flooding socket         {self.flood_sent} calls sent, {self.flood_answered} answered",
            f"probe GetServerInfo     median {statistics.median(lat):.1f} ms, "
            f"p99 {lat[int(0.99 * (len(lat) - 1))]:.1f} ms, max {lat[-1]:.1f} ms "
            f"({len(self.latencies_ms)} calls)",
            f"gateway errors          {len(self.errors)}",
            *(f"  {error}" for error in self.errors[:5]),
        ]


def digest(image: np.ndarray) -> str:
    return hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()


def make_media_clip(folder: Path, frame_count: int = 16) -> MediaClip:
    """A 96x64 clip (ProRes 4444) of moving gradients, its keyframe 0 at x4, and the digests of
    the frames `upscale_file` writes for it in this process."""
    y, x = np.mgrid[0:64, 0:96]
    frames = [
        np.stack([(x * 2 + t * 3) % 256, (y * 3 + t) % 256, (x + y + t * 5) % 256], -1)
        for t in range(frame_count)
    ]
    clip = MediaClip(folder / "clip.mov", folder / "hr_0000.png", frame_count)
    with FrameWriter(str(clip.movie), FrameLayout(96, 64), Fraction(24), codec="prores_4444") as w:
        for frame in frames:
            w.write(frame.astype(np.uint8))
    write_still(str(clip.still), np.kron(frames[0], np.ones((4, 4, 1))).astype(np.uint8))
    local = folder / "expected.mov"
    upscale_file(FileJob(str(clip.movie), str(local), _settings(), ((0, str(clip.still)),)))
    clip.digests = tuple(digest(frame) for frame in read_frames(str(local)))
    return clip


def _settings() -> JobSettings:
    return JobSettings(engine="flow", audio=False)


async def run_gateway_clients(url, clip, folder, deadline, clients, flood) -> GatewayTally:
    tally = GatewayTally()
    async with aiohttp.ClientSession() as session:
        work = [
            _media_client(session, url, clip, folder / f"c{n}", deadline, n, tally)
            for n in range(clients)
        ]
        work.append(_probe(session, url, deadline, tally))
        if flood:
            work.append(_flood(session, url, deadline, tally))
        await asyncio.gather(*work)
    return tally


async def _media_client(session, url, clip, folder, deadline, seed, tally) -> None:
    rng = np.random.default_rng(seed)
    ws_url = url.replace("http", "ws") + "/v1/ws"
    while time.monotonic() < deadline:
        cancel = rng.random() < 0.2
        shutil.rmtree(folder, ignore_errors=True)
        try:
            async with session.ws_connect(ws_url) as socket:
                await _one_media_job(socket, clip, folder, cancel, tally)
        except Exception as error:  # noqa: BLE001 - counted and printed, the soak goes on
            tally.errors.append(f"media job: {type(error).__name__}: {error}")


async def _one_media_job(socket, clip, folder, cancel, tally) -> None:
    spec = {
        "sourcePath": str(clip.movie),
        "keyframes": [{"frame": 0, "stillPath": str(clip.still)}],
        "settings": {"engine": "flow", "audio": False},
        "outputDir": str(folder),
    }
    await socket.send_str(json.dumps({"requestId": 1, "startMediaJob": {"spec": spec}}))
    started = json.loads((await socket.receive(timeout=60)).data)
    if "error" in started:
        raise RuntimeError(started["error"]["message"])
    job_id = started["mediaJobStarted"]["jobId"]
    await socket.send_str(json.dumps({"requestId": 2, "watchJob": {"jobId": job_id}}))
    if cancel:
        await socket.send_str(json.dumps({"requestId": 3, "cancelJob": {"jobId": job_id}}))
    final = None
    while final is None:
        reply = json.loads((await socket.receive(timeout=120)).data)
        if reply.get("requestId") == "2" and reply.get("final"):
            final = reply.get("progress") or reply
    state = final.get("state")
    if state == "JOB_STATE_CANCELLED":
        tally.cancelled += 1
        tally.leftovers += sum(1 for path in folder.glob("*") if path.is_file())
    elif state == "JOB_STATE_SUCCEEDED":
        got = await asyncio.to_thread(
            lambda: [digest(frame) for frame in read_frames(final["outputPath"])]
        )
        tally.completed += 1
        tally.frames += len(got)
        tally.lost += sum(a != b for a, b in zip(got, clip.digests))
        tally.lost += abs(len(got) - len(clip.digests))
    else:
        raise RuntimeError(f"job ended {state}: {final.get('message', final)}")


async def _probe(session, url, deadline, tally) -> None:
    """A well-behaved client's small call, timed every 100 ms while the others run."""
    while time.monotonic() < deadline:
        started = time.perf_counter()
        async with session.post(f"{url}/v1/GetServerInfo", json={}) as reply:
            await reply.read()
        tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.1)


async def _flood(session, url, deadline, tally) -> None:
    """One socket sends calls as fast as it can without waiting for answers."""
    async with session.ws_connect(url.replace("http", "ws") + "/v1/ws") as socket:

        async def send():
            while tally.flood_sent < FLOOD_LIMIT and time.monotonic() < deadline:
                request = {"requestId": tally.flood_sent + 1, "getServerInfo": {}}
                await socket.send_str(json.dumps(request))
                tally.flood_sent += 1

        sender = asyncio.create_task(send())
        while not (sender.done() and tally.flood_answered >= tally.flood_sent):
            try:
                await socket.receive(timeout=max(1.0, deadline - time.monotonic() + 30))
            except asyncio.TimeoutError:
                tally.errors.append("flood: the gateway stopped answering")
                break
            tally.flood_answered += 1
        sender.cancel()
