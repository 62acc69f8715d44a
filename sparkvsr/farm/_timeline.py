"""The clips of an edit as farm work: task N is clip N of the edit's plan (every selected clip
counted, whatever exists where it is planned or run), its file job and its windows."""

from __future__ import annotations

import logging

from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.timeline import ClipPlan, clip_job, clip_work_key

logger = logging.getLogger(__name__)


def why_not_run(plan: ClipPlan, settings: JobSettings) -> str | None:
    """Why `sparkvsr timeline upscale` would skip the clip (the plan's reason, or a keyframe
    nobody can supply), None when it runs."""
    if plan.skipped:
        return plan.skipped
    unsupplied = [key.frame for key in plan.keyframes if not key.still]
    if unsupplied and settings.provider is None:
        return f"keyframe {unsupplied[0]} has no still; give one, or restore it with --provider"
    return None


def clips_with_tasks(plans: list[ClipPlan], settings: JobSettings) -> list[int]:
    """The numbers (positions in `plans`) of the clips that get an upscale task: those that can
    run, once per distinct piece of work; the others are logged with the reason."""
    numbers, seen = [], set()
    for number, plan in enumerate(plans):
        reason = why_not_run(plan, settings)
        if reason:
            logger.warning("%s: no task: %s", plan.label, reason)
        elif clip_work_key(plan) not in seen:
            seen.add(clip_work_key(plan))
            numbers.append(number)
    return numbers


def clip_file_job(plan: ClipPlan, settings: JobSettings) -> FileJob:
    """The clip's file job as its windows need it (the output is named at assembly)."""
    return clip_job(plan, "", settings)
