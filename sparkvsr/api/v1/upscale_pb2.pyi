from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RowOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROW_ORDER_UNSPECIFIED: _ClassVar[RowOrder]
    ROW_ORDER_TOP_DOWN: _ClassVar[RowOrder]
    ROW_ORDER_BOTTOM_UP: _ClassVar[RowOrder]

class SampleFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAMPLE_FORMAT_UNSPECIFIED: _ClassVar[SampleFormat]
    SAMPLE_FORMAT_UINT: _ClassVar[SampleFormat]
    SAMPLE_FORMAT_FLOAT: _ClassVar[SampleFormat]

class JobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATE_UNSPECIFIED: _ClassVar[JobState]
    JOB_STATE_QUEUED: _ClassVar[JobState]
    JOB_STATE_RUNNING: _ClassVar[JobState]
    JOB_STATE_SUCCEEDED: _ClassVar[JobState]
    JOB_STATE_FAILED: _ClassVar[JobState]
    JOB_STATE_CANCELLED: _ClassVar[JobState]
ROW_ORDER_UNSPECIFIED: RowOrder
ROW_ORDER_TOP_DOWN: RowOrder
ROW_ORDER_BOTTOM_UP: RowOrder
SAMPLE_FORMAT_UNSPECIFIED: SampleFormat
SAMPLE_FORMAT_UINT: SampleFormat
SAMPLE_FORMAT_FLOAT: SampleFormat
JOB_STATE_UNSPECIFIED: JobState
JOB_STATE_QUEUED: JobState
JOB_STATE_RUNNING: JobState
JOB_STATE_SUCCEEDED: JobState
JOB_STATE_FAILED: JobState
JOB_STATE_CANCELLED: JobState

class FrameLayout(_message.Message):
    __slots__ = ("width", "height", "channels", "bit_depth", "row_order", "sample_format")
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    BIT_DEPTH_FIELD_NUMBER: _ClassVar[int]
    ROW_ORDER_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    width: int
    height: int
    channels: int
    bit_depth: int
    row_order: RowOrder
    sample_format: SampleFormat
    def __init__(self, width: _Optional[int] = ..., height: _Optional[int] = ..., channels: _Optional[int] = ..., bit_depth: _Optional[int] = ..., row_order: _Optional[_Union[RowOrder, str]] = ..., sample_format: _Optional[_Union[SampleFormat, str]] = ...) -> None: ...

class FramePart(_message.Message):
    __slots__ = ("frame_index", "layout", "total_bytes", "offset", "data")
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    frame_index: int
    layout: FrameLayout
    total_bytes: int
    offset: int
    data: bytes
    def __init__(self, frame_index: _Optional[int] = ..., layout: _Optional[_Union[FrameLayout, _Mapping]] = ..., total_bytes: _Optional[int] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class JobSpec(_message.Message):
    __slots__ = ("engine", "scale", "frame_count", "source_layout", "keyframe_indices", "chunk_length", "chunk_overlap")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LAYOUT_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_INDICES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_LENGTH_FIELD_NUMBER: _ClassVar[int]
    CHUNK_OVERLAP_FIELD_NUMBER: _ClassVar[int]
    engine: str
    scale: int
    frame_count: int
    source_layout: FrameLayout
    keyframe_indices: _containers.RepeatedScalarFieldContainer[int]
    chunk_length: int
    chunk_overlap: int
    def __init__(self, engine: _Optional[str] = ..., scale: _Optional[int] = ..., frame_count: _Optional[int] = ..., source_layout: _Optional[_Union[FrameLayout, _Mapping]] = ..., keyframe_indices: _Optional[_Iterable[int]] = ..., chunk_length: _Optional[int] = ..., chunk_overlap: _Optional[int] = ...) -> None: ...

class UpscaleRequest(_message.Message):
    __slots__ = ("spec", "source_frame", "keyframe_image")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FRAME_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_IMAGE_FIELD_NUMBER: _ClassVar[int]
    spec: JobSpec
    source_frame: FramePart
    keyframe_image: FramePart
    def __init__(self, spec: _Optional[_Union[JobSpec, _Mapping]] = ..., source_frame: _Optional[_Union[FramePart, _Mapping]] = ..., keyframe_image: _Optional[_Union[FramePart, _Mapping]] = ...) -> None: ...

class JobAccepted(_message.Message):
    __slots__ = ("job_id", "output_layout", "frame_count", "engine")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_LAYOUT_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    output_layout: FrameLayout
    frame_count: int
    engine: str
    def __init__(self, job_id: _Optional[str] = ..., output_layout: _Optional[_Union[FrameLayout, _Mapping]] = ..., frame_count: _Optional[int] = ..., engine: _Optional[str] = ...) -> None: ...

class JobProgress(_message.Message):
    __slots__ = ("job_id", "state", "frames_done", "frame_count", "message", "input_complete", "output_path", "sidecar_path", "stage")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    INPUT_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SIDECAR_PATH_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    state: JobState
    frames_done: int
    frame_count: int
    message: str
    input_complete: bool
    output_path: str
    sidecar_path: str
    stage: str
    def __init__(self, job_id: _Optional[str] = ..., state: _Optional[_Union[JobState, str]] = ..., frames_done: _Optional[int] = ..., frame_count: _Optional[int] = ..., message: _Optional[str] = ..., input_complete: _Optional[bool] = ..., output_path: _Optional[str] = ..., sidecar_path: _Optional[str] = ..., stage: _Optional[str] = ...) -> None: ...

class UpscaleResponse(_message.Message):
    __slots__ = ("accepted", "progress", "frame")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    accepted: JobAccepted
    progress: JobProgress
    frame: FramePart
    def __init__(self, accepted: _Optional[_Union[JobAccepted, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., frame: _Optional[_Union[FramePart, _Mapping]] = ...) -> None: ...

class FetchFramesRequest(_message.Message):
    __slots__ = ("job_id", "start_index", "end_index")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    START_INDEX_FIELD_NUMBER: _ClassVar[int]
    END_INDEX_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    start_index: int
    end_index: int
    def __init__(self, job_id: _Optional[str] = ..., start_index: _Optional[int] = ..., end_index: _Optional[int] = ...) -> None: ...

class FetchFramesResponse(_message.Message):
    __slots__ = ("progress", "frame")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    progress: JobProgress
    frame: FramePart
    def __init__(self, progress: _Optional[_Union[JobProgress, _Mapping]] = ..., frame: _Optional[_Union[FramePart, _Mapping]] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("progress",)
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    progress: JobProgress
    def __init__(self, progress: _Optional[_Union[JobProgress, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("progress",)
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    progress: JobProgress
    def __init__(self, progress: _Optional[_Union[JobProgress, _Mapping]] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EngineInfo(_message.Message):
    __slots__ = ("name", "description", "available", "unavailable_reason", "scales", "min_keyframe_gap", "default_chunk_length", "default_chunk_overlap", "keyframe_reach", "default_scale")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    SCALES_FIELD_NUMBER: _ClassVar[int]
    MIN_KEYFRAME_GAP_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHUNK_LENGTH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CHUNK_OVERLAP_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_REACH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_SCALE_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    available: bool
    unavailable_reason: str
    scales: _containers.RepeatedScalarFieldContainer[int]
    min_keyframe_gap: int
    default_chunk_length: int
    default_chunk_overlap: int
    keyframe_reach: int
    default_scale: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., available: _Optional[bool] = ..., unavailable_reason: _Optional[str] = ..., scales: _Optional[_Iterable[int]] = ..., min_keyframe_gap: _Optional[int] = ..., default_chunk_length: _Optional[int] = ..., default_chunk_overlap: _Optional[int] = ..., keyframe_reach: _Optional[int] = ..., default_scale: _Optional[int] = ...) -> None: ...

class DeviceInfo(_message.Message):
    __slots__ = ("name", "description", "memory_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    memory_bytes: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., memory_bytes: _Optional[int] = ...) -> None: ...

class ServerLimits(_message.Message):
    __slots__ = ("max_message_bytes", "max_queued_jobs", "workers", "worker_devices")
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUED_JOBS_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    WORKER_DEVICES_FIELD_NUMBER: _ClassVar[int]
    max_message_bytes: int
    max_queued_jobs: int
    workers: int
    worker_devices: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_message_bytes: _Optional[int] = ..., max_queued_jobs: _Optional[int] = ..., workers: _Optional[int] = ..., worker_devices: _Optional[_Iterable[str]] = ...) -> None: ...

class GetServerInfoResponse(_message.Message):
    __slots__ = ("server_version", "default_engine", "engines", "devices", "limits", "versions")
    class VersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ENGINE_FIELD_NUMBER: _ClassVar[int]
    ENGINES_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    server_version: str
    default_engine: str
    engines: _containers.RepeatedCompositeFieldContainer[EngineInfo]
    devices: _containers.RepeatedCompositeFieldContainer[DeviceInfo]
    limits: ServerLimits
    versions: _containers.ScalarMap[str, str]
    def __init__(self, server_version: _Optional[str] = ..., default_engine: _Optional[str] = ..., engines: _Optional[_Iterable[_Union[EngineInfo, _Mapping]]] = ..., devices: _Optional[_Iterable[_Union[DeviceInfo, _Mapping]]] = ..., limits: _Optional[_Union[ServerLimits, _Mapping]] = ..., versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class JobSettings(_message.Message):
    __slots__ = ("engine", "scale", "keyframe_provider", "output_format", "overwrite", "audio", "fit", "chunk_length", "chunk_overlap")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_LENGTH_FIELD_NUMBER: _ClassVar[int]
    CHUNK_OVERLAP_FIELD_NUMBER: _ClassVar[int]
    engine: str
    scale: int
    keyframe_provider: str
    output_format: str
    overwrite: bool
    audio: bool
    fit: bool
    chunk_length: int
    chunk_overlap: int
    def __init__(self, engine: _Optional[str] = ..., scale: _Optional[int] = ..., keyframe_provider: _Optional[str] = ..., output_format: _Optional[str] = ..., overwrite: _Optional[bool] = ..., audio: _Optional[bool] = ..., fit: _Optional[bool] = ..., chunk_length: _Optional[int] = ..., chunk_overlap: _Optional[int] = ...) -> None: ...

class MediaKeyframe(_message.Message):
    __slots__ = ("frame", "still_path")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    frame: int
    still_path: str
    def __init__(self, frame: _Optional[int] = ..., still_path: _Optional[str] = ...) -> None: ...

class MediaJobSpec(_message.Message):
    __slots__ = ("source_path", "first_frame", "frame_count", "keyframes", "settings", "output_dir", "output_path")
    SOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
    FIRST_FRAME_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_DIR_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    source_path: str
    first_frame: int
    frame_count: int
    keyframes: _containers.RepeatedCompositeFieldContainer[MediaKeyframe]
    settings: JobSettings
    output_dir: str
    output_path: str
    def __init__(self, source_path: _Optional[str] = ..., first_frame: _Optional[int] = ..., frame_count: _Optional[int] = ..., keyframes: _Optional[_Iterable[_Union[MediaKeyframe, _Mapping]]] = ..., settings: _Optional[_Union[JobSettings, _Mapping]] = ..., output_dir: _Optional[str] = ..., output_path: _Optional[str] = ...) -> None: ...

class StartMediaJobRequest(_message.Message):
    __slots__ = ("spec",)
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec: MediaJobSpec
    def __init__(self, spec: _Optional[_Union[MediaJobSpec, _Mapping]] = ...) -> None: ...

class StartMediaJobResponse(_message.Message):
    __slots__ = ("job_id", "output_path", "sidecar_path")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SIDECAR_PATH_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    output_path: str
    sidecar_path: str
    def __init__(self, job_id: _Optional[str] = ..., output_path: _Optional[str] = ..., sidecar_path: _Optional[str] = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class WindowKeyframe(_message.Message):
    __slots__ = ("offset", "still_path")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    offset: int
    still_path: str
    def __init__(self, offset: _Optional[int] = ..., still_path: _Optional[str] = ...) -> None: ...

class RunWindowRequest(_message.Message):
    __slots__ = ("settings", "layout", "frame_count", "input_path", "keyframes", "refresh", "probe", "probe_offset", "window_start")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    INPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    PROBE_FIELD_NUMBER: _ClassVar[int]
    PROBE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    settings: JobSettings
    layout: FrameLayout
    frame_count: int
    input_path: str
    keyframes: _containers.RepeatedCompositeFieldContainer[WindowKeyframe]
    refresh: int
    probe: bool
    probe_offset: int
    window_start: int
    def __init__(self, settings: _Optional[_Union[JobSettings, _Mapping]] = ..., layout: _Optional[_Union[FrameLayout, _Mapping]] = ..., frame_count: _Optional[int] = ..., input_path: _Optional[str] = ..., keyframes: _Optional[_Iterable[_Union[WindowKeyframe, _Mapping]]] = ..., refresh: _Optional[int] = ..., probe: _Optional[bool] = ..., probe_offset: _Optional[int] = ..., window_start: _Optional[int] = ...) -> None: ...

class RunWindowResponse(_message.Message):
    __slots__ = ("output_path", "output_layout", "cached", "job_id")
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_LAYOUT_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    output_path: str
    output_layout: FrameLayout
    cached: bool
    job_id: str
    def __init__(self, output_path: _Optional[str] = ..., output_layout: _Optional[_Union[FrameLayout, _Mapping]] = ..., cached: _Optional[bool] = ..., job_id: _Optional[str] = ...) -> None: ...

class GatewayRequest(_message.Message):
    __slots__ = ("request_id", "get_server_info", "start_media_job", "watch_job", "get_job", "cancel_job", "run_window")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    GET_SERVER_INFO_FIELD_NUMBER: _ClassVar[int]
    START_MEDIA_JOB_FIELD_NUMBER: _ClassVar[int]
    WATCH_JOB_FIELD_NUMBER: _ClassVar[int]
    GET_JOB_FIELD_NUMBER: _ClassVar[int]
    CANCEL_JOB_FIELD_NUMBER: _ClassVar[int]
    RUN_WINDOW_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    get_server_info: GetServerInfoRequest
    start_media_job: StartMediaJobRequest
    watch_job: WatchJobRequest
    get_job: GetJobRequest
    cancel_job: CancelJobRequest
    run_window: RunWindowRequest
    def __init__(self, request_id: _Optional[int] = ..., get_server_info: _Optional[_Union[GetServerInfoRequest, _Mapping]] = ..., start_media_job: _Optional[_Union[StartMediaJobRequest, _Mapping]] = ..., watch_job: _Optional[_Union[WatchJobRequest, _Mapping]] = ..., get_job: _Optional[_Union[GetJobRequest, _Mapping]] = ..., cancel_job: _Optional[_Union[CancelJobRequest, _Mapping]] = ..., run_window: _Optional[_Union[RunWindowRequest, _Mapping]] = ...) -> None: ...

class GatewayError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class GatewayResponse(_message.Message):
    __slots__ = ("request_id", "server_info", "media_job_started", "progress", "job", "cancelled", "window", "error", "final")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_INFO_FIELD_NUMBER: _ClassVar[int]
    MEDIA_JOB_STARTED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    server_info: GetServerInfoResponse
    media_job_started: StartMediaJobResponse
    progress: JobProgress
    job: GetJobResponse
    cancelled: CancelJobResponse
    window: RunWindowResponse
    error: GatewayError
    final: bool
    def __init__(self, request_id: _Optional[int] = ..., server_info: _Optional[_Union[GetServerInfoResponse, _Mapping]] = ..., media_job_started: _Optional[_Union[StartMediaJobResponse, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., job: _Optional[_Union[GetJobResponse, _Mapping]] = ..., cancelled: _Optional[_Union[CancelJobResponse, _Mapping]] = ..., window: _Optional[_Union[RunWindowResponse, _Mapping]] = ..., error: _Optional[_Union[GatewayError, _Mapping]] = ..., final: _Optional[bool] = ...) -> None: ...
