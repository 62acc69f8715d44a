"""Upscale a video file into a movie or image sequence, in process or on a server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sparkvsr.engines import DEFAULT_ENGINE, check_job_fits_engine, engine_entry, load_engine
from sparkvsr.errors import InvalidInputError
from sparkvsr.media import FrameWriter, MovieCodec, VideoInfo, probe_video, read_frames, read_still
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameRange, InputItem, JobSpec, Keyframe, OutputFrame, SourceFrame

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (frames done, frames in total) after each finished frame."""


@dataclass(frozen=True)
class FileJob:
    """One file to upscale and where the result goes."""

    source: str
    """Path of the source video."""
    output: str
    """A .mov path, or an image sequence pattern such as `DIR/%06d.png` (numbered by frame)."""
    scale: int = 4
    """Upscale factor."""
    engine: str = DEFAULT_ENGINE
    """Engine name."""
    keyframe_stills: tuple[tuple[int, str], ...] = ()
    """(source frame index, path of its high-resolution still) pairs."""
    frames: FrameRange | None = None
    """Source frames to upscale; None = all."""
    codec: MovieCodec = "prores_hq"
    """Movie codec for .mov output."""
    overwrite: bool = False
    """Replace an existing output instead of refusing."""
    chunk_length: int | None = None
    """Frames per engine chunk; None = the engine's default."""
    chunk_overlap: int | None = None
    """Frames shared by neighbouring chunks; None = the engine's default."""


@dataclass(frozen=True)
class FileJobResult:
    """What a finished file job produced."""

    output: str
    frames_written: int
    source: VideoInfo
    spec: JobSpec = field(repr=False)


def upscale_file(job: FileJob, *, client=None, progress: Progress | None = None) -> FileJobResult:
    """Decodes the source range, upscales it, and writes the output; nothing partial is left behind.

    Args:
        job: what to upscale and where to.
        client: a `sparkvsr.client.Client` to run the job on a server; None runs it in process.
        progress: called after each finished frame.

    Raises:
        SparkVSRError subclasses with a message naming the bad input.
    """
    info = probe_video(job.source)
    frames = job.frames or FrameRange(0, info.frame_count)
    if frames.stop > info.frame_count:
        raise InvalidInputError(
            f"{job.source} has {info.frame_count} frames; asked for up to frame {frames.stop - 1}"
        )
    spec = _job_spec(job, info, frames)
    keyframes = _read_keyframes(job, info, frames, spec)
    outputs = _run(spec, _inputs(job.source, frames, keyframes), client)
    written = 0
    with FrameWriter(
        job.output,
        spec.output_layout,
        info.frame_rate,
        codec=job.codec,
        start_timecode=_shifted_timecode(info, frames.start),
        first_index=frames.start,
        overwrite=job.overwrite,
    ) as writer:
        for frame in outputs:
            writer.write(frame.image)
            written += 1
            if progress:
                progress(written, len(frames))
    return FileJobResult(job.output, written, info, spec)


def _job_spec(job: FileJob, info: VideoInfo, frames: FrameRange) -> JobSpec:
    for index, path in job.keyframe_stills:
        if index not in frames:
            raise InvalidInputError(
                f"keyframe {index} ({path}) is out of range: upscaling frames "
                f"{frames.start}..{frames.stop - 1} of {job.source}"
            )
    indices = sorted(index - frames.start for index, _ in job.keyframe_stills)
    if len(set(indices)) != len(indices):
        raise InvalidInputError("two keyframe stills were given for the same frame")
    return JobSpec(
        frame_count=len(frames),
        source_layout=info.layout,
        scale=job.scale,
        engine=job.engine,
        keyframe_indices=tuple(indices),
        chunk_length=job.chunk_length,
        chunk_overlap=job.chunk_overlap,
    )


def _read_keyframes(
    job: FileJob, info: VideoInfo, frames: FrameRange, spec: JobSpec
) -> list[Keyframe]:
    target = spec.output_layout
    keyframes = []
    for index, path in sorted(job.keyframe_stills):
        try:
            image = read_still(path, target)
        except InvalidInputError as error:
            raise InvalidInputError(
                f"keyframe {index}: {error} ({job.scale} x the {info.width}x{info.height} source)"
            ) from None
        keyframes.append(Keyframe(index - frames.start, image))
    return keyframes


def _inputs(source: str, frames: FrameRange, keyframes: list[Keyframe]) -> Iterator[InputItem]:
    # Keyframe images first: the engine needs them before the frames they guide.
    yield from keyframes
    for offset, image in enumerate(read_frames(source, frames)):
        yield SourceFrame(offset, image)


def _run(spec: JobSpec, items: Iterator[InputItem], client) -> Iterator[OutputFrame]:
    if client is not None:
        return iter(client.upscale(spec, items))
    check_job_fits_engine(spec, engine_entry(spec.engine).info)
    return run_job(spec, load_engine(spec.engine), items)


def _shifted_timecode(info: VideoInfo, start: int) -> str | None:
    """The source's start timecode moved on by `start` frames."""
    if not info.start_timecode or start == 0:
        return info.start_timecode
    from opentimelineio import opentime

    rate = float(info.frame_rate)
    time = opentime.from_timecode(info.start_timecode, rate) + opentime.RationalTime(start, rate)
    return opentime.to_timecode(time, rate, drop_frame=";" in info.start_timecode)
