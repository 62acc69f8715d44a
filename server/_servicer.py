"""The gRPC servicer: thin; it converts with sparkvsr.wire and hands work to the job manager."""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
from collections.abc import AsyncIterator, Callable

from sparkvsr import wire
from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.api.v1 import upscale_pb2_grpc
from sparkvsr.engines import engine_entries, list_devices
from sparkvsr.errors import InvalidInputError, JobCancelledError, SparkVSRError
from sparkvsr.specs import Keyframe, SourceFrame
from sparkvsr_server._config import ServerConfig
from sparkvsr_server._jobs import Job, JobState
from sparkvsr_server._manager import JobManager

_STATES = {
    JobState.QUEUED: pb.JOB_STATE_QUEUED,
    JobState.RUNNING: pb.JOB_STATE_RUNNING,
    JobState.SUCCEEDED: pb.JOB_STATE_SUCCEEDED,
    JobState.FAILED: pb.JOB_STATE_FAILED,
    JobState.CANCELLED: pb.JOB_STATE_CANCELLED,
}
_VERSIONED_PACKAGES = ("sparkvsr", "grpcio", "protobuf", "numpy", "av", "opencv-python-headless")


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


def _progress(job: Job) -> pb.JobProgress:
    return pb.JobProgress(
        job_id=job.id,
        state=_STATES[job.state],
        frames_done=job.frames_done,
        frame_count=job.spec.frame_count,
        message=str(job.error or ""),
        input_complete=job.input_complete,
    )


class UpscaleServicer(upscale_pb2_grpc.UpscaleServiceServicer):
    def __init__(self, config: ServerConfig, manager: JobManager, engine_names: set[str]):
        self._config = config
        self._manager = manager
        self._engine_names = engine_names

    @_unary
    async def GetServerInfo(self, request, context):
        versions = {}
        for package in _VERSIONED_PACKAGES:
            try:
                versions[package] = importlib.metadata.version(package)
            except importlib.metadata.PackageNotFoundError:
                continue
        engines = [
            wire.engine_info_to_proto(
                entry.info,
                entry.unavailable_reason() if entry.info.name not in self._engine_names else None,
            )
            for entry in engine_entries()
        ]
        return pb.GetServerInfoResponse(
            server_version=versions.get("sparkvsr", ""),
            default_engine=self._config.default_engine,
            engines=engines,
            devices=[pb.DeviceInfo(**device) for device in list_devices()],
            limits=pb.ServerLimits(
                max_message_bytes=self._config.max_message_bytes,
                max_queued_jobs=self._config.max_queued_jobs,
                workers=self._config.workers,
            ),
            versions=versions,
        )

    @_streaming
    async def Upscale(self, request_iterator, context) -> AsyncIterator[pb.UpscaleResponse]:
        requests = aiter(request_iterator)
        first = await anext(requests, None)
        if first is None or first.WhichOneof("item") != "spec":
            raise InvalidInputError("the first message of Upscale must be the job spec")
        spec = wire.spec_from_proto(first.spec, self._config.default_engine)
        job = self._manager.submit(spec)
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
        return pb.GetJobResponse(progress=_progress(self._manager.get(request.job_id)))

    @_unary
    async def CancelJob(self, request, context):
        job = self._manager.get(request.job_id)
        job.cancel("cancelled by a client")
        return pb.CancelJobResponse(progress=_progress(job))

    async def _job_output(self, job: Job, start: int, stop: int) -> AsyncIterator[dict]:
        """Progress on every change, and each frame in [start, stop) as soon as it is finished."""
        index, reported = start, None
        while True:
            seen = job.version
            if reported != seen:
                reported = seen
                yield {"progress": _progress(job)}
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
        frames = wire.FrameAssembler("source frame")
        keyframes = wire.FrameAssembler("keyframe image")
        try:
            async for request in requests:
                kind = request.WhichOneof("item")
                if kind == "source_frame":
                    done = frames.add(request.source_frame)
                    if done:
                        await job.put_input(SourceFrame(*done))
                elif kind == "keyframe_image":
                    done = keyframes.add(request.keyframe_image)
                    if done:
                        await job.put_input(Keyframe(*done))
                else:
                    raise InvalidInputError(
                        f"unexpected {kind or 'empty'} message after the job spec"
                    )
            await job.end_input()
        except SparkVSRError as error:
            job.fail(error)
