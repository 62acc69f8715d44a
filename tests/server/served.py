"""`sparkvsr serve` in a process of its own, as a user runs it, its log lines collected as they
come: the real command, or the same command with the test engines (serve_test_engines.py)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SERVE_START_S = 120  # a loaded 2-core machine takes tens of seconds to load the engines
TEST_ENGINES = Path(__file__).with_name("serve_test_engines.py")


class Served:
    """A `sparkvsr serve` process; `delay_s` given: with the test engines, each window taking
    that long."""

    def __init__(self, *args: str, delay_s: float | None = None):
        if delay_s is None:
            command = [sys.executable, "-m", "sparkvsr", "serve", *args]
        else:
            command = [sys.executable, str(TEST_ENGINES), str(delay_s), *args]
        self.process = subprocess.Popen(
            command,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout_s: float = SERVE_START_S) -> str:
        """The first log line holding `text`, waiting for it."""
        deadline = time.monotonic() + timeout_s
        while not (found := [line for line in self.lines if text in line]):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no {text!r} in: {self.lines}")
            time.sleep(0.05)
        return found[0]

    @property
    def address(self) -> str:
        """HOST:PORT of its gRPC service, once it listens."""
        return re.search(r"listening on (\S+:\d+)", self.wait_for("listening on"))[1]

    @property
    def gateway_url(self) -> str:
        """http://HOST:PORT of its gateway, once it listens."""
        return re.search(r"gateway (http://\S+:\d+)", self.wait_for("listening on"))[1]

    def kill(self) -> None:
        """SIGKILL: no cleanup at all."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._reader.join(timeout=10)

    def stop(self) -> list[str]:
        """SIGTERM (a graceful shutdown), then its log lines."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return self.lines
