"""Upscale a video file into a movie or image sequence, in process or on a server."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field

from sparkvsr.engines import EngineInfo, check_job_fits_engine, check_keyframe_spacing
from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.keyframes import UserStills, stills_in_folder, suggest_keyframes
from sparkvsr.media import (
    AudioSpan,
    FrameWriter,
    VideoInfo,
    check_output,
    check_output_name,
    is_sequence_pattern,
    probe_video,
    read_frames,
)
from sparkvsr.runners import LocalRunner, Runner
from sparkvsr.settings import FileJob
from sparkvsr.specs import (
    FrameLayout,
    FrameRange,
    InputItem,
    JobSpec,
    Keyframe,
    OutputFrame,
    SourceFrame,
)
from sparkvsr.window_plan import keyframes_for_independence

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (frames done, frames in total) after each finished frame."""

CancelCheck = Callable[[], None]
"""Raises JobCancelledError once the job was cancelled; called before each costly step."""


@dataclass(frozen=True)
class FileJobResult:
    """What a finished file job produced."""

    output: str
    frames_written: int
    source: VideoInfo
    spec: JobSpec = field(repr=False)


def upscale_file(
    job: FileJob,
    runner: Runner | None = None,
    *,
    progress: Progress | None = None,
    check_cancelled: CancelCheck | None = None,
) -> FileJobResult:
    """Decodes the source range, upscales it, and writes the output; nothing partial is left behind.

    Args:
        job: what to upscale and where to.
        runner: where the job runs (see sparkvsr.runners); None = in this process.
        progress: called after each finished frame.
        check_cancelled: called before each keyframe restoration (a paid service, say), which
            runs before the engine job exists; it stops the job by raising.

    Raises:
        SparkVSRError subclasses with a message naming the bad input.
    """
    if runner is None:
        with LocalRunner() as local:
            return upscale_file(job, local, progress=progress, check_cancelled=check_cancelled)
    info, frames, rules = check_file_job(job, runner)
    keyframes = gather_keyframes(job, info, frames, rules, check_cancelled)
    spec = file_job_spec(job, info, frames, rules, [key.index for key in keyframes])
    outputs = runner.run(spec, _inputs(job.source, frames, keyframes))
    try:
        written = write_output(job, info, frames, spec, outputs, progress)
    finally:
        outputs.close()  # stops a job whose output is no longer wanted (a failed write)
    return FileJobResult(job.output, written, info, spec)


def file_job_spec(
    job: FileJob, info: VideoInfo, frames: FrameRange, rules: EngineInfo, keyframes: list[int]
) -> JobSpec:
    """The engine job of a file job; `keyframes` are indexed from the first frame of `frames`."""
    spec = JobSpec(
        frame_count=len(frames),
        source_layout=info.layout,
        scale=job.settings.scale,
        engine=rules.name,
        keyframe_indices=tuple(keyframes),
        chunk_length=job.settings.chunk_length,
        chunk_overlap=job.settings.chunk_overlap,
    )
    check_job_fits_engine(spec, rules)
    return spec


def write_output(
    job: FileJob,
    info: VideoInfo,
    frames: FrameRange,
    spec: JobSpec,
    outputs: Iterator[OutputFrame],
    progress: Progress | None,
) -> int:
    """Writes the finished frames as the job's movie (timecode, audio) or image sequence."""
    written = 0
    with FrameWriter(
        job.output,
        spec.output_layout,
        info.frame_rate,
        codec=job.settings.movie_codec,
        start_timecode=_shifted_timecode(info, frames.start),
        first_index=frames.start,
        overwrite=job.settings.overwrite,
        audio=_audio_span(job, info, frames),
        frame_count=len(frames),
        inputs=_input_paths(job),
    ) as writer:
        for frame in outputs:
            writer.write(frame.image)
            written += 1
            if progress:
                progress(written, len(frames))
    return written


def _input_paths(job: FileJob) -> tuple[str, ...]:
    """Files the job reads, which its output must never replace."""
    stills = [path for _, path in job.keyframe_stills]
    if job.keyframe_folder:
        stills += [str(path) for path in stills_in_folder(job.keyframe_folder).values()]
    return (job.source, *stills)


def check_file_job(job: FileJob, runner: Runner) -> tuple[VideoInfo, FrameRange, EngineInfo]:
    """The cheap checks, before any decoding: the source, its frame range, the engine, and the
    keyframes given explicitly (in range, stills that exist, spaced as the engine needs).

    Returns the source's description, the frames to upscale and the engine's rules.
    """
    if job.output:  # a farm window task names no output: its assembly task checks it
        check_output_name(job.output)
    info = probe_video(job.source)
    frames = job.frames or FrameRange(0, info.frame_count)
    if frames.stop > info.frame_count:
        raise InvalidInputError(
            f"{job.source} has {info.frame_count} frames; asked for up to frame {frames.stop - 1}"
        )
    rules = runner.engine_info(job.settings.engine or runner.default_engine)
    # An output that would destroy an input, or that cannot be written, fails here too.
    if job.output:
        check_output(
            job.output,
            first_index=frames.start,
            frame_count=len(frames),
            overwrite=job.settings.overwrite,
            inputs=_input_paths(job),
        )
    stills = user_stills(job, frames)
    if job.keyframe_folder:
        _report_folder_stills(job.keyframe_folder, stills, frames)
    for index, path in stills.items():
        if not os.path.exists(path):
            raise NotFoundError(f"keyframe {index}: its still {path} does not exist")
    for index in job.keyframe_frames:
        if index not in frames:
            raise InvalidInputError(
                f"keyframe {index} is out of range: upscaling frames "
                f"{frames.start}..{frames.stop - 1} of {job.source}"
            )
    explicit = sorted(set(stills) | set(job.keyframe_frames))
    check_keyframe_spacing(explicit, rules)
    return info, frames, rules


def gather_keyframes(
    job: FileJob,
    info: VideoInfo,
    frames: FrameRange,
    rules: EngineInfo,
    check_cancelled: CancelCheck | None = None,
) -> list[Keyframe]:
    """The job's keyframes, indexed from the first frame of `frames`: user stills, then frames
    the strategy picks (and, with keyframe_every_chunk, one per window that needs one), restored
    by the provider where no still exists.

    Raises:
        InvalidInputError: a still out of range or of the wrong size, or a keyframe nobody can
            supply (no still and no provider).
    """
    indices = keyframe_indices(job, frames, rules)
    return keyframe_images(job, info, frames, indices, check_cancelled=check_cancelled)


def keyframe_indices(job: FileJob, frames: FrameRange, rules: EngineInfo) -> list[int]:
    """The job's keyframes as source frame indices: stills, frames the strategy picks, and with
    keyframe_every_chunk one more per window that would otherwise continue its predecessor
    (so every window can run on its own: several GPUs, farm tasks)."""
    stills = user_stills(job, frames)
    indices = sorted(set(stills) | set(job.keyframe_frames))
    if job.auto_keyframes:
        choices = suggest_keyframes(
            job.source,
            job.auto_keyframes,
            min_gap=rules.min_keyframe_gap,
            explicit=tuple(indices),
            frames=frames,
            chunk=_chunk_plan(job, rules) if job.keyframe_every_chunk else None,
        )
        indices = [choice.frame for choice in choices]
        for choice in choices:
            logger.info("keyframe %d: %s", choice.frame, choice.reason)
    if job.keyframe_every_chunk:
        spec = _keyframe_spec(job, frames, [index - frames.start for index in indices])
        added = [frames.start + index for index in keyframes_for_independence(spec, rules)]
        for index in added:
            logger.info("keyframe %d: a window of its own (--keyframe-every-chunk)", index)
        indices = sorted(indices + added)
    return indices


def _keyframe_spec(job: FileJob, frames: FrameRange, indices: list[int]) -> JobSpec:
    return JobSpec(
        frame_count=len(frames),
        source_layout=FrameLayout(1, 1),  # the plan reads frame counts only
        keyframe_indices=tuple(indices),
        chunk_length=job.settings.chunk_length,
        chunk_overlap=job.settings.chunk_overlap,
    )


def keyframe_images(
    job: FileJob,
    info: VideoInfo,
    frames: FrameRange,
    indices: list[int],
    wanted: Container[int] | None = None,
    *,
    check_cancelled: CancelCheck | None = None,
) -> list[Keyframe]:
    """The images of keyframes `indices` (source frames; those in `wanted` only, when given),
    indexed from the first frame of `frames`: the user's stills, else restored by the provider
    (`check_cancelled` is called before each restoration)."""
    stills = user_stills(job, frames)
    indices = [index for index in indices if wanted is None or index in wanted]
    target = info.layout.scaled(job.settings.scale)
    user = UserStills(stills, fit=job.settings.fit)
    provider = job.settings.provider
    restorer = provider.build() if provider and set(indices) - set(stills) else None
    keyframes = []
    for index in indices:
        if index in stills:
            image = user.provide(index, None, target)
        elif restorer is None:
            raise InvalidInputError(
                f"keyframe {index} has no still; give one, or restore it with --provider"
            )
        else:
            if check_cancelled:
                check_cancelled()
            logger.info("keyframe %d: restoring it with the %s provider", index, restorer.name)
            source = next(read_frames(job.source, FrameRange(index, index + 1)))
            image = restorer.provide(index, source, target)
        keyframes.append(Keyframe(index - frames.start, image))
    return keyframes


def _chunk_plan(job: FileJob, rules: EngineInfo) -> tuple[int, int]:
    """(length, overlap) of the chunks the engine will run (settings' 0/None = its default)."""
    settings = job.settings
    return (
        settings.chunk_length or rules.chunk_length,
        settings.chunk_overlap if settings.chunk_overlap is not None else rules.chunk_overlap,
    )


def _report_folder_stills(folder: str, stills: dict[int, str], frames: FrameRange) -> None:
    """Says which stills of a keyframe folder are used, and which are not and why."""
    found = stills_in_folder(folder)
    if not found:
        logger.warning(
            "no keyframe stills in %s (names must end in _<frame>.<png|tif|exr|jpg>)", folder
        )
        return
    used = [index for index in sorted(found) if stills.get(index) == str(found[index])]
    if used:
        named = ", ".join(f"{index} ({found[index].name})" for index in used)
        logger.info("keyframe stills from %s: frames %s", folder, named)
    outside = [index for index in sorted(found) if index not in frames]
    if outside:
        logger.warning(
            "%s: stills for frames %s are outside the frames upscaled (%d..%d), not used",
            folder,
            ", ".join(map(str, outside)),
            frames.start,
            frames.stop - 1,
        )


def user_stills(job: FileJob, frames: FrameRange) -> dict[int, str]:
    """The user's stills by source frame within `frames`: those named one by one, and those in
    the keyframe folder."""
    stills: dict[int, str] = {}
    if job.keyframe_folder:
        stills.update(
            (index, str(path))
            for index, path in stills_in_folder(job.keyframe_folder).items()
            if index in frames
        )
    explicit = [index for index, _ in job.keyframe_stills]
    if len(set(explicit)) != len(explicit):
        raise InvalidInputError("two keyframe stills were given for the same frame")
    for index, path in job.keyframe_stills:
        if index not in frames:
            raise InvalidInputError(
                f"keyframe {index} ({path}) is out of range: upscaling frames "
                f"{frames.start}..{frames.stop - 1} of {job.source}"
            )
        stills[index] = path
    return stills


def _inputs(source: str, frames: FrameRange, keyframes: list[Keyframe]) -> Iterator[InputItem]:
    # Keyframe images first: the engine needs them before the frames they guide.
    yield from keyframes
    for offset, image in enumerate(read_frames(source, frames)):
        yield SourceFrame(offset, image)


def _audio_span(job: FileJob, info: VideoInfo, frames: FrameRange) -> AudioSpan | None:
    if not (job.settings.audio and info.has_audio) or is_sequence_pattern(job.output):
        return None
    return AudioSpan(job.source, frames, info.frame_rate)


def _shifted_timecode(info: VideoInfo, start: int) -> str:
    """The source's start timecode moved on by `start` frames. A source without one counts from
    00:00:00:00, as edits do, so the output's timecode says which frames it holds."""
    from opentimelineio import opentime

    rate = float(info.frame_rate)
    origin = info.start_timecode or "00:00:00:00"
    time = opentime.from_timecode(origin, rate) + opentime.RationalTime(start, rate)
    return opentime.to_timecode(time, rate, drop_frame=";" in origin)
