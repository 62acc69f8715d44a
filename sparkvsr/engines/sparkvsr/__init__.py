"""The SparkVSR diffusion engine (needs torch and diffusers: the `server` extra)."""

from sparkvsr.engines.sparkvsr._engine import SparkVSREngine, SparkVSRSettings, settings_from_env
from sparkvsr.engines.sparkvsr._loader import (
    DEFAULT_REPO_ID,
    EMPTY_PROMPT_FILE,
    empty_prompt_embedding,
    load_pipeline,
    missing_files,
    pull,
)
from sparkvsr.engines.sparkvsr._pipeline import SparkVSRPipeline, StageTimings

__all__ = [
    "DEFAULT_REPO_ID",
    "EMPTY_PROMPT_FILE",
    "SparkVSREngine",
    "SparkVSRPipeline",
    "SparkVSRSettings",
    "StageTimings",
    "empty_prompt_embedding",
    "load_pipeline",
    "missing_files",
    "pull",
    "settings_from_env",
]
