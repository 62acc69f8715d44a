"""The gateway for clients that cannot speak gRPC (a UXP panel, an OpenFX plugin): the protobuf
JSON mapping of the v1 messages over HTTP and WebSocket, served by the same job service."""

from __future__ import annotations

import asyncio
import functools
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
from sparkvsr.errors import (
    EngineError,
    InvalidInputError,
    PermissionDeniedError,
    ResourceExhaustedError,
    SparkVSRError,
    UnauthenticatedError,
)
from sparkvsr_server.transports._service import JobService

logger = logging.getLogger(__name__)

# HTTP statuses for the gRPC codes our errors map to (499 is the usual "client closed").
HTTP_STATUS_BY_CODE = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "FAILED_PRECONDITION": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}

# The gRPC code names the HTTP statuses aiohttp raises by itself stand for (the body is then a
# GatewayError like every other error: clients parse one shape).
CODE_BY_HTTP_STATUS = {404: "NOT_FOUND", 405: "UNIMPLEMENTED", 413: "INVALID_ARGUMENT"}

MAX_MESSAGE_BYTES = 1 << 20
"""The largest HTTP body or WebSocket message the gateway reads (frames travel as files)."""
MAX_UNARY_CALLS_PER_SOCKET = 16
"""Unary calls one socket may have in flight; past that the gateway reads nothing more from it
until one finishes, so a flooding client is slowed by TCP itself and others keep their share."""
MAX_WATCHES_PER_SOCKET = 256
"""watchJob calls one socket may hold open; one more is refused with RESOURCE_EXHAUSTED."""

Unary = Callable[[JobService, Message], Awaitable[Message]]


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


def _error_response(error: SparkVSRError) -> web.Response:
    code = wire.status_for(error).name
    return _json_error(HTTP_STATUS_BY_CODE.get(code, 500), code, str(error))


def _json_error(status: int, code: str, message: str, headers=None) -> web.Response:
    body = _to_json(pb.GatewayError(code=code, message=message))
    return web.Response(text=body, status=status, content_type="application/json", headers=headers)


@web.middleware
async def _errors_as_json(request: web.Request, handler) -> web.StreamResponse:
    """aiohttp's own refusals (unknown path, wrong method, body too large) as GatewayErrors."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code = CODE_BY_HTTP_STATUS.get(error.status, "INVALID_ARGUMENT")
        message = f"{request.method} {request.path}: {error.reason}"
        if error.status == 413:
            message += f" (the gateway reads at most {MAX_MESSAGE_BYTES} bytes a request)"
        headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
        return _json_error(error.status, code, message, headers)


# How long a stopping gateway waits for the replies in flight.
_DRAIN_S = 3.0


class Gateway:
    """HTTP (`POST /v1/{Method}`, `GET /v1/health`) and WebSocket (`/v1/ws`) on one port."""

    def __init__(self, service: JobService, token: str | None, health: Callable[[], bool]):
        self._service = service
        self._expected = f"Bearer {token}".encode() if token else None
        self._health = health
        self._sockets: set[web.WebSocketResponse] = set()
        self._socket_calls: set[_SocketCalls] = set()
        app = web.Application(client_max_size=MAX_MESSAGE_BYTES, middlewares=[_errors_as_json])
        app.router.add_get("/v1/health", self._on_health)
        app.router.add_get("/v1/ws", self._on_websocket)
        app.router.add_post("/v1/{method}", self._on_unary)
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listens on host:port (0 = any free port); returns the port."""
        await self._runner.setup()
        # SO_REUSEADDR (asyncio's default on POSIX): a restart may bind while the last server's
        # connections sit in TIME_WAIT; two listeners on one port are still refused.
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
        tasks = {task for calls in self._socket_calls for task in calls.tasks}
        if tasks:
            await asyncio.wait(tasks, timeout=_DRAIN_S)
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
            return _error_response(error)
        except web.HTTPException:  # aiohttp's own refusals: _errors_as_json answers them
            raise
        except Exception as error:  # a bug: still one GatewayError, as every other reply
            return _error_response(_internal_error(request.path, error))
        return web.Response(text=_to_json(reply), content_type="application/json")

    def _admit(self, request: web.Request, presented: str) -> None:
        """Refuses a wrong token, and (without a token) pages of other web sites: a browser on
        this machine must not let any site it visits drive the server. With a token, the token
        is the proof, whatever the Origin."""
        if self._expected and not hmac.compare_digest(presented.encode(), self._expected):
            raise UnauthenticatedError("missing or wrong token")
        origin = request.headers.get("Origin")
        if origin and not self._expected and not _trusted_origin(origin):
            raise PermissionDeniedError(
                f"requests from web pages of {origin} are refused; run the server with a token "
                "to allow them"
            )

    # -- WebSocket ------------------------------------------------------------------------------

    async def _on_websocket(self, request: web.Request) -> web.StreamResponse:
        # Browsers cannot set headers on a WebSocket, so `?token=` stands in for the header.
        token = request.query.get("token", "")
        presented = request.headers.get("Authorization") or (f"Bearer {token}" if token else "")
        try:
            self._admit(request, presented)
        except SparkVSRError as error:
            return _error_response(error)
        socket = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_MESSAGE_BYTES)
        await socket.prepare(request)
        self._sockets.add(socket)
        calls = _SocketCalls(socket)
        self._socket_calls.add(calls)
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    await self._start_call(calls, frame.data)
                elif frame.type == WSMsgType.BINARY:
                    await _send_error(socket, 0, InvalidInputError(_BINARY_REFUSED))
        finally:
            # Jobs outlive the socket (a reloaded panel reattaches); only the watches stop.
            calls.cancel_all()
            self._socket_calls.discard(calls)
            self._sockets.discard(socket)
        return socket

    async def _start_call(self, calls: _SocketCalls, text: str) -> None:
        """Reads one envelope and starts its call; waits while the socket's unary calls are
        all in flight (reading nothing meanwhile is the push-back)."""
        request_id = 0
        try:
            raw = _read_json(text)
            request_id = _request_id(raw)
            envelope = _parse(raw, pb.GatewayRequest())
            field = envelope.WhichOneof("call")
            if field is None:
                raise InvalidInputError(
                    "the request names no call this server knows; it serves "
                    f"{', '.join(sorted([*_UNARY_BY_FIELD, 'watch_job']))}"
                )
            if field == "watch_job" and calls.watches >= MAX_WATCHES_PER_SOCKET:
                raise ResourceExhaustedError(
                    f"this socket already watches {MAX_WATCHES_PER_SOCKET} jobs; close some first"
                )
        except SparkVSRError as error:
            await _send_error(calls.socket, request_id, error)
            return
        call = functools.partial(self._serve_call, calls.socket, request_id, envelope)
        await calls.start(field == "watch_job", call)

    async def _serve_call(
        self, socket: web.WebSocketResponse, request_id: int, envelope: pb.GatewayRequest
    ) -> None:
        try:
            async for reply in self._replies(envelope):
                reply.request_id = request_id
                await socket.send_str(_to_json(reply))
        except SparkVSRError as error:
            await _send_error(socket, request_id, error)
        except ConnectionError:
            pass  # the client went away mid-reply
        except Exception as error:  # a bug: the caller still gets its final reply, not silence
            call = f"{envelope.WhichOneof('call')} (request {request_id})"
            await _send_error(socket, request_id, _internal_error(call, error))

    async def _replies(self, envelope: pb.GatewayRequest) -> AsyncIterator[pb.GatewayResponse]:
        field = envelope.WhichOneof("call")
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
_BINARY_REFUSED = "binary WebSocket messages are not part of the protocol; send JSON text"


class _SocketCalls:
    """The calls in flight on one socket, within the socket's limits."""

    def __init__(self, socket: web.WebSocketResponse):
        self.socket = socket
        self.watches = 0
        self._unary_slots = asyncio.Semaphore(MAX_UNARY_CALLS_PER_SOCKET)
        self._tasks: set[asyncio.Task] = set()

    async def start(self, is_watch: bool, call: Callable[[], Awaitable[None]]) -> None:
        if is_watch:
            self.watches += 1
        else:
            await self._unary_slots.acquire()
        task = asyncio.create_task(call())
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, is_watch))

    def _finished(self, task: asyncio.Task, is_watch: bool) -> None:
        self._tasks.discard(task)
        if is_watch:
            self.watches -= 1
        else:
            self._unary_slots.release()

    @property
    def tasks(self) -> set[asyncio.Task]:
        return set(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def _send_error(socket: web.WebSocketResponse, request_id: int, error: SparkVSRError):
    code = wire.status_for(error).name
    reply = pb.GatewayResponse(
        request_id=request_id, error=pb.GatewayError(code=code, message=str(error)), final=True
    )
    if not socket.closed:
        try:
            await socket.send_str(_to_json(reply))
        except ConnectionError:
            pass


def _internal_error(call: str, error: Exception) -> EngineError:
    """An unexpected exception in a call, logged with its traceback, as the error its caller
    gets (INTERNAL, in one line)."""
    logger.error("gateway call %s failed", call, exc_info=error)
    return EngineError(f"internal error in the server: {error}")


def _read_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidInputError(f"not JSON: {error}") from None


def _request_id(raw: object) -> int:
    """The envelope's request id, read before the envelope itself so that even a malformed
    request is answered under its id; 0 when there is none."""
    try:
        return int(raw.get("requestId", raw.get("request_id", 0)))  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return 0


def _parse(value: str | object, message: Message) -> Message:
    """`value` (JSON text, or JSON already read) into `message`. Unknown fields are ignored: a
    newer client may send what this server does not know yet (protobuf JSON's ignore-unknown)."""
    try:
        if isinstance(value, str):
            return json_format.Parse(value, message, ignore_unknown_fields=True)
        return json_format.ParseDict(value, message, ignore_unknown_fields=True)
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
