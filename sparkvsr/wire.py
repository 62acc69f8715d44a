"""The one place where library types meet protobuf: specs, frames and errors, both ways."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import grpc
import numpy as np

from sparkvsr.api.v1 import upscale_pb2 as pb
from sparkvsr.engines import EngineInfo
from sparkvsr.errors import (
    DeviceOutOfMemoryError,
    EngineError,
    EngineUnavailableError,
    InvalidInputError,
    JobCancelledError,
    NotFoundError,
    OutputError,
    PermissionDeniedError,
    ResourceExhaustedError,
    ServerUnavailableError,
    ServiceError,
    SparkVSRError,
    UnauthenticatedError,
)
from sparkvsr.info import DeviceInfo, EngineStatus, ServerInfo
from sparkvsr.specs import FrameLayout, FrameRange, JobSpec, JobState, JobStatus

if TYPE_CHECKING:  # the job-level conversions import these on use: clients stay light
    from sparkvsr.settings import FileJob, JobSettings

# Room left in each message for the FramePart fields around its data.
PART_HEADER_BYTES = 1024
DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# Request metadata naming one client, so that a server can share its workers between clients.
CLIENT_ID_METADATA = "sparkvsr-client-id"

# Subclasses come before their base: a status code maps back to the last class listed for it.
STATUS_BY_ERROR: dict[type[SparkVSRError], grpc.StatusCode] = {
    OutputError: grpc.StatusCode.INVALID_ARGUMENT,
    DeviceOutOfMemoryError: grpc.StatusCode.INTERNAL,
    InvalidInputError: grpc.StatusCode.INVALID_ARGUMENT,
    NotFoundError: grpc.StatusCode.NOT_FOUND,
    EngineUnavailableError: grpc.StatusCode.FAILED_PRECONDITION,
    ResourceExhaustedError: grpc.StatusCode.RESOURCE_EXHAUSTED,
    JobCancelledError: grpc.StatusCode.CANCELLED,
    UnauthenticatedError: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDeniedError: grpc.StatusCode.PERMISSION_DENIED,
    ServerUnavailableError: grpc.StatusCode.UNAVAILABLE,
    # An outside service failed mid-job; the job may succeed if retried.
    ServiceError: grpc.StatusCode.ABORTED,
    EngineError: grpc.StatusCode.INTERNAL,
}
_ERROR_BY_STATUS = {code: error for error, code in STATUS_BY_ERROR.items()}


def status_for(error: SparkVSRError) -> grpc.StatusCode:
    """The gRPC status code that carries `error` to the client."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return grpc.StatusCode.INTERNAL


def error_for(code: grpc.StatusCode, details: str) -> SparkVSRError:
    """The library exception a status code from the server stands for."""
    return _ERROR_BY_STATUS.get(code, ServerUnavailableError)(details or code.name.lower())


_ROW_ORDERS = {"top_down": pb.ROW_ORDER_TOP_DOWN, "bottom_up": pb.ROW_ORDER_BOTTOM_UP}


# Integer layouts leave the field unset, so their messages (and the keys hashed from them) stay
# as they were before floats.
_SAMPLE_FORMATS = {"uint": pb.SAMPLE_FORMAT_UNSPECIFIED, "float": pb.SAMPLE_FORMAT_FLOAT}


def layout_to_proto(layout: FrameLayout) -> pb.FrameLayout:
    return pb.FrameLayout(
        width=layout.width,
        height=layout.height,
        channels=layout.channels,
        bit_depth=layout.bit_depth,
        row_order=_ROW_ORDERS[layout.row_order],
        sample_format=_SAMPLE_FORMATS[layout.sample_format],
    )


def layout_from_proto(message: pb.FrameLayout) -> FrameLayout:
    row_orders = {value: name for name, value in _ROW_ORDERS.items()}
    if message.row_order not in row_orders:
        raise InvalidInputError("frame layout has no row order (top_down or bottom_up)")
    return FrameLayout(
        message.width,
        message.height,
        message.channels,
        message.bit_depth,
        row_orders[message.row_order],
        "float" if message.sample_format == pb.SAMPLE_FORMAT_FLOAT else "uint",
    )


def spec_to_proto(spec: JobSpec) -> pb.JobSpec:
    return pb.JobSpec(
        engine=spec.engine,
        scale=spec.scale,
        frame_count=spec.frame_count,
        source_layout=layout_to_proto(spec.source_layout),
        keyframe_indices=list(spec.keyframe_indices),
        chunk_length=spec.chunk_length,
        chunk_overlap=spec.chunk_overlap,
    )


def spec_from_proto(
    message: pb.JobSpec, default_engine: str, engines: Mapping[str, EngineInfo]
) -> JobSpec:
    """The library spec for a wire spec; wire zeros mean defaults (the server's engine, that
    engine's scale). Raises InvalidInputError."""
    if not message.HasField("source_layout"):
        raise InvalidInputError("the job spec has no source_layout")
    engine = message.engine or default_engine
    if engine not in engines:
        raise InvalidInputError(
            f"unknown engine {engine!r}; this server runs: {', '.join(sorted(engines))}"
        )
    return JobSpec(
        frame_count=message.frame_count,
        source_layout=layout_from_proto(message.source_layout),
        scale=message.scale or engines[engine].default_scale,
        engine=engine,
        keyframe_indices=tuple(message.keyframe_indices),
        chunk_length=message.chunk_length if message.HasField("chunk_length") else None,
        chunk_overlap=message.chunk_overlap if message.HasField("chunk_overlap") else None,
    )


def _engine_to_proto(status: EngineStatus) -> pb.EngineInfo:
    info = status.info
    return pb.EngineInfo(
        name=info.name,
        description=info.description,
        available=status.unavailable_reason is None,
        unavailable_reason=status.unavailable_reason or "",
        scales=list(info.scales),
        min_keyframe_gap=info.min_keyframe_gap,
        default_chunk_length=info.chunk_length,
        default_chunk_overlap=info.chunk_overlap,
        keyframe_reach=info.keyframe_reach,
        default_scale=info.default_scale,
    )


def _engine_from_proto(message: pb.EngineInfo) -> EngineStatus:
    info = EngineInfo(
        name=message.name,
        description=message.description,
        scales=tuple(message.scales),
        min_keyframe_gap=message.min_keyframe_gap,
        chunk_length=message.default_chunk_length,
        chunk_overlap=message.default_chunk_overlap,
        keyframe_reach=message.keyframe_reach,
        # Servers from before default_scale said 0: their default was 4 where offered.
        default_scale=message.default_scale
        or (4 if 4 in message.scales else max(message.scales, default=4)),
    )
    return EngineStatus(info, None if message.available else message.unavailable_reason)


def server_info_to_proto(info: ServerInfo) -> pb.GetServerInfoResponse:
    return pb.GetServerInfoResponse(
        server_version=info.version,
        default_engine=info.default_engine,
        engines=[_engine_to_proto(status) for status in info.engines],
        devices=[
            pb.DeviceInfo(name=d.name, description=d.description, memory_bytes=d.memory_bytes)
            for d in info.devices
        ],
        limits=pb.ServerLimits(
            max_message_bytes=info.max_message_bytes,
            max_queued_jobs=info.max_queued_jobs,
            workers=info.workers,
            worker_devices=list(info.worker_devices),
        ),
        versions=info.versions,
    )


def server_info_from_proto(message: pb.GetServerInfoResponse) -> ServerInfo:
    return ServerInfo(
        version=message.server_version,
        default_engine=message.default_engine,
        engines=tuple(_engine_from_proto(engine) for engine in message.engines),
        devices=tuple(DeviceInfo(d.name, d.description, d.memory_bytes) for d in message.devices),
        max_message_bytes=message.limits.max_message_bytes or DEFAULT_MAX_MESSAGE_BYTES,
        max_queued_jobs=message.limits.max_queued_jobs,
        workers=message.limits.workers,
        worker_devices=tuple(message.limits.worker_devices),
        versions=dict(message.versions),
    )


_JOB_STATES = {
    JobState.QUEUED: pb.JOB_STATE_QUEUED,
    JobState.RUNNING: pb.JOB_STATE_RUNNING,
    JobState.SUCCEEDED: pb.JOB_STATE_SUCCEEDED,
    JobState.FAILED: pb.JOB_STATE_FAILED,
    JobState.CANCELLED: pb.JOB_STATE_CANCELLED,
}


def job_status_to_proto(status: JobStatus) -> pb.JobProgress:
    return pb.JobProgress(
        job_id=status.job_id,
        state=_JOB_STATES[status.state],
        frames_done=status.frames_done,
        frame_count=status.frame_count,
        message=status.message,
        input_complete=status.input_complete,
        output_path=status.output_path,
        sidecar_path=status.sidecar_path,
        stage=status.stage,
    )


def job_status_from_proto(message: pb.JobProgress) -> JobStatus:
    states = {value: state for state, value in _JOB_STATES.items()}
    return JobStatus(
        job_id=message.job_id,
        state=states.get(message.state, JobState.QUEUED),
        frames_done=message.frames_done,
        frame_count=message.frame_count,
        message=message.message,
        input_complete=message.input_complete,
        output_path=message.output_path,
        sidecar_path=message.sidecar_path,
        stage=message.stage,
    )


def frame_to_parts(
    index: int, image: np.ndarray, max_message_bytes: int, row_order: str = "top_down"
) -> Iterator[pb.FramePart]:
    """Splits a top-down (H, W, C) frame into FrameParts that each fit in one message."""
    layout = dataclasses.replace(FrameLayout.of(image), row_order=row_order)
    rows = image[::-1] if row_order == "bottom_up" else image
    data = memoryview(np.ascontiguousarray(rows, dtype=layout.dtype)).cast("B")
    step = max(1, max_message_bytes - PART_HEADER_BYTES)
    wire_layout = layout_to_proto(layout)
    for offset in range(0, len(data), step):
        yield pb.FramePart(
            frame_index=index,
            layout=wire_layout if offset == 0 else None,
            total_bytes=len(data),
            offset=offset,
            data=bytes(data[offset : offset + step]),
        )


class FrameAssembler:
    """Collects FrameParts back into whole top-down frames; parts of one frame arrive in order,
    one frame after the other, so at most one frame is ever half-assembled."""

    def __init__(self, what: str, expected: FrameLayout | None = None):
        self._what = what
        self._expected = expected
        self._open: tuple[int, FrameLayout, bytearray] | None = None

    @property
    def open_bytes(self) -> int:
        """Bytes held for the frame being assembled."""
        return len(self._open[2]) if self._open else 0

    def add(self, part: pb.FramePart) -> tuple[int, np.ndarray] | None:
        """Adds a part; returns (index, image) once its frame is complete, else None."""
        index = part.frame_index
        if self._open is None:
            self._open = (index, self._first_layout(part), bytearray())
        elif self._open[0] != index:
            raise InvalidInputError(
                f"{self._what} {index}: a part arrived before {self._what} {self._open[0]} was "
                "complete; send frames one after the other"
            )
        _, layout, buffer = self._open
        if part.offset != len(buffer) or len(buffer) + len(part.data) > layout.nbytes:
            raise InvalidInputError(f"{self._what} {index}: parts out of order or too long")
        buffer += part.data
        if len(buffer) < layout.nbytes:
            return None
        self._open = None
        image = np.frombuffer(buffer, dtype=layout.dtype).reshape(layout.shape)
        return index, image[::-1].copy() if layout.row_order == "bottom_up" else image

    def _first_layout(self, part: pb.FramePart) -> FrameLayout:
        index = part.frame_index
        if part.offset != 0 or not part.HasField("layout"):
            raise InvalidInputError(f"{self._what} {index}: its first part must carry the layout")
        layout = layout_from_proto(part.layout)
        expected = self._expected
        if expected is not None and (layout.shape, layout.dtype) != (
            expected.shape,
            expected.dtype,
        ):
            raise InvalidInputError(
                f"{self._what} {index} is {_describe(layout)}; expected {_describe(expected)}"
            )
        if part.total_bytes != layout.nbytes:
            raise InvalidInputError(
                f"{self._what} {index}: {part.total_bytes} bytes announced, its layout "
                f"{_describe(layout)} needs {layout.nbytes}"
            )
        return layout


def _describe(layout: FrameLayout) -> str:
    return f"{layout.width}x{layout.height}x{layout.channels} {layout.dtype}"


def job_settings_to_proto(settings: JobSettings) -> pb.JobSettings:
    return pb.JobSettings(
        engine=settings.engine or "",
        scale=settings.scale,
        keyframe_provider=settings.provider.name if settings.provider else "",
        output_format=settings.output_format,
        overwrite=settings.overwrite,
        audio=settings.audio,
        fit=settings.fit,
        chunk_length=settings.chunk_length,
        chunk_overlap=settings.chunk_overlap,
    )


def job_settings_from_proto(message: pb.JobSettings, default_scale: int = 4) -> JobSettings:
    """Library settings for wire settings; zeros and empties mean defaults. The provider is
    configured from the server's environment. Raises InvalidInputError."""
    from sparkvsr.keyframes import PROVIDERS, provider_settings_from_env
    from sparkvsr.settings import JobSettings

    provider = message.keyframe_provider
    if provider and provider not in PROVIDERS:
        raise InvalidInputError(
            f"keyframe_provider must be one of {', '.join(PROVIDERS)} or empty, got {provider!r}"
        )
    return JobSettings(
        engine=message.engine or None,
        scale=message.scale or default_scale,
        provider=provider_settings_from_env(name=provider) if provider else None,
        fit=message.fit,
        output_format=message.output_format or "prores_hq",
        overwrite=message.overwrite,
        chunk_length=message.chunk_length if message.HasField("chunk_length") else None,
        chunk_overlap=message.chunk_overlap if message.HasField("chunk_overlap") else None,
        audio=message.audio if message.HasField("audio") else True,
    )


def media_job_from_proto(
    message: pb.MediaJobSpec, settings: JobSettings, media_frame_count: int
) -> FileJob:
    """The file job a media job spec asks for; the output named as the timeline bridge names
    outputs unless the spec gives its path. Raises InvalidInputError."""
    from sparkvsr.media import media_output_name, output_target
    from sparkvsr.settings import FileJob

    if not message.source_path:
        raise InvalidInputError("the media job names no source_path")
    first = message.first_frame
    count = message.frame_count or max(0, media_frame_count - first)
    if count == 0:
        raise InvalidInputError(
            f"{message.source_path} has {media_frame_count} frames; first_frame {first} "
            "leaves none to upscale"
        )
    frames = FrameRange(first, first + count)
    output = message.output_path
    if not output:
        if not message.output_dir:
            raise InvalidInputError("the media job names neither output_path nor output_dir")
        name = media_output_name(message.source_path, frames, settings.scale)
        output = output_target(message.output_dir, name, settings.output_format)
    stills = tuple((key.frame, key.still_path) for key in message.keyframes if key.still_path)
    restored = tuple(key.frame for key in message.keyframes if not key.still_path)
    return FileJob(
        message.source_path,
        output,
        settings,
        keyframe_stills=stills,
        keyframe_frames=restored,
        frames=frames,
    )
