"""The runner that connection options open, and starting a local server when none answers (what
every editor client does)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable

from sparkvsr import environment
from sparkvsr.connection import ConnectionOptions, is_loopback
from sparkvsr.errors import ServerUnavailableError
from sparkvsr.runners._base import Runner
from sparkvsr.runners._local import LocalRunner

logger = logging.getLogger(__name__)

LOCAL_SERVER_START_TIMEOUT_S = 60.0


def open_runner(options: ConnectionOptions | None) -> Runner:
    """A Client for the server the options name, or a LocalRunner when they are None."""
    if options is None:
        return LocalRunner()
    from sparkvsr.client import Client  # gRPC only where a server is used

    return Client.connect(options)


def ensure_server(
    options: ConnectionOptions,
    *,
    start_local: bool = False,
    python: str | None = None,
    log: Callable[[str], None] = logger.info,
    timeout_s: float = LOCAL_SERVER_START_TIMEOUT_S,
) -> None:
    """Checks that a server answers; with `start_local`, starts `sparkvsr serve` on this machine
    when nothing answers at a loopback address.

    The started server outlives the caller (it serves the next run too) and logs to
    `local_server_log()`. `python` is the interpreter with SparkVSR installed (default: this one).

    Raises:
        ServerUnavailableError: nothing answers and none may or could be started (the message
            says what to do, or names the started server's log).
        UnauthenticatedError: a server answers but refuses the token.
    """
    if _answers(options):
        return
    if not (start_local and is_loopback(options.host)):
        raise ServerUnavailableError(
            f"no SparkVSR server answers at {options.address}; start one with `sparkvsr serve`"
        )
    python = python or sys.executable
    if not os.path.exists(python):
        raise ServerUnavailableError(
            f"no SparkVSR server answers at {options.address} and {python} (the Python to "
            "start one with) does not exist; start `sparkvsr serve` yourself"
        )
    log_path = local_server_log()
    log(f"starting a local SparkVSR server on port {options.port} (log: {log_path})")
    process = _spawn_server(python, options, log_path)
    deadline = time.monotonic() + timeout_s
    while not _answers(options):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerUnavailableError(f"the local SparkVSR server did not start; see {log_path}")
        time.sleep(0.25)


def local_server_log() -> str:
    """The log of servers started by `ensure_server`: `logs/` in the per-user state folder,
    where a user looks for what outlives a run (and tests isolate with $SPARKVSR_STATE_DIR)."""
    folder = environment.user_state_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "sparkvsr-local-server.log")


def _spawn_server(python: str, options: ConnectionOptions, log_path: str) -> subprocess.Popen:
    env = dict(os.environ)
    if options.token:
        env[environment.TOKEN] = options.token  # not on the command line, where ps shows it
    with open(log_path, "ab") as server_log:
        return subprocess.Popen(
            [
                python,
                "-m",
                "sparkvsr",
                "serve",
                "--host",
                options.host,
                "--port",
                str(options.port),
            ],
            stdout=server_log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )


def _answers(options: ConnectionOptions) -> bool:
    from sparkvsr.client import Client

    with Client.connect(options) as client:
        try:
            client.server_info(timeout_s=2.0)
        except ServerUnavailableError:
            return False
    return True
