"""The gateway for clients that cannot speak gRPC (a UXP panel, an OpenFX plugin): the protobuf
JSON mapping of the v1 messages over HTTP and WebSocket, served by the same job service."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from google.protobuf import json_format
from google.protobuf.message import Message

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.connection import is_loopback
from sparkvsr.errors import InvalidInputError, SparkVSRError, UnauthenticatedError
from sparkvsr_server.transports._service import JobService

logger = logging.getLogger(__name__)

# HTTP statuses for the gRPC codes our errors map to (499 is the usual "client closed").
HTTP_STATUS_BY_CODE = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "NOT_FOUND": 404,
    "FAILED_PRECONDITION": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}

Unary = Callable[[JobService, Message], Awaitable[Message]]

# How long a stopping gateway waits for the replies in flight.
_DRAIN_S = 3.0


async def _server_info(service: JobService, request) -> Message:
    return service.server_info()


async def _get_job(service: JobService, request) -> Message:
    return service.get_job(request)


async def _cancel_job(service: JobService, request) -> Message:
    return service.cancel_job(request)


async def _start_media_job(service: JobService, request) -> Message:
    return await service.start_media_job(request)


async def _run_window(service: JobService, request) -> Message:
    return await service.run_window(request)


# Method name -> (request type, call, the GatewayRequest field, the GatewayResponse field).
UNARY_CALLS: dict[str, tuple[type[Message], Unary, str, str]] = {
    "GetServerInfo": (pb.GetServerInfoRequest, _server_info, "get_server_info", "server_info"),
    "StartMediaJob": (
        pb.StartMediaJobRequest,
        _start_media_job,
        "start_media_job",
        "media_job_started",
    ),
    "GetJob": (pb.GetJobRequest, _get_job, "get_job", "job"),
    "CancelJob": (pb.CancelJobRequest, _cancel_job, "cancel_job", "cancelled"),
    "RunWindow": (pb.RunWindowRequest, _run_window, "run_window", "window"),
}
_UNARY_BY_FIELD = {field: (call, reply) for _, call, field, reply in UNARY_CALLS.values()}


def _to_json(message: Message) -> str:
    return json_format.MessageToJson(message, indent=None)


def _error_json(error: SparkVSRError) -> tuple[int, str]:
    code = wire.status_for(error).name
    body = _to_json(pb.GatewayError(code=code, message=str(error)))
    return HTTP_STATUS_BY_CODE.get(code, 500), body


class Gateway:
    """HTTP (`POST /v1/{Method}`, `GET /v1/health`) and WebSocket (`/v1/ws`) on one port."""

    def __init__(self, service: JobService, token: str | None, health: Callable[[], bool]):
        self._service = service
        self._expected = f"Bearer {token}".encode() if token else None
        self._health = health
        self._sockets: set[web.WebSocketResponse] = set()
        self._calls: set[asyncio.Task] = set()  # every socket's calls in flight
        app = web.Application(client_max_size=1 << 20)
        app.router.add_get("/v1/health", self._on_health)
        app.router.add_get("/v1/ws", self._on_websocket)
        app.router.add_post("/v1/{method}", self._on_unary)
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listens on host:port (0 = any free port); returns the port."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=False, reuse_port=False)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            raise InvalidInputError(
                f"the gateway cannot listen on {host}:{port} ({error.strerror}); is another "
                "server running? choose --gateway-port"
            ) from None
        self.port = site._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Closes every socket once the calls in flight have replied (watches of jobs that all
        ended send their last message), or after a few seconds."""
        if self._calls:
            await asyncio.wait(self._calls, timeout=_DRAIN_S)
        for socket in list(self._sockets):
            await socket.close()
        await self._runner.cleanup()

    # -- HTTP -----------------------------------------------------------------------------------

    async def _on_health(self, request: web.Request) -> web.Response:
        serving = self._health()
        body = json.dumps({"status": "SERVING" if serving else "NOT_SERVING"})
        return web.Response(
            text=body, status=200 if serving else 503, content_type="application/json"
        )

    async def _on_unary(self, request: web.Request) -> web.Response:
        try:
            self._admit(request, request.headers.get("Authorization", ""))
            method = request.match_info["method"]
            if method not in UNARY_CALLS:
                raise InvalidInputError(
                    f"no method {method!r}; the gateway serves {', '.join(UNARY_CALLS)} "
                    "(POST) and WatchJob over /v1/ws"
                )
            request_type, call, _, _ = UNARY_CALLS[method]
            message = _parse(await request.text() or "{}", request_type())
            reply = await call(self._service, message)
        except SparkVSRError as error:
            status, body = _error_json(error)
            return web.Response(text=body, status=status, content_type="application/json")
        return web.Response(text=_to_json(reply), content_type="application/json")

    def _admit(self, request: web.Request, presented: str) -> None:
        """Refuses a wrong token, and pages of other web sites (a browser on this machine must not
        let any site it visits drive the server)."""
        if self._expected and not hmac.compare_digest(presented.encode(), self._expected):
            raise UnauthenticatedError("missing or wrong token")
        origin = request.headers.get("Origin")
        if origin and not self._expected and not _trusted_origin(origin):
            raise UnauthenticatedError(
                f"requests from web pages of {origin} are refused; run the server with a token "
                "to allow them"
            )

    # -- WebSocket ------------------------------------------------------------------------------

    async def _on_websocket(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("token", "")
        try:
            self._admit(request, f"Bearer {token}" if token else "")
        except SparkVSRError as error:
            status, body = _error_json(error)
            return web.Response(text=body, status=status, content_type="application/json")
        socket = web.WebSocketResponse(heartbeat=30.0)
        await socket.prepare(request)
        self._sockets.add(socket)
        calls: set[asyncio.Task] = set()
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                task = asyncio.create_task(self._serve_call(socket, frame.data))
                calls.add(task)
                task.add_done_callback(calls.discard)
                self._calls.add(task)
                task.add_done_callback(self._calls.discard)
        finally:
            # Jobs outlive the socket (a reloaded panel reattaches); only the watches stop.
            for task in calls:
                task.cancel()
            self._sockets.discard(socket)
        return socket

    async def _serve_call(self, socket: web.WebSocketResponse, text: str) -> None:
        request_id = 0
        try:
            envelope = _parse(text, pb.GatewayRequest())
            request_id = envelope.request_id
            async for reply in self._replies(envelope):
                reply.request_id = request_id
                await socket.send_str(_to_json(reply))
        except SparkVSRError as error:
            code = wire.status_for(error).name
            reply = pb.GatewayResponse(
                request_id=request_id,
                error=pb.GatewayError(code=code, message=str(error)),
                final=True,
            )
            if not socket.closed:
                await socket.send_str(_to_json(reply))
        except ConnectionError:
            pass  # the client went away mid-reply

    async def _replies(self, envelope: pb.GatewayRequest) -> AsyncIterator[pb.GatewayResponse]:
        field = envelope.WhichOneof("call")
        if field is None:
            raise InvalidInputError("the request names no call")
        if field == "watch_job":
            async for progress in self._service.watch_job(envelope.watch_job):
                yield pb.GatewayResponse(progress=progress, final=progress.state in _FINAL)
            return
        call, reply_field = _UNARY_BY_FIELD[field]
        reply = await call(self._service, getattr(envelope, field))
        response = pb.GatewayResponse(final=True)
        getattr(response, reply_field).CopyFrom(reply)
        yield response


_FINAL = (pb.JOB_STATE_SUCCEEDED, pb.JOB_STATE_FAILED, pb.JOB_STATE_CANCELLED)


def _parse(text: str, message: Message) -> Message:
    try:
        return json_format.Parse(text, message)
    except json_format.ParseError as error:
        raise InvalidInputError(
            f"not a valid {message.DESCRIPTOR.name} in the protobuf JSON mapping: {error}"
        ) from None


def _trusted_origin(origin: str) -> bool:
    """Pages served from this machine, and hosts' own schemes (a UXP panel is no web site)."""
    if origin == "null":  # sandboxed frames and file pages: any site can make one
        return False
    parts = urlsplit(origin)
    if parts.scheme in ("http", "https", "ws", "wss"):
        return bool(parts.hostname) and is_loopback(parts.hostname)
    return True
