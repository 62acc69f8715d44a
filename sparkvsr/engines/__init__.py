"""Engines: the shared chunk interface, the registry, and the engines themselves."""

from sparkvsr.engines._base import (
    WINDOW_DEPENDENCIES,
    ChunkKeyframe,
    DeviceInfo,
    Engine,
    EngineChunk,
    EngineInfo,
    PreviousFrame,
    WindowDependency,
    check_job_fits_engine,
    check_keyframe_spacing,
)
from sparkvsr.engines._descriptions import DEFAULT_ENGINE, FLOW_ENGINE_INFO, SPARKVSR_ENGINE_INFO
from sparkvsr.engines._registry import (
    EngineEntry,
    engine_entries,
    engine_entry,
    load_engine,
)

__all__ = [
    "DEFAULT_ENGINE",
    "FLOW_ENGINE_INFO",
    "SPARKVSR_ENGINE_INFO",
    "WINDOW_DEPENDENCIES",
    "ChunkKeyframe",
    "DeviceInfo",
    "Engine",
    "EngineChunk",
    "EngineEntry",
    "EngineInfo",
    "PreviousFrame",
    "WindowDependency",
    "check_job_fits_engine",
    "check_keyframe_spacing",
    "engine_entries",
    "engine_entry",
    "load_engine",
]
