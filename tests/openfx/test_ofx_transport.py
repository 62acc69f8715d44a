"""The plug-in's transport against servers that misbehave: replies cut short, oversized or
malformed are refused with the reason (the frame passes through), a refused connection is named
as such, slow byte-by-byte replies are read whole; handover files another user can read; the
effect's declared field handling."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import threading
from collections.abc import Callable

import numpy as np
import pytest
from ofx_host import OK
from ofx_instance import EffectInstance, describe


class CannedServer:
    """Reads each request whole, answers `reply` (a byte at a time when `trickle`), closes."""

    def __init__(
        self,
        reply: bytes,
        trickle: bool = False,
        on_request: Callable[[bytes], None] = lambda request: None,
    ):
        self.reply, self.trickle, self.on_request = reply, trickle, on_request
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.requests.append(self._read_request(connection))
                self.on_request(self.requests[-1])
                pieces = [self.reply[i : i + 1] for i in range(len(self.reply))]
                for piece in pieces if self.trickle else [self.reply]:
                    connection.sendall(piece)

    @staticmethod
    def _read_request(connection: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += connection.recv(65536)
        return head + b"\r\n\r\n" + body

    def close(self):
        self.listener.close()


def render_against(host, frames, reply: bytes, trickle: bool = False) -> str:
    server = CannedServer(reply, trickle)
    try:
        effect = EffectInstance(host, frames)
        effect.set(server=f"127.0.0.1:{server.port}", window=2, timeout=20)
        status, frame = effect.render(1)
        assert status == OK and np.array_equal(frame, frames[1])
        assert len(server.requests) >= 1
        message = effect.message()
        effect.destroy()
        return message[1] if message else ""
    finally:
        server.close()


ERROR_BODY = b'{"code":"INVALID_ARGUMENT","message":"the window is bad"}'


@pytest.mark.parametrize(
    ("reply", "named"),
    [
        (b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{"outputPa', "mid-reply"),
        # A chunk larger than the client's read buffer, cut short: the read past the buffer
        # AddressSanitizer reported before the parser checked lengths.
        (b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n{"o', "mid-reply"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{}", "mid-reply"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n{}", "over"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "chunk"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing", "past its end"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "Length"),
        (b"\x00\x01garbage\r\n\r\n", "not HTTP"),
        (b"", "before its reply's headers"),
    ],
)
def test_a_bad_reply_is_refused_with_the_reason(host, host_frames, reply, named):
    message = render_against(host, host_frames, reply)
    assert named in message and "passes through" in message


def test_a_reply_trickled_byte_by_byte_is_read_whole(host, host_frames):
    body = b'{"code":"INVALID_ARGUMENT","message":"the window is bad"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    reply = b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    message = render_against(host, host_frames, reply, trickle=True)
    assert "HTTP 400 INVALID_ARGUMENT" in message and "the window is bad" in message


def test_a_refused_connection_says_so(host, host_frames):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        effect = EffectInstance(host, host_frames)
        effect.set(server=f"127.0.0.1:{port}")
        status, _ = effect.render(0)
        assert status == OK
        assert (
            f"connection refused at 127.0.0.1:{port}: is `sparkvsr serve` running?"
            in effect.message()[1]
        )
        effect.destroy()


def test_describes_its_field_handling(host):
    descriptor = describe(host)
    # One render per frame, of the frame with both fields (ofxImageEffect.h's defaults are two
    # renders per frame, each of a line-doubled field).
    assert descriptor.props.values["OfxImageEffectPluginPropFieldRenderTwiceAlways"] == [0]
    for clip in descriptor.clips.values():
        assert clip.props.values["OfxImageClipPropFieldExtraction"] == [b"OfxFieldBoth"]


def handover_modes(host, frames) -> list[int]:
    """The mode of each handover file, seen by a server when the request arrives."""
    modes: list[int] = []

    def look(request: bytes) -> None:
        path = json.loads(request.partition(b"\r\n\r\n")[2])["inputPath"]
        modes.append(stat.S_IMODE(os.stat(path).st_mode))
        if os.geteuid() == 0:  # as another user (Debian's `nobody`), read it as a server would
            done = subprocess.run(["head", "-c", "1", path], user="nobody", check=False)
            modes.append(done.returncode)

    server = CannedServer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", on_request=look)
    try:
        effect = EffectInstance(host, frames)
        effect.set(server=f"127.0.0.1:{server.port}", window=2)
        effect.render(0)
        effect.destroy()
    finally:
        server.close()
    return modes


def test_a_server_running_as_another_user_can_read_the_handover_file(host, host_frames):
    modes = handover_modes(host, host_frames)
    assert modes[0] == 0o644
    if os.geteuid() != 0:
        pytest.skip("reading as another user needs root here (to run as `nobody`)")
    assert modes[1] == 0  # `nobody` read it
