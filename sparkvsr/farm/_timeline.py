"""The clips of an edit as farm work: one task per distinct clip, its file job, its windows."""

from __future__ import annotations

import logging

import opentimelineio as otio

from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.timeline import ClipPlan, TimelineSelection, clip_job, clip_work_key, plan_timeline

logger = logging.getLogger(__name__)


def timeline_clips(timeline: otio.schema.Timeline, selection: TimelineSelection) -> list[ClipPlan]:
    """The selected clips that can be upscaled, one per distinct piece of work, in edit order:
    task N of a bundle is clip N of this list (the same on every worker)."""
    clips, seen = [], set()
    for plan in plan_timeline(timeline, selection):
        if plan.skipped:
            logger.warning("%s: no task: %s", plan.label, plan.skipped)
        key = clip_work_key(plan)
        if not plan.skipped and key not in seen:
            seen.add(key)
            clips.append(plan)
    return clips


def clip_file_job(plan: ClipPlan, settings: JobSettings) -> FileJob:
    """The clip's file job as its windows need it (the output is named at assembly)."""
    return clip_job(plan, "", settings)
