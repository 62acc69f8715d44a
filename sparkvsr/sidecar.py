"""Provenance files: `<output>.sparkvsr.json` beside each upscaled output, saying what made it."""

from __future__ import annotations

import json
import os

from sparkvsr.atomic import write_atomically
from sparkvsr.info import package_versions
from sparkvsr.media import is_sequence_pattern
from sparkvsr.settings import FileJob
from sparkvsr.upscale_file import FileJobResult


def sidecar_path(target: str) -> str:
    """`<output name>.sparkvsr.json` next to a movie, or next to a sequence's folder."""
    if is_sequence_pattern(target):
        return f"{os.path.dirname(target)}.sparkvsr.json"
    return f"{os.path.splitext(target)[0]}.sparkvsr.json"


def job_record(job: FileJob, result: FileJobResult) -> dict:
    """Source, frames, engine, keyframes and settings of a finished file job."""
    settings = job.settings
    frames = job.frames
    first = frames.start if frames else 0
    stills = dict(job.keyframe_stills)
    provider = settings.provider.name if settings.provider else None
    return {
        "sparkvsr_version": package_versions().get("sparkvsr", ""),
        "output": os.path.abspath(result.output),
        "source": {
            "media": os.path.abspath(job.source),
            "frames": [first, first + result.spec.frame_count - 1],
            "frame_rate": str(result.source.frame_rate),
            "start_timecode": result.source.start_timecode,
        },
        "engine": result.spec.engine,
        "scale": result.spec.scale,
        "keyframes": [
            {
                "frame": frame,
                "still": os.path.abspath(stills[frame]) if frame in stills else None,
                "restored_by": None if frame in stills else provider,
            }
            for frame in (first + index for index in result.spec.keyframe_indices)
        ],
        "settings": {
            "output_format": settings.output_format,
            "fit": settings.fit,
            "chunk_length": settings.chunk_length,
            "chunk_overlap": settings.chunk_overlap,
            "audio": settings.audio,
        },
    }


def write_sidecar(target: str, record: dict) -> str:
    """Writes the record beside `target` (complete or not at all); returns the sidecar's path."""
    path = sidecar_path(target)
    write_atomically(path, json.dumps(record, indent=2) + "\n")
    return path
