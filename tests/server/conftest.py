"""Servers on 127.0.0.1 port 0 with the test engines injected."""

from __future__ import annotations

import pytest
from helpers import engines

from sparkvsr_server import BackgroundServer, ServerConfig


@pytest.fixture
def start_server():
    servers = []

    def start(delay_s: float = 0.0, **config) -> BackgroundServer:
        server = BackgroundServer(ServerConfig(port=0, **config), engines(delay_s))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
