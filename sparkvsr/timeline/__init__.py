"""Timelines in, upscaled media and timelines out: the one path every editor client shares."""

from sparkvsr.sidecar import sidecar_path
from sparkvsr.timeline._conform import (
    OUTPUT_MODES,
    OutputMode,
    output_name,
    reference_key,
)
from sparkvsr.timeline._io import read_timeline, write_timeline
from sparkvsr.timeline._markers import DEFAULT_MARKER_PREFIX, MarkerConvention, still_named_by
from sparkvsr.timeline._paths import PathMapping, map_path, path_from_url
from sparkvsr.timeline._plan import (
    CLIP_MARKER,
    TIMELINE_MARKER,
    TRACK_MARKER,
    ClipPlan,
    MarkedKeyframe,
    MediaTiming,
    TimelineSelection,
    media_timing,
    plan_timeline,
)
from sparkvsr.timeline._run import (
    CANCELLED,
    ClipOutcome,
    TimelineResult,
    UpscaleClip,
    clip_job,
    clip_work_key,
    upscale_timeline,
)
from sparkvsr.timeline._time import exact_rate, timecode_time

__all__ = [
    "CANCELLED",
    "CLIP_MARKER",
    "DEFAULT_MARKER_PREFIX",
    "OUTPUT_MODES",
    "TIMELINE_MARKER",
    "TRACK_MARKER",
    "ClipOutcome",
    "ClipPlan",
    "MarkedKeyframe",
    "MarkerConvention",
    "MediaTiming",
    "OutputMode",
    "PathMapping",
    "TimelineResult",
    "TimelineSelection",
    "UpscaleClip",
    "clip_job",
    "clip_work_key",
    "exact_rate",
    "map_path",
    "media_timing",
    "output_name",
    "path_from_url",
    "plan_timeline",
    "read_timeline",
    "reference_key",
    "sidecar_path",
    "still_named_by",
    "timecode_time",
    "upscale_timeline",
    "write_timeline",
]
