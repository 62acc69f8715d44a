"""The server's bounds on one job, checked when it is submitted, each naming its setting."""

from __future__ import annotations

import math

from sparkvsr.engines import EngineInfo
from sparkvsr.errors import InvalidInputError, ResourceExhaustedError
from sparkvsr.specs import FrameLayout, JobSpec
from sparkvsr_server._config import ServerConfig


def check_job_limits(spec: JobSpec, info: EngineInfo, config: ServerConfig) -> None:
    """Raises InvalidInputError (a job this server never takes) or ResourceExhaustedError (one
    that needs more memory than a job may have here), naming the ServerConfig limit."""
    if spec.frame_count > config.max_frames_per_job:
        raise InvalidInputError(
            f"the job has {spec.frame_count} frames; this server takes at most "
            f"{config.max_frames_per_job} per job (max_frames_per_job): split it"
        )
    output = spec.output_layout
    if output.width * output.height > config.max_frame_pixels:
        raise InvalidInputError(
            f"output frames of {output.width}x{output.height} are larger than this server's "
            f"max_frame_pixels ({config.max_frame_pixels} pixels)"
        )
    if spec.chunk_length is not None and spec.chunk_length > config.max_chunk_length:
        raise InvalidInputError(
            f"chunk_length {spec.chunk_length} is longer than this server's max_chunk_length "
            f"({config.max_chunk_length} frames)"
        )
    needed = working_set_bytes(spec, info)
    if needed > config.max_job_buffer_bytes:
        raise ResourceExhaustedError(
            f"the job would hold about {needed / 2**20:.0f} MiB of frames in a worker; this "
            f"server allows {config.max_job_buffer_bytes / 2**20:.0f} MiB per job "
            "(max_job_buffer_bytes): use shorter chunks or smaller frames"
        )


def working_set_bytes(spec: JobSpec, info: EngineInfo) -> int:
    """About the most memory a worker holds for the job's frames at once: a chunk of source
    frames (as sent and as float), the engine's output and the blend in progress, and the
    keyframes a chunk can reach."""
    length = min(spec.chunk_length or info.chunk_length, spec.frame_count)
    reach = info.keyframe_reach
    source, output = spec.source_layout, spec.output_layout
    keyframes = math.ceil((length + 2 * reach) / max(1, info.min_keyframe_gap)) + 1
    keyframes = min(keyframes, len(spec.keyframe_indices))
    return (
        (length + 1) * (source.nbytes + _float_bytes(source))
        + 2 * length * _float_bytes(output)
        + keyframes * (output.nbytes + _float_bytes(output))
    )


def _float_bytes(layout: FrameLayout) -> int:
    return layout.width * layout.height * layout.channels * 4


def spool_bytes(spec: JobSpec) -> int:
    """About the disk a job takes in the job store: its inputs as received, its finished frames,
    and its engine windows (as large as the frames, plus the overlaps they keep as float)."""
    source, output = spec.source_layout, spec.output_layout
    inputs = spec.frame_count * source.nbytes + len(spec.keyframe_indices) * output.nbytes
    return (
        inputs + 2 * spec.frame_count * output.nbytes + spec.frame_count * _float_bytes(output) // 4
    )
