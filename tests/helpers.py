"""Media, jobs, engines and network pieces the tests share; real code paths around them."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import cv2
import numpy as np

from sparkvsr.demo import camera_clip, degrade, sample_photo
from sparkvsr.engines import Engine, EngineChunk, EngineInfo
from sparkvsr.media import FrameWriter, write_still
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

BILINEAR_INFO = EngineInfo(
    name="bilinear",
    description="test engine: bilinear upscale, optionally slow",
    scales=(2, 4),
    min_keyframe_gap=4,
    chunk_length=8,
    chunk_overlap=2,
)


class BilinearEngine(Engine):
    """Bilinear upscale per frame; `delay_s` per chunk makes jobs last long enough to interrupt."""

    info = BILINEAR_INFO

    def __init__(self, delay_s: float = 0.0):
        self.delay_s = delay_s

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        time.sleep(self.delay_s)
        return np.stack(
            [
                cv2.resize(
                    f, None, fx=chunk.scale, fy=chunk.scale, interpolation=cv2.INTER_LINEAR
                ).reshape(f.shape[0] * chunk.scale, f.shape[1] * chunk.scale, f.shape[2])
                for f in chunk.frames
            ]
        ).astype(np.float32)


KEYED_INFO = dataclasses.replace(
    BILINEAR_INFO,
    name="keyed",
    description="test engine: bilinear, brightened by the keyframes in the chunk",
)


class KeyedEngine(BilinearEngine):
    """Bilinear, plus a tint from the chunk's keyframes: a keyframe changes exactly the chunks
    that hold it; `runs` counts the chunks it computed."""

    info = KEYED_INFO

    def __init__(self, delay_s: float = 0.0):
        super().__init__(delay_s)
        self.runs = 0

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        self.runs += 1
        result = super().upscale_chunk(chunk)
        for keyframe in chunk.keyframes:
            result += 0.01 * float(keyframe.hr.mean())
        return np.clip(result, 0, 1)


def engines(delay_s: float = 0.0) -> dict:
    """(info, factory) by name, as create_server takes them: flow plus the test engines."""
    from sparkvsr.engines import engine_entry

    flow = engine_entry("flow")
    return {
        "flow": (flow.info, flow.load),
        "bilinear": (BILINEAR_INFO, lambda: BilinearEngine(delay_s)),
        "keyed": (KEYED_INFO, lambda: KeyedEngine(delay_s)),
    }


class TcpProxy:
    """Forwards loopback TCP connections to a server; `sever()` cuts every open connection."""

    def __init__(self, target_port: int):
        self._target = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._target))
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._from_server, args=(upstream, client), daemon=True).start()

    def _from_server(self, source: socket.socket, sink: socket.socket) -> None:
        self._pipe(source, sink)

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def sever(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self.sever()
        self._listener.close()


class Http2FilterProxy(TcpProxy):
    """A TcpProxy that reads what the server sends as HTTP/2 frames; once `armed`, `_verdict`
    decides each frame's fate: True passes it, False drops it, None ends the client's side of
    the connection after what passed. Severing disarms it."""

    def __init__(self, target_port: int):
        super().__init__(target_port)
        self.armed = threading.Event()
        self.dropped = threading.Event()

    def _verdict(self, kind: int, flags: int) -> bool | None:
        raise NotImplementedError

    def sever(self) -> None:
        self.armed.clear()
        super().sever()

    def _from_server(self, source: socket.socket, sink: socket.socket) -> None:
        pending = b""
        try:
            while data := source.recv(65536):
                pending += data
                while len(pending) >= 9:
                    size = 9 + int.from_bytes(pending[:3], "big")  # header + payload length
                    if len(pending) < size:
                        break
                    frame, pending = pending[:size], pending[size:]
                    verdict = self._verdict(frame[3], frame[4]) if self.armed.is_set() else True
                    if verdict is None:
                        # FIN after everything already passed on: closing outright may send a
                        # reset that discards frames in flight.
                        sink.shutdown(socket.SHUT_WR)
                        return
                    if verdict:
                        sink.sendall(frame)
        except OSError:
            pass


class TrailerDroppingProxy(Http2FilterProxy):
    """Once armed, cuts the connection instead of passing on the next call's final status (a
    HEADERS frame that ends its stream): as a proxy that drops a connection between a call's
    last message and its status does."""

    def _verdict(self, kind: int, flags: int) -> bool | None:
        if kind == 0x1 and flags & 0x1:  # HEADERS, END_STREAM
            self.armed.clear()
            self.dropped.set()
            return None
        return True


class SilencingProxy(Http2FilterProxy):
    """Once armed, passes the server's next message (a DATA frame: a job's acceptance) and then
    nothing the server says, until severed: a connection that dies while the client still waits
    for news."""

    def __init__(self, target_port: int):
        super().__init__(target_port)
        self._passed_message = False

    def _verdict(self, kind: int, flags: int) -> bool | None:
        if self._passed_message:
            self.dropped.set()
            return False
        self._passed_message = kind == 0x0  # DATA
        return True

    def sever(self) -> None:
        super().sever()
        self._passed_message = False


@dataclass(frozen=True)
class Clip:
    """A low-resolution movie on disk with its ground truth and keyframe stills."""

    path: Path
    truth: np.ndarray  # (T, H*4, W*4, 3) uint8
    low: np.ndarray  # (T, H, W, 3) uint8, what was encoded
    stills: dict[int, Path]


def write_movie(
    path: Path, frames: np.ndarray, rate=Fraction(24), codec="prores_4444", **kw
) -> Path:
    with FrameWriter(str(path), FrameLayout.of(frames[0]), rate, codec=codec, **kw) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def make_clip(directory: Path, frame_count: int = 24, size=(192, 128), keyframes=(0, 12)) -> Clip:
    truth = camera_clip(sample_photo("motorcycle"), size, frame_count, seed=1)
    low = degrade(truth, 4)
    path = write_movie(directory / "clip.mov", low, start_timecode="01:00:00:00")
    stills = {}
    for index in keyframes:
        stills[index] = directory / f"hr_{index:04d}.png"
        write_still(str(stills[index]), truth[index])
    return Clip(path, truth, low, stills)


def random_job(count=24, size=(32, 24), depth=8, keyframes=(), engine="bilinear", seed=0, scale=4):
    """A spec and its input items (keyframes first) with random content."""
    rng = np.random.default_rng(seed)
    high = 255 if depth == 8 else 65535
    dtype = np.uint8 if depth == 8 else np.uint16
    low = rng.integers(0, high + 1, (count, size[1], size[0], 3), dtype=dtype)
    spec = JobSpec(
        count,
        FrameLayout(*size, 3, depth),
        scale=scale,
        engine=engine,
        keyframe_indices=tuple(keyframes),
    )
    items = [
        Keyframe(k, rng.integers(0, high + 1, spec.output_layout.shape, dtype=dtype))
        for k in keyframes
    ]
    items += [SourceFrame(i, f) for i, f in enumerate(low)]
    return spec, items


def make_certificates(directory: Path) -> dict[str, str]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl."""
    import subprocess

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    )
    for name, extension in (
        ("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ("client", "extendedKeyUsage=clientAuth"),
    ):
        run(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={name}",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
        )
        (directory / f"{name}.ext").write_text(extension + "\n")
        run(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            f"{name}.ext",
            "-out",
            f"{name}.pem",
        )
    return {
        name: str(directory / name)
        for name in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")
    }


def numbered_frames(count: int, size=(64, 48), seed=0) -> np.ndarray:
    """Textured frames whose content says their index (each is the first shifted 3 px per frame),
    so a wrong frame cannot pass for the right one."""
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), (0, 0), 1)
    return np.stack([np.roll(base, 3 * i, axis=1) for i in range(count)])


def frame_index_of(image: np.ndarray, frames: np.ndarray) -> int:
    """Which of `frames` (as numbered_frames made them) `image` is, by least squared error."""
    errors = [np.mean((image.astype(float) - f.astype(float)) ** 2) for f in frames]
    return int(np.argmin(errors))


def write_movie_with_audio(
    path: Path, frames: np.ndarray, rate: Fraction, sample_rate=48000, start_timecode=None
) -> np.ndarray:
    """A ProRes movie with a stereo 16-bit ramp as audio (left = sample index mod 30000,
    minus 15000); returns the left channel written."""
    samples = int(round(len(frames) / rate * sample_rate))
    left = (np.arange(samples) % 30000 - 15000).astype(np.int16)
    stereo = np.stack([left, -left], axis=1)
    with av.open(str(path), "w", format="mov") as container:
        video = container.add_stream("prores_ks", rate=rate)
        video.width, video.height, video.pix_fmt = frames.shape[2], frames.shape[1], "yuv444p10le"
        if start_timecode:
            video.metadata["timecode"] = start_timecode
        audio = container.add_stream("pcm_s16le", rate=sample_rate)
        audio.layout, audio.format = "stereo", "s16"
        for start in range(0, samples, 1024):
            piece = np.ascontiguousarray(stereo[start : start + 1024].reshape(1, -1))
            frame = av.AudioFrame.from_ndarray(piece, format="s16", layout="stereo")
            frame.sample_rate, frame.pts = sample_rate, start
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
        for image in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    return left


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_servers_on(port: int) -> None:
    """Kills `sparkvsr serve` processes started for `port` (found through /proc) and waits
    until they are gone (or zombies: dead, and writing nothing more)."""
    killed = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and str(port).encode() in command:
            os.kill(int(pid), 9)
            killed.append(pid)
    deadline = time.monotonic() + 10
    while killed and time.monotonic() < deadline:
        killed = [pid for pid in killed if _running(pid)]
        time.sleep(0.05)


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def png_data_uri(image: np.ndarray) -> str:
    ok, data = cv2.imencode(".png", image[..., ::-1])
    return "data:image/png;base64," + base64.b64encode(data.tobytes()).decode()


class RestorationService:
    """A keyframe restoration service (fal's or a studio's protocol) on 127.0.0.1: `replies`
    (status, payload, delay) are consumed one per request, the last one repeating."""

    def __init__(self):
        self.requests: list[tuple[dict, dict]] = []
        self.replies: list = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append((dict(self.headers), body))
                reply = service.replies.pop(0) if len(service.replies) > 1 else service.replies[0]
                status, payload, delay = reply
                time.sleep(delay)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/restore"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
