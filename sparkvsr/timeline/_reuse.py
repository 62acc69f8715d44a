"""Clips an earlier run already upscaled with the same settings, as their sidecars say: a re-run
links those outputs instead of refusing them or doing the work again."""

from __future__ import annotations

import json
import os

from sparkvsr.info import package_versions
from sparkvsr.media import output_files
from sparkvsr.settings import JobSettings
from sparkvsr.sidecar import sidecar_path
from sparkvsr.timeline._plan import ClipPlan

# The sidecar's settings that change the frames (see sparkvsr.sidecar.job_record).
_FRAME_SETTINGS = ("output_format", "fit", "chunk_length", "chunk_overlap", "audio")


def reusable_output(plan: ClipPlan, target: str, settings: JobSettings, engine: str) -> bool:
    """Whether `target` already holds this clip's upscale: every file of it is there, its
    sidecar describes the same work (media, frames, engine, scale, keyframes, settings) done by
    this version of sparkvsr (another may draw other frames), and neither the media nor a
    keyframe still changed after it was written."""
    files = list(output_files(target, plan.frames.start, len(plan.frames)))
    if not all(os.path.isfile(path) for path in files):
        return False
    try:
        with open(sidecar_path(target)) as file:
            record = json.load(file)
        recorded = _recorded_work(record)
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no sidecar, or not one this version reads: do the work
    if recorded != expected_work(plan, target, settings, engine):
        return False
    written = min(os.path.getmtime(path) for path in files)
    inputs = [plan.media, *(key.still for key in plan.keyframes if key.still)]
    return all(os.path.isfile(path) and os.path.getmtime(path) <= written for path in inputs)


def expected_work(plan: ClipPlan, target: str, settings: JobSettings, engine: str) -> dict:
    """What a sidecar of this clip's upscale into `target` records about the work."""
    provider = settings.provider.name if settings.provider else None
    return {
        "output": os.path.abspath(target),
        "media": os.path.abspath(plan.media),
        "frames": [plan.frames.start, plan.frames.stop - 1],
        "engine": engine,
        "scale": settings.scale,
        "keyframes": sorted(
            (
                (key.frame, os.path.abspath(key.still), None)
                if key.still
                else (key.frame, None, provider)
                for key in plan.keyframes
            ),
            key=_frame,
        ),
        "settings": {name: getattr(settings, name) for name in _FRAME_SETTINGS},
        "sparkvsr_version": package_versions().get("sparkvsr", ""),
    }


def _recorded_work(record: dict) -> dict:
    return {
        "output": record["output"],
        "media": record["source"]["media"],
        "frames": record["source"]["frames"],
        "engine": record["engine"],
        "scale": record["scale"],
        "keyframes": sorted(
            ((key["frame"], key["still"], key["restored_by"]) for key in record["keyframes"]),
            key=_frame,
        ),
        "settings": {name: record["settings"][name] for name in _FRAME_SETTINGS},
        "sparkvsr_version": record["sparkvsr_version"],
    }


def _frame(keyframe: tuple) -> int:
    return keyframe[0]
