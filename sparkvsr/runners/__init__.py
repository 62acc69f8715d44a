"""Runners: one way to say "run this job here, or on that server", shared by every front end."""

from sparkvsr.runners._base import Runner
from sparkvsr.runners._connect import (
    LOCAL_SERVER_START_TIMEOUT_S,
    ensure_server,
    open_runner,
)
from sparkvsr.runners._local import LocalRunner

__all__ = [
    "LOCAL_SERVER_START_TIMEOUT_S",
    "LocalRunner",
    "Runner",
    "ensure_server",
    "open_runner",
]
