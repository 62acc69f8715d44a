"""How to reach a SparkVSR server: connection options built once, from arguments and the
environment, for every client (CLI, editor clients, farm tasks)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from sparkvsr import environment
from sparkvsr.errors import InvalidInputError

DEFAULT_PORT = 50051
_SCHEMES = ("grpc://", "http://", "https://")


@dataclass(frozen=True)
class ConnectionOptions:
    """How to reach a SparkVSR server."""

    address: str
    """HOST:PORT."""
    token: str | None = None
    """Bearer token, for servers that require one."""
    tls_ca: str | None = None
    """PEM CA bundle to verify the server with; enables TLS."""
    tls_cert: str | None = None
    """PEM client certificate, for servers that require one (with tls_key)."""
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise InvalidInputError("a client certificate needs both --tls-cert and --tls-key")
        if self.tls_cert and not self.tls_ca:
            raise InvalidInputError("--tls-cert needs --tls-ca (the CA that signed the server)")

    @property
    def host(self) -> str:
        return self.address.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])


def connection_options(
    server: str | None,
    *,
    token: str | None = None,
    tls_ca: str | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectionOptions | None:
    """Options for `server` ("HOST:PORT", "HOST" for port 50051; a URL scheme is dropped), with
    the token from $SPARKVSR_TOKEN when none is given; None when no server is named (in process).

    Raises:
        InvalidInputError: the address or the TLS files do not make sense.
    """
    if not server:
        return None
    return ConnectionOptions(
        _normalised_address(server),
        token=token or environment.token(environ),
        tls_ca=tls_ca,
        tls_cert=tls_cert,
        tls_key=tls_key,
    )


def _normalised_address(server: str) -> str:
    address = server.strip().rstrip("/")
    for scheme in _SCHEMES:
        if address.lower().startswith(scheme):
            address = address[len(scheme) :]
    if address.count(":") > 1 and not address.startswith("["):
        address = f"[{address}]"  # a bare IPv6 address
    if address.endswith("]") or ":" not in address:
        address = f"{address}:{DEFAULT_PORT}"
    host, _, port = address.rpartition(":")
    if not host or "/" in host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInputError(
            f"give the server as HOST:PORT (for example 127.0.0.1:{DEFAULT_PORT}), got {server!r}"
        )
    return address


def is_loopback(host: str) -> bool:
    """Whether `host` only reaches this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
