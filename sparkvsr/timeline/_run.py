"""Upscale the selected clips of a timeline and return the timeline that shows the results."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import opentimelineio as otio

from sparkvsr.errors import InvalidInputError, JobCancelledError, NotFoundError, SparkVSRError
from sparkvsr.media import output_errors, output_target
from sparkvsr.runners import LocalRunner, Runner
from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.sidecar import job_record, sidecar_path, write_sidecar
from sparkvsr.timeline._conform import (
    OutputMode,
    conform,
    output_name,
    upscaled_reference,
)
from sparkvsr.timeline._plan import ClipPlan, TimelineSelection, plan_timeline
from sparkvsr.timeline._reuse import reusable_output
from sparkvsr.upscale_file import FileJobResult, upscale_file

logger = logging.getLogger(__name__)

CANCELLED = "cancelled"
"""The error of a clip that a cancel stopped or kept from starting."""

ClipProgress = Callable[[ClipPlan, int, int], None]
"""Called with (clip, frames done, frames in the clip) after each finished frame."""

UpscaleClip = Callable[[FileJob, Callable[[int, int], None]], FileJobResult]
"""Upscales one clip's file job with a (done, total) progress callback: `upscale_file` on the
runner, or a farm's assembly of windows already run."""


@dataclass(frozen=True)
class ClipOutcome:
    """What happened to one selected clip."""

    plan: ClipPlan
    output: str | None = None
    """The movie or image sequence pattern written (or shared with an identical clip)."""
    error: str | None = None
    """Why the clip was not upscaled; None = it was."""
    reused: bool = False
    """The output is an earlier run's, made with the same settings (its sidecar says so)."""

    @property
    def done(self) -> bool:
        return self.error is None


@dataclass
class TimelineResult:
    """The timeline showing the upscaled media, and what happened to each selected clip."""

    timeline: otio.schema.Timeline
    outcomes: list[ClipOutcome] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return any(outcome.error == CANCELLED for outcome in self.outcomes)

    def summary(self) -> str:
        """A table, one row per selected clip: frames, keyframes, and the output or why not."""
        rows = [("clip", "frames", "keys", "result")]
        for outcome in self.outcomes:
            plan = outcome.plan
            frames = f"{plan.frames.start}-{plan.frames.stop - 1}" if plan.frames else "-"
            if outcome.reused:
                status = f"reused: {outcome.output}"
            elif outcome.done:
                status = f"done: {outcome.output}"
            elif outcome.error == CANCELLED:
                status = CANCELLED
            else:
                status = f"skipped: {outcome.error}"
            rows.append((plan.label, frames, str(len(plan.keyframes)), status))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]
            for row in rows
        ]
        done = sum(outcome.done for outcome in self.outcomes)
        reused = sum(outcome.reused for outcome in self.outcomes)
        earlier = f" ({reused} reused from an earlier run)" if reused else ""
        lines.append(f"{done} of {len(self.outcomes)} clips upscaled{earlier}")
        return "\n".join(lines)


def upscale_timeline(
    timeline: otio.schema.Timeline,
    selection: TimelineSelection,
    settings: JobSettings,
    output_dir: str,
    *,
    mode: OutputMode = "stack",
    runner: Runner | None = None,
    progress: ClipProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    upscale: UpscaleClip | None = None,
) -> TimelineResult:
    """Upscales each selected clip's frames into `output_dir`, one clip after another.

    A clip that fails is reported and the others still run. `should_stop` is polled after every
    frame: when it answers True the running clip is abandoned (its partial output deleted) and
    the rest are reported as cancelled; finished clips are kept. The input timeline is not
    changed; the result holds an edited copy.

    Args:
        runner: where the clips run (see sparkvsr.runners); None = in this process.
        upscale: what upscales each clip's file job; None = `upscale_file` on the runner.
    """
    if runner is None:
        with LocalRunner() as local:
            return upscale_timeline(
                timeline,
                selection,
                settings,
                output_dir,
                mode=mode,
                runner=local,
                progress=progress,
                should_stop=should_stop,
                upscale=upscale,
            )
    if upscale is None:

        def upscale(job: FileJob, on_frame) -> FileJobResult:
            return upscale_file(job, runner, progress=on_frame)

    engine = settings.engine or runner.default_engine
    edited = copy.deepcopy(timeline)
    plans = plan_timeline(edited, selection)
    outcomes: list[ClipOutcome] = []
    written: dict[tuple, str] = {}
    cancelled = False
    for plan in plans:
        if plan.skipped or cancelled:
            outcomes.append(ClipOutcome(plan, error=plan.skipped or CANCELLED))
            continue
        same_work = clip_work_key(plan)
        if same_work in written:
            outcomes.append(ClipOutcome(plan, output=written[same_work]))
            continue
        target = _free_target(plan, settings, output_dir, set(written.values()))
        if not settings.overwrite and reusable_output(plan, target, settings, engine):
            logger.info("%s: reusing %s (upscaled earlier with these settings)", plan.label, target)
            written[same_work] = target
            outcomes.append(ClipOutcome(plan, output=target, reused=True))
            continue
        for warning in plan.warnings:
            logger.warning("%s: %s", plan.label, warning)
        try:
            job, result = _upscale_clip(plan, target, settings, upscale, progress, should_stop)
            write_clip_sidecar(plan, job, result)
        except JobCancelledError:
            cancelled = True
            outcomes.append(ClipOutcome(plan, error=CANCELLED))
            continue
        except SparkVSRError as error:
            outcomes.append(ClipOutcome(plan, error=str(error)))
            continue
        written[same_work] = target
        outcomes.append(ClipOutcome(plan, output=target))
    placed = [
        (outcome.plan, upscaled_reference(outcome.plan, outcome.output))
        for outcome in outcomes
        if outcome.done
    ]
    conform(edited, placed, mode, settings.scale)
    return TimelineResult(edited, outcomes)


def _free_target(plan: ClipPlan, settings: JobSettings, output_dir: str, taken) -> str:
    """The clip's output path; a clip with the same frames but other keyframes gets `_2`, ..."""
    name = output_name(plan, settings.scale)
    target = output_target(output_dir, name, settings.output_format)
    suffix = 2
    while target in taken:
        target = output_target(output_dir, f"{name}_{suffix}", settings.output_format)
        suffix += 1
    return target


def clip_work_key(plan: ClipPlan) -> tuple:
    """Clips with equal keys are the same work: one output serves them all."""
    return (plan.media, plan.frames, plan.keyframes)


def clip_job(plan: ClipPlan, target: str, settings: JobSettings) -> FileJob:
    """The file job that upscales a clip's frames into `target`."""
    return FileJob(
        source=plan.media,
        output=target,
        settings=settings,
        keyframe_stills=tuple((key.frame, key.still) for key in plan.keyframes if key.still),
        keyframe_frames=tuple(key.frame for key in plan.keyframes if not key.still),
        frames=plan.frames,
    )


def _upscale_clip(
    plan, target, settings, upscale: UpscaleClip, progress, should_stop
) -> tuple[FileJob, FileJobResult]:
    if not os.path.exists(plan.media):
        raise NotFoundError(f"media not found: {plan.media}")
    if os.path.exists(target) and not settings.overwrite:
        raise InvalidInputError(f"{target} exists; pass --overwrite to replace it")

    def on_frame(done: int, total: int) -> None:
        if should_stop and should_stop():
            raise JobCancelledError(f"{plan.label}: cancelled")
        if progress:
            progress(plan, done, total)

    job = clip_job(plan, target, settings)
    return job, upscale(job, on_frame)


def write_clip_sidecar(plan: ClipPlan, job: FileJob, result: FileJobResult) -> str:
    """The job's provenance, with the clip it came from and each keyframe's marker."""
    record = job_record(job, result)
    record["source"]["used"] = [plan.used.start, plan.used.stop - 1]
    record["clip"] = {"track": plan.track, "number": plan.number, "name": plan.name}
    markers = {key.frame: key for key in plan.keyframes}
    for keyframe in record["keyframes"]:
        marked = markers.get(keyframe["frame"])
        keyframe["from"] = marked.origin if marked else "auto"
        keyframe["marker"] = marked.marker if marked else None
    with output_errors(sidecar_path(result.output)):
        return write_sidecar(result.output, record)
