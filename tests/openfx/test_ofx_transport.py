"""The plug-in's HTTP client against servers that misbehave: replies cut short, oversized or
malformed are refused with the reason (the frame passes through), a refused connection is named
as such, slow byte-by-byte replies are read whole."""

from __future__ import annotations

import socket
import threading

import numpy as np
import pytest
from ofx_host import OK
from ofx_instance import EffectInstance


class CannedServer:
    """Reads each request whole, answers `reply` (a byte at a time when `trickle`), closes."""

    def __init__(self, reply: bytes, trickle: bool = False):
        self.reply, self.trickle = reply, trickle
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
