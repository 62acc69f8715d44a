"""Engines and network pieces the tests inject; real code paths around them."""

from __future__ import annotations

import socket
import threading
import time

import cv2
import numpy as np

from sparkvsr.engines import Engine, EngineChunk, EngineInfo

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
                cv2.resize(f, None, fx=chunk.scale, fy=chunk.scale, interpolation=cv2.INTER_LINEAR)
                .reshape(f.shape[0] * chunk.scale, f.shape[1] * chunk.scale, f.shape[2])
                for f in chunk.frames
            ]
        ).astype(np.float32)


def engines(delay_s: float = 0.0) -> dict:
    """(info, factory) by name, as create_server takes them: flow plus the bilinear test engine."""
    from sparkvsr.engines import engine_entry

    flow = engine_entry("flow")
    return {
        "flow": (flow.info, flow.load),
        "bilinear": (BILINEAR_INFO, lambda: BilinearEngine(delay_s)),
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
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

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
