"""Render farms: OpenJD job bundles whose tasks run groups of engine windows (or whole clips)
into a shared folder, and the assembler that blends and encodes them."""

from sparkvsr.farm._bundle import (
    SPECIFICATION,
    BundleSpec,
    job_template,
    openjd_run_arguments,
    write_bundle,
)
from sparkvsr.farm._paths import map_media_paths, path_mapper
from sparkvsr.farm._source import MediaSource
from sparkvsr.farm._store import WindowStore, clip_key
from sparkvsr.farm._tasks import (
    ClipWork,
    assemble_file,
    clip_work,
    run_clip_windows,
    stored_frames,
)
from sparkvsr.farm._timeline import clip_file_job, timeline_clips

__all__ = [
    "SPECIFICATION",
    "BundleSpec",
    "ClipWork",
    "MediaSource",
    "WindowStore",
    "assemble_file",
    "clip_file_job",
    "clip_key",
    "clip_work",
    "job_template",
    "map_media_paths",
    "openjd_run_arguments",
    "path_mapper",
    "run_clip_windows",
    "stored_frames",
    "timeline_clips",
    "write_bundle",
]
