"""DaVinci Resolve client: "Upscale with SparkVSR" on the Edit page.

Runs inside Resolve's own Python with the base `sparkvsr` install (no torch): it reads the
selected clips and markers through Resolve's scripting API, hands them to the library's timeline
bridge as an OTIO timeline, and imports and places the upscaled media.
"""

from sparkvsr_resolve._api import ResolveError, ResolveVersion
from sparkvsr_resolve._job import ResolveJob, ResolveReport
from sparkvsr_resolve._resolve import ResolveTimeline
from sparkvsr_resolve._script import main
from sparkvsr_resolve._settings import ResolveSettings, load_settings, save_settings, settings_path

__all__ = [
    "ResolveError",
    "ResolveJob",
    "ResolveReport",
    "ResolveSettings",
    "ResolveTimeline",
    "ResolveVersion",
    "load_settings",
    "main",
    "save_settings",
    "settings_path",
]
