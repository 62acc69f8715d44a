"""The gRPC servicer: thin; it converts with sparkvsr.wire and hands work to the job manager."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable

from google.protobuf.message import DecodeError

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.errors import (
    InvalidInputError,
    JobCancelledError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.specs import Keyframe, SourceFrame
from sparkvsr_server._config import ServerConfig
from sparkvsr_server.jobs import Job, JobManager
from sparkvsr_server.transports._service import JobService


def _unary(method: Callable) -> Callable:
    """Turns library errors raised by a unary handler into their gRPC status."""

    @functools.wraps(method)
    async def handler(self, request, context):
        try:
            return await method(self, request, context)
        except SparkVSRError as error:
            await context.abort(wire.status_for(error), str(error))

    return handler


def _streaming(method: Callable) -> Callable:
    """Turns library errors raised by a response-streaming handler into their gRPC status."""

    @functools.wraps(method)
    async def handler(self, request, context):
        try:
            async for response in method(self, request, context):
                yield response
        except SparkVSRError as error:
            await context.abort(wire.status_for(error), str(error))

    return handler


async def _parsed(requests: AsyncIterator) -> AsyncIterator:
    """The request stream, with a message that is not protobuf refused as bad input."""
    try:
        async for request in requests:
            yield request
    except DecodeError as error:
        raise InvalidInputError(f"a request message did not parse: {error}") from None


def _owner(context) -> str:
    """Who submits a job, for fair scheduling: the client's self-chosen name on its host (gRPC
    shares connections between channels, so the peer address alone cannot tell clients apart)."""
    host = (context.peer() or "").rpartition(":")[0]
    metadata = dict(context.invocation_metadata() or ())
    return f"{host}/{metadata.get(wire.CLIENT_ID_METADATA, '')}"


class UpscaleServicer(upscale_pb2_grpc.UpscaleServiceServicer):
    def __init__(self, config: ServerConfig, manager: JobManager, service: JobService):
        self._config = config
        self._manager = manager
        self._service = service
        self._buffered = 0  # bytes of frame parts being assembled, all streams together

    @_unary
    async def GetServerInfo(self, request, context):
        return self._service.server_info()

    @_streaming
    async def Upscale(self, request_iterator, context) -> AsyncIterator[pb.UpscaleResponse]:
        requests = aiter(_parsed(request_iterator))
        first = await anext(requests, None)
        if first is None or first.WhichOneof("item") != "spec":
            raise InvalidInputError("the first message of Upscale must be the job spec")
        spec = wire.spec_from_proto(
            first.spec, self._config.default_engine, self._manager.engine_infos
        )
        job = self._manager.submit(spec, owner=_owner(context))
        yield pb.UpscaleResponse(
            accepted=pb.JobAccepted(
                job_id=job.id,
                output_layout=wire.layout_to_proto(spec.output_layout),
                frame_count=spec.frame_count,
                engine=spec.engine,
            )
        )
        pump = asyncio.create_task(self._pump_inputs(requests, job))
        try:
            async for response in self._job_output(job, 0, spec.frame_count):
                yield pb.UpscaleResponse(**response)
        finally:
            pump.cancel()
            if not job.input_complete:
                job.cancel("the client went away before it sent all frames")

    @_streaming
    async def FetchFrames(self, request, context) -> AsyncIterator[pb.FetchFramesResponse]:
        job = self._manager.get(request.job_id)
        stop = request.end_index or job.spec.frame_count
        if not request.start_index < stop <= job.spec.frame_count:
            raise InvalidInputError(
                f"frames [{request.start_index}, {stop}) are not within the job's "
                f"{job.spec.frame_count} frames"
            )
        async for response in self._job_output(job, request.start_index, stop):
            yield pb.FetchFramesResponse(**response)

    @_unary
    async def GetJob(self, request, context):
        return self._service.get_job(request)

    @_unary
    async def CancelJob(self, request, context):
        return self._service.cancel_job(request)

    @_unary
    async def StartMediaJob(self, request, context):
        return await self._service.start_media_job(request)

    @_streaming
    async def WatchJob(self, request, context) -> AsyncIterator[pb.JobProgress]:
        async for progress in self._service.watch_job(request):
            yield progress

    @_unary
    async def RunWindow(self, request, context):
        return await self._service.run_window(request)

    async def _job_output(self, job: Job, start: int, stop: int) -> AsyncIterator[dict]:
        """Progress on every change, and each frame in [start, stop) as soon as it is finished."""
        job.readers += 1  # shutdown keeps the job's frames until its readers are done
        try:
            async for response in self._job_output_of(job, start, stop):
                yield response
        finally:
            job.readers -= 1

    async def _job_output_of(self, job: Job, start: int, stop: int) -> AsyncIterator[dict]:
        index, reported = start, None
        while True:
            seen = job.version
            if reported != seen:
                reported = seen
                yield {"progress": wire.job_status_to_proto(job.status())}
            while index < min(stop, job.frames_done):
                image = await job.read_frame(index)
                for part in wire.frame_to_parts(index, image, self._config.max_message_bytes):
                    yield {"frame": part}
                index += 1
            if index >= stop:
                return
            if job.state.finished:
                raise job.error or JobCancelledError(f"job {job.id} ended at frame {index}")
            await job.wait_for_change(seen)

    async def _pump_inputs(self, requests: AsyncIterator[pb.UpscaleRequest], job: Job) -> None:
        """Feeds the job from the request stream; a bad item fails the job with its reason."""
        assemblers = {
            "source_frame": (
                wire.FrameAssembler("source frame", job.spec.source_layout),
                SourceFrame,
            ),
            "keyframe_image": (
                wire.FrameAssembler("keyframe image", job.spec.output_layout),
                Keyframe,
            ),
        }
        try:
            async for request in requests:
                kind = request.WhichOneof("item")
                if kind not in assemblers:
                    raise InvalidInputError(
                        f"unexpected {kind or 'empty'} message after the job spec"
                    )
                assembler, item = assemblers[kind]
                done = self._assemble(assembler, getattr(request, kind))
                if done:
                    await job.put_input(item(*done))
            await job.end_input()
        except SparkVSRError as error:
            job.fail(error)
        finally:
            self._buffered -= sum(assembler.open_bytes for assembler, _ in assemblers.values())

    def _assemble(self, assembler: wire.FrameAssembler, part: pb.FramePart):
        """Adds a part within the server's buffer limits (the per-job one is met by the frame
        size check at submission: one frame at most is half-assembled per stream)."""
        if self._buffered + len(part.data) > self._config.max_buffer_bytes:
            raise ResourceExhaustedError(
                "the server is already assembling "
                f"{self._buffered / 2**20:.0f} MiB of incoming frames (max_buffer_bytes is "
                f"{self._config.max_buffer_bytes / 2**20:.0f} MiB); try again later"
            )
        before = assembler.open_bytes
        done = assembler.add(part)
        self._buffered += assembler.open_bytes - before
        return done
