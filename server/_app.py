"""Builds, starts and stops the gRPC server: services, health, reflection, auth, signals."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from sparkvsr.api.v1 import upscale_pb2, upscale_pb2_grpc
from sparkvsr.connection import is_loopback
from sparkvsr.engines import engine_entries
from sparkvsr.errors import InvalidInputError
from sparkvsr.info import EngineStatus, ServerInfo, describe_installation
from sparkvsr_server._config import ServerConfig
from sparkvsr_server.jobs import JobManager, Spool
from sparkvsr_server.scheduling import EngineFactory
from sparkvsr_server.transports import Gateway, JobService, TokenAuthInterceptor, UpscaleServicer
from sparkvsr_server.windows import EngineWindowStore

logger = logging.getLogger(__name__)

SERVICE_NAME = upscale_pb2.DESCRIPTOR.services_by_name["UpscaleService"].full_name


def available_engines() -> dict[str, tuple]:
    """(info, factory) of every registered engine that can run here."""
    return {
        entry.info.name: (entry.info, entry.load)
        for entry in engine_entries()
        if entry.unavailable_reason() is None
    }


class SparkVSRServer:
    """A gRPC server with its job manager; start, then stop (gracefully) on the same event loop."""

    def __init__(self, config: ServerConfig, engines: Mapping[str, tuple]):
        if config.default_engine not in engines:
            raise InvalidInputError(
                f"default engine {config.default_engine!r} cannot run here; available: "
                f"{', '.join(sorted(engines)) or 'none'}"
            )
        self.config = config
        self._engines = engines
        options = [
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            # Without this a second server on the same port starts too and steals half the calls.
            ("grpc.so_reuseport", 0),
        ]
        interceptors = [TokenAuthInterceptor(config.token)] if config.token else []
        self.grpc_server = grpc.aio.server(options=options, interceptors=interceptors)
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.grpc_server)
        reflection.enable_server_reflection(
            (
                SERVICE_NAME,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            self.grpc_server,
        )
        try:
            self.port = self._bind()
        except RuntimeError:
            raise InvalidInputError(
                f"cannot listen on {config.host}:{config.port} (in use, or not an address here)"
            ) from None
        self.spool = Spool.open(config.spool_dir, config.max_spool_bytes)
        self.manager: JobManager | None = None
        self._serving = False
        self.gateway: Gateway | None = None
        self.service: JobService | None = None

    def _bind(self) -> int:
        address = f"{self.config.host}:{self.config.port}"
        refuse_a_port_in_use(self.config.host, self.config.port, "--port")
        if self.config.gateway_port is not None:
            refuse_a_port_in_use(self.config.host, self.config.gateway_port, "--gateway-port")
        if self.config.tls_cert:
            credentials = grpc.ssl_server_credentials(
                [(Path(self.config.tls_key).read_bytes(), Path(self.config.tls_cert).read_bytes())],
                root_certificates=(
                    Path(self.config.tls_client_ca).read_bytes()
                    if self.config.tls_client_ca
                    else None
                ),
                require_client_auth=bool(self.config.tls_client_ca),
            )
            port = self.grpc_server.add_secure_port(address, credentials)
        else:
            port = self.grpc_server.add_insecure_port(address)
        if port == 0:  # older grpcio answers 0, newer raises RuntimeError (caught by the caller)
            raise InvalidInputError(f"cannot listen on {address} (in use, or not an address here)")
        return port

    async def start(self) -> None:
        """Serves at once (health NOT_SERVING), then SERVING once the workers have engines; an
        engine that failed to load keeps it NOT_SERVING, with the reason in the server info."""
        for service in ("", SERVICE_NAME):
            await self.health.set(service, health_pb2.HealthCheckResponse.NOT_SERVING)
        loop = asyncio.get_running_loop()
        windows = EngineWindowStore(self.spool.root / "engine-windows")
        self.manager = JobManager(self.config, self._engines, loop, self.spool, windows)
        service = self.service = JobService(
            self.config, self.manager, self._describe(), loop, self.spool.root
        )
        upscale_pb2_grpc.add_UpscaleServiceServicer_to_server(
            UpscaleServicer(self.config, self.manager, service), self.grpc_server
        )
        await self.grpc_server.start()
        await self._start_gateway(service)
        await service.resume_media_jobs()
        await asyncio.to_thread(self.manager.start)
        if self.manager.engine_failure:
            service.info = self._describe()
            logger.error("not serving: %s", self.manager.engine_failure)
            return
        self._serving = True
        for service_name in ("", SERVICE_NAME):
            await self.health.set(service_name, health_pb2.HealthCheckResponse.SERVING)
        logger.info(
            "finished jobs stay fetchable for %.0f s, then they are collected",
            self.config.job_ttl_s,
        )

    def _describe(self) -> ServerInfo:
        info = describe_installation(
            {name: info for name, (info, _) in self._engines.items()},
            default_engine=self.config.default_engine,
            max_message_bytes=self.config.max_message_bytes,
            max_queued_jobs=self.config.max_queued_jobs,
            workers=self.config.workers,
            worker_devices=tuple(d or "" for d in self.manager.worker_devices)
            if self.manager
            else (),
        )
        failure = self.manager.engine_failure if self.manager else None
        if not failure:
            return info
        engines = tuple(
            EngineStatus(status.info, failure)
            if status.info.name == self.config.default_engine
            else status
            for status in info.engines
        )
        return dataclasses.replace(info, engines=engines)

    async def _start_gateway(self, service: JobService) -> None:
        port = self.config.gateway_port
        if port is None:
            return
        if not (is_loopback(self.config.host) or self.config.token):
            logger.warning(
                "no gateway on %s: away from loopback it needs a token (--token)", self.config.host
            )
            return
        self.gateway = Gateway(service, self.config.token, lambda: self._serving)
        await self.gateway.start(self.config.host, port)

    async def stop(self, grace_s: float | None = None) -> None:
        """Refuses new jobs, lets running ones finish within the grace period, then stops."""
        grace = self.config.shutdown_grace_s if grace_s is None else grace_s
        deadline = time.monotonic() + grace
        await self.health.enter_graceful_shutdown()
        self._serving = False
        if self.manager is not None:
            self.manager.stop_accepting()
            if self.service is not None:  # media jobs first: they wait on engine jobs
                await self.service.finish_media_jobs(deadline)
            await self.manager.shutdown(max(0.0, deadline - time.monotonic()))
        if self.gateway is not None:
            await self.gateway.stop()
        await self.grpc_server.stop(1.0)
        if self.service is not None:
            self.service.close()
        self.spool.close()


def refuse_a_port_in_use(host: str, port: int, option: str) -> None:
    """Raises InvalidInputError naming `option` when something already listens on host:port
    (checked as the servers bind, with SO_REUSEADDR, so a port in TIME_WAIT is not refused)."""
    if port == 0:
        return
    try:
        family, kind, _, _, where = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError as error:
        raise InvalidInputError(
            f"cannot listen on {host}:{port}: {error.strerror or error} (is another "
            f"`sparkvsr serve` running there? stop it, or choose another {option})"
        ) from None


def create_server(
    config: ServerConfig, engines: Mapping[str, tuple[object, EngineFactory]] | None = None
) -> tuple[SparkVSRServer, int]:
    """A bound, not yet started server and its port; `engines` maps name -> (info, factory)."""
    server = SparkVSRServer(config, available_engines() if engines is None else engines)
    return server, server.port


async def _serve_until_signalled(config: ServerConfig) -> None:
    server, port = create_server(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Before loading: a Ctrl-C while the engines load then stops cleanly once they have.
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info("SparkVSR server starting: loading the %s engine", config.default_engine)
    await server.start()
    gateway = f", gateway http://{config.host}:{server.gateway.port}" if server.gateway else ""
    logger.info("SparkVSR server listening on %s:%d%s (Ctrl-C to stop)", config.host, port, gateway)
    await stop.wait()
    logger.info("shutting down: finishing running jobs for up to %.0f s", config.shutdown_grace_s)
    await server.stop()


def serve(config: ServerConfig) -> None:
    """Runs the server in the foreground until SIGTERM or SIGINT, then shuts down gracefully."""
    asyncio.run(_serve_until_signalled(config))


class BackgroundServer:
    """A server on its own event loop thread, for tests, benchmarks and embedding in a client."""

    def __init__(self, config: ServerConfig, engines: Mapping[str, tuple] | None = None):
        self._loop = asyncio.new_event_loop()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sparkvsr-server", daemon=True
        )
        self._thread.start()
        self.server, self.port = self._call(self._create(config, engines))
        self._call(self.server.start())

    @staticmethod
    async def _create(config, engines):
        return create_server(config, engines)

    @property
    def address(self) -> str:
        return f"{self.server.config.host}:{self.port}"

    @property
    def gateway_url(self) -> str:
        """http://HOST:PORT of the gateway (None when the config opens none)."""
        gateway = self.server.gateway
        return gateway and f"http://{self.server.config.host}:{gateway.port}"

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self, grace_s: float = 0.0) -> None:
        """Stops the server (gracefully within `grace_s`) and its loop; later calls do nothing."""
        if self._loop.is_closed() or self._stopping.is_set():
            return
        self._stopping.set()
        self._call(self.server.stop(grace_s))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
