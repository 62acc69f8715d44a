"""The client API: run jobs on a SparkVSR server, reattach to them, ask what it offers."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import grpc

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.connection import ConnectionOptions
from sparkvsr.engines import EngineInfo
from sparkvsr.errors import (
    InvalidInputError,
    ServerUnavailableError,
    SparkVSRError,
)
from sparkvsr.info import ServerInfo
from sparkvsr.specs import InputItem, JobSpec, JobStatus, Keyframe, OutputFrame, SourceFrame

logger = logging.getLogger(__name__)

# How long a job's status may take to come back after a broken call.
_STATUS_TIMEOUT_S = 10.0
# Status codes after which a job whose input was all sent is worth fetching again.
_REATTACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN)


@contextlib.contextmanager
def _library_errors(address: str | None = None) -> Iterator[None]:
    """Maps a failed call's status back to the library exception the server raised; a server
    that does not answer at all is said so, with what to do."""
    try:
        yield
    except grpc.RpcError as error:
        if address and error.code() == grpc.StatusCode.UNAVAILABLE:
            raise ServerUnavailableError(
                f"no SparkVSR server answers at {address}: start one with `sparkvsr serve` "
                f"(or check the address) [{error.details()}]"
            ) from None
        raise wire.error_for(error.code(), error.details()) from None


class UpscaleRun:
    """One job's output: iterate for finished frames, in order; `job_id` is set once accepted."""

    def __init__(self, client: Client, spec: JobSpec, items: Iterable[InputItem]):
        self._client = client
        self._spec = spec
        self._items = items
        self.job_id: str | None = None
        self.server_has_input = False
        """True once the server holds all input: from then on the job survives a lost client."""
        self._input_error: BaseException | None = None

    def __iter__(self) -> Iterator[OutputFrame]:
        next_index = 0
        stream = self._stream()
        try:
            with _library_errors():
                for frame in stream:
                    next_index = frame.index + 1
                    yield frame
            return
        except GeneratorExit:
            stream.close()  # the caller stopped reading: _stream cancels the job
            raise
        except SparkVSRError as error:
            # gRPC reads the inputs on its own thread: their failure is the real cause.
            if self._input_error is not None:
                raise self._input_error from None
            # Every frame arrived: what became of the call afterwards changes nothing.
            if next_index >= self._spec.frame_count:
                return
            # A broken connection after the server has all input: the job goes on, reattach.
            if not (isinstance(error, ServerUnavailableError) and self._server_holds_input()):
                raise
        yield from self._client.fetch_frames(
            self.job_id, next_index, self._spec.frame_count, retries=self._client.reattach_attempts
        )

    def _server_holds_input(self) -> bool:
        """Whether the job goes on without this call. The last progress seen may predate the end
        of the input (a short job sends few), so a job whose call broke is asked about anew."""
        if self.server_has_input or self.job_id is None:
            return self.server_has_input
        for attempt in range(self._client.reattach_attempts + 1):
            if attempt:
                time.sleep(min(0.2 * 2**attempt, 5.0))
            try:
                status = self._client.job(self.job_id, timeout_s=_STATUS_TIMEOUT_S)
            except ServerUnavailableError:
                continue
            except (SparkVSRError, ValueError):  # the job is gone, or the client was closed
                return False
            self.server_has_input = status.input_complete
            return self.server_has_input
        return False

    def _requests(self, max_message_bytes: int) -> Iterator[pb.UpscaleRequest]:
        yield pb.UpscaleRequest(spec=wire.spec_to_proto(self._spec))
        try:
            for item in self._items:
                if not isinstance(item, (SourceFrame, Keyframe)):
                    raise TypeError(
                        f"inputs must be SourceFrame or Keyframe, got {type(item).__name__}"
                    )
                field = "source_frame" if isinstance(item, SourceFrame) else "keyframe_image"
                for part in wire.frame_to_parts(item.index, item.image, max_message_bytes):
                    yield pb.UpscaleRequest(**{field: part})
        except Exception as error:  # noqa: BLE001 - re-raised on the caller's thread
            # Ending the stream early makes the server fail the job; __iter__ raises this.
            self._input_error = error

    def _stream(self) -> Iterator[OutputFrame]:
        limit = self._client.server_info().max_message_bytes
        responses = self._client._stub.Upscale(
            self._requests(limit), metadata=self._client._metadata
        )
        frames = wire.FrameAssembler("output frame")
        try:
            for response in responses:
                kind = response.WhichOneof("item")
                if kind == "accepted":
                    self.job_id = response.accepted.job_id
                elif kind == "progress":
                    progress = wire.job_status_from_proto(response.progress)
                    self.server_has_input = progress.input_complete
                elif kind == "frame":
                    done = frames.add(response.frame)
                    if done:
                        yield OutputFrame(*done)
        except GeneratorExit:
            # Nobody reads the rest: stop the job instead of leaving it to run (a job that
            # already holds all its input would otherwise finish for nobody).
            responses.cancel()
            if self.job_id is not None:
                # ValueError: the client was closed first; the server then sees the call end.
                with contextlib.suppress(SparkVSRError, ValueError):
                    self._client.cancel(self.job_id)
            raise


class Client:
    """A connection to a SparkVSR server.

    Args:
        address: "host:port".
        token: bearer token, when the server requires one.
        tls_ca: PEM CA bundle to verify the server with; enables TLS.
        tls_cert, tls_key: PEM client certificate and key, for servers that require them.
        reattach_attempts: how often to try fetching the rest of a job after the connection breaks.
    """

    def __init__(
        self,
        address: str,
        *,
        token: str | None = None,
        tls_ca: str | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        reattach_attempts: int = 5,
    ):
        # Receiving is unbounded here: the server already splits frames under its own limit.
        options = [("grpc.max_receive_message_length", -1)]
        if tls_ca:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=Path(tls_ca).read_bytes(),
                private_key=Path(tls_key).read_bytes() if tls_key else None,
                certificate_chain=Path(tls_cert).read_bytes() if tls_cert else None,
            )
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._stub = upscale_pb2_grpc.UpscaleServiceStub(self._channel)
        # The server shares its workers fairly between clients by this name.
        self._metadata = ((wire.CLIENT_ID_METADATA, uuid.uuid4().hex),)
        if token:
            self._metadata += (("authorization", f"Bearer {token}"),)
        self._server_info: ServerInfo | None = None
        self.address = address
        self.reattach_attempts = reattach_attempts

    @classmethod
    def connect(cls, options: ConnectionOptions) -> Client:
        """A client for the server `options` name (see sparkvsr.runners.connection_options)."""
        return cls(
            options.address,
            token=options.token,
            tls_ca=options.tls_ca,
            tls_cert=options.tls_cert,
            tls_key=options.tls_key,
        )

    # -- the Runner protocol --------------------------------------------------------------------

    @property
    def default_engine(self) -> str:
        return self.server_info().default_engine

    def engine_info(self, name: str) -> EngineInfo:
        """The rules of an engine as the server describes it."""
        statuses = {status.info.name: status for status in self.server_info().engines}
        if name not in statuses:
            raise InvalidInputError(
                f"unknown engine {name!r}; the server at {self.address} runs: "
                f"{', '.join(sorted(statuses))}"
            )
        return statuses[name].info

    def run(self, spec: JobSpec, items: Iterable[InputItem]) -> Iterator[OutputFrame]:
        return iter(self.upscale(spec, items))

    # -------------------------------------------------------------------------------------------

    def server_info(self, timeout_s: float = 10.0) -> ServerInfo:
        """Engines, devices, limits and versions of the server (asked once, then cached)."""
        if self._server_info is None:
            with _library_errors(self.address):
                message = self._stub.GetServerInfo(
                    pb.GetServerInfoRequest(),
                    metadata=self._metadata,
                    timeout=timeout_s,
                    wait_for_ready=False,
                )
            self._server_info = wire.server_info_from_proto(message)
        return self._server_info

    def upscale(self, spec: JobSpec, items: Iterable[InputItem]) -> UpscaleRun:
        """Streams a job's inputs to the server; iterate the result for the finished frames.

        Frames come back as soon as their chunk is done, so neither side holds the whole clip.
        If the connection breaks after all input was sent, the rest is fetched by reattaching.

        Raises (while iterating):
            InvalidInputError, ResourceExhaustedError, EngineUnavailableError, JobCancelledError,
            UnauthenticatedError, ServerUnavailableError: as the server reported them.
        """
        return UpscaleRun(self, spec, items)

    def fetch_frames(
        self, job_id: str, start: int = 0, stop: int | None = None, *, retries: int = 0
    ) -> Iterator[OutputFrame]:
        """Finished frames [start, stop) of a job, waiting for those not done yet."""
        if stop is not None and start >= stop:
            return
        next_index, attempt = start, 0
        while True:
            request = pb.FetchFramesRequest(
                job_id=job_id, start_index=next_index, end_index=stop or 0
            )
            frames = wire.FrameAssembler("output frame")
            try:
                for response in self._stub.FetchFrames(request, metadata=self._metadata):
                    if response.WhichOneof("item") == "frame":
                        done = frames.add(response.frame)
                        if done:
                            next_index = done[0] + 1
                            yield OutputFrame(*done)
                return
            except grpc.RpcError as error:
                if error.code() not in _REATTACHABLE or attempt >= retries:
                    raise wire.error_for(error.code(), error.details()) from None
                attempt += 1
                logger.warning(
                    "lost job %s at frame %d; reattaching (%d/%d)",
                    job_id,
                    next_index,
                    attempt,
                    retries,
                )
                time.sleep(min(0.2 * 2**attempt, 5.0))

    def job(self, job_id: str, timeout_s: float | None = None) -> JobStatus:
        """State and progress of a job (waiting at most `timeout_s` for the answer)."""
        with _library_errors():
            reply = self._stub.GetJob(
                pb.GetJobRequest(job_id=job_id), metadata=self._metadata, timeout=timeout_s
            )
        return wire.job_status_from_proto(reply.progress)

    def cancel(self, job_id: str) -> JobStatus:
        """Cancels a job; its finished frames stay fetchable until it expires."""
        with _library_errors():
            request = pb.CancelJobRequest(job_id=job_id)
            reply = self._stub.CancelJob(request, metadata=self._metadata)
        return wire.job_status_from_proto(reply.progress)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
