"""Render farms: OpenJD job bundles whose steps restore keyframes, run ranges of engine windows
(or whole clips) and assemble them, passing data only as the outputs of a step the reader
depends on, so that they run on shared storage and on a fleet with job attachments alike.

`_bundle` writes the template; `_command` finds a command's paths from its parser; `_paths`
maps them through a session's rules and back; `_tasks` and `_timeline` are what tasks run;
`_store` keeps finished windows; `_source` decodes only the frames a task needs."""

from sparkvsr.farm._bundle import (
    SPECIFICATION,
    BundleSpec,
    job_template,
    openjd_job,
    openjd_run_arguments,
    write_bundle,
)
from sparkvsr.farm._command import PathOption, change_paths, path_options, paths_in
from sparkvsr.farm._paths import SessionPaths, map_media_paths, studio_paths_in_record
from sparkvsr.farm._source import MediaSource
from sparkvsr.farm._store import WindowStore, clip_key
from sparkvsr.farm._tasks import (
    ClipWork,
    assemble_file,
    clip_work,
    restore_keyframes,
    run_clip_windows,
    stored_frames,
    windows_from,
)
from sparkvsr.farm._timeline import clip_file_job, clips_with_tasks, why_not_run

__all__ = [
    "SPECIFICATION",
    "BundleSpec",
    "ClipWork",
    "MediaSource",
    "PathOption",
    "SessionPaths",
    "WindowStore",
    "assemble_file",
    "change_paths",
    "clip_file_job",
    "clip_key",
    "clip_work",
    "clips_with_tasks",
    "job_template",
    "map_media_paths",
    "openjd_job",
    "openjd_run_arguments",
    "path_options",
    "paths_in",
    "restore_keyframes",
    "run_clip_windows",
    "stored_frames",
    "studio_paths_in_record",
    "why_not_run",
    "windows_from",
    "write_bundle",
]
