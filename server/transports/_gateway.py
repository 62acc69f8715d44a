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
from sparkvsr.errors import InvalidInputError, SparkVSRError
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
# The largest request body or WebSocket message (requests name files; they carry no frames).
MAX_REQUEST_BYTES = 1 << 20
# Calls one WebSocket may have in flight (watches included) before it is read no further.
MAX_CALLS_PER_SOCKET = 64


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
        app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[_json_errors])
        app.router.add_get("/v1/health", self._on_health)
        app.router.add_get("/v1/ws", self._on_websocket)
        app.router.add_post("/v1/{method}", self._on_unary)
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listens on host:port (0 = any free port); returns the port."""
        await self._runner.setup()
        # SO_REUSEADDR (asyncio's default where it is safe, POSIX): a restart right after a stop
        # binds over connections in TIME_WAIT; a second server is still refused. No SO_REUSEPORT.
        site = web.TCPSite(self._runner, host, port, reuse_port=False)
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
        refused = self._refusal(request, request.headers.get("Authorization", ""))
        if refused:
            return refused
        try:
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

    # -- WebSocket ------------------------------------------------------------------------------

    def _refusal(self, request: web.Request, presented: str) -> web.Response | None:
        """A wrong token (401), or a page of another web site (403: a browser on this machine
        must not let any site it visits drive the server); None when the request may go on."""
        if self._expected and not hmac.compare_digest(presented.encode(), self._expected):
            return _error_response(401, "UNAUTHENTICATED", "missing or wrong token")
        origin = request.headers.get("Origin")
        if origin and not self._expected and not _trusted_origin(origin):
            return _error_response(
                403,
                "PERMISSION_DENIED",
                f"requests from web pages of {origin} are refused; run the server with a token "
                "to allow them",
            )
        return None

    async def _on_websocket(self, request: web.Request) -> web.StreamResponse:
        # The header, as over HTTP; `?token=` for clients that cannot set headers on a WebSocket.
        token = request.query.get("token", "")
        presented = request.headers.get("Authorization") or (f"Bearer {token}" if token else "")
        refused = self._refusal(request, presented)
        if refused:
            return refused
        socket = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_REQUEST_BYTES)
        await socket.prepare(request)
        self._sockets.add(socket)
        calls: set[asyncio.Task] = set()
        # Push-back on a flood: past this many calls in flight the socket is not read until one
        # ends (TCP then slows the sender), so one client cannot crowd out the others.
        room = asyncio.Semaphore(MAX_CALLS_PER_SOCKET)
        try:
            async for frame in socket:
                text = _frame_text(frame)
                if text is None:
                    continue
                await room.acquire()
                task = asyncio.create_task(self._serve_call(socket, text))
                for running in (calls, self._calls):
                    running.add(task)
                    task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: room.release())
        finally:
            # Jobs outlive the socket (a reloaded panel reattaches); only the watches stop.
            for task in calls:
                task.cancel()
            self._sockets.discard(socket)
        return socket

    async def _serve_call(self, socket: web.WebSocketResponse, text: str) -> None:
        request_id = _request_id(text)  # echoed even when the rest does not parse
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


def _frame_text(frame) -> str | None:
    """A request's JSON from a text frame, or a binary one holding UTF-8 JSON; None for control
    frames. Raises nothing: other binary data becomes text that does not parse, answered so."""
    if frame.type == WSMsgType.TEXT:
        return frame.data
    if frame.type == WSMsgType.BINARY:
        return frame.data.decode("utf-8", errors="replace")
    return None


def _request_id(text: str) -> int:
    """The caller's requestId, read from the JSON alone (0 where there is none)."""
    try:
        value = json.loads(text).get("requestId", 0)
        return int(value) if int(value) >= 0 else 0
    except (ValueError, TypeError, AttributeError, OverflowError):
        return 0


def _error_response(status: int, code: str, message: str) -> web.Response:
    body = _to_json(pb.GatewayError(code=code, message=message))
    return web.Response(text=body, status=status, content_type="application/json")


@web.middleware
async def _json_errors(request: web.Request, handler) -> web.StreamResponse:
    """aiohttp's own refusals (no such path, wrong method, body too large) as GatewayError JSON,
    like every other error of the gateway."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code = _CODE_BY_HTTP_STATUS.get(error.status, "INVALID_ARGUMENT")
        message = f"{error.reason}: {request.method} {request.path}"
        if error.status == 413:
            message = f"the request is larger than the gateway takes ({MAX_REQUEST_BYTES} bytes)"
        return _error_response(error.status, code, message)


_CODE_BY_HTTP_STATUS = {404: "NOT_FOUND", 405: "UNIMPLEMENTED", 413: "RESOURCE_EXHAUSTED"}


def _parse(text: str, message: Message) -> Message:
    try:
        # Fields it does not know are ignored: a newer client talks to an older server.
        return json_format.Parse(text, message, ignore_unknown_fields=True)
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
