"""An HTTP proxy in front of the gateway that keeps every RunWindow reply: the server's own word
on which requests ran a job (a job id, cached false), which came from its cache, and which probes
found a window."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingProxy:
    def __init__(self, gateway_url: str):
        self.replies: list[dict] = []
        """Replies to whole windows sent."""
        self.probes: list[dict] = []
        """Replies to probes (one frame sent): those that found a window name its output."""
        self.before_reply: Callable[[dict], None] = lambda reply: None
        """Called with each RunWindow reply before the effect gets it."""
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = urllib.request.Request(
                    gateway_url + self.path, body, {"Content-Type": "application/json"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=120) as reply:
                        status, data = reply.status, reply.read()
                except urllib.error.HTTPError as error:
                    status, data = error.code, error.read()
                if status == 200 and self.path == "/v1/RunWindow" and json.loads(body).get("probe"):
                    proxy.probes.append(json.loads(data))
                elif status == 200 and self.path == "/v1/RunWindow":
                    proxy.replies.append(json.loads(data))
                    proxy.before_reply(proxy.replies[-1])
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def jobs(self) -> int:
        """RunWindow requests that ran an engine job (the others were served from the cache)."""
        return sum(1 for r in self.replies if r.get("jobId") and not r.get("cached"))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
