"""Engines by name: what each is, whether it can run here, and how to load it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkvsr.engines._base import Engine, EngineInfo
from sparkvsr.errors import EngineUnavailableError, InvalidInputError

DEFAULT_ENGINE = "flow"

FLOW_ENGINE_INFO = EngineInfo(
    name="flow",
    description="classical keyframe propagation by optical flow (CPU, no weights)",
    scales=(2, 3, 4),
    min_keyframe_gap=1,
    # Frames are independent given their keyframes, so chunks need no overlap; small chunks keep
    # high-resolution float buffers small.
    chunk_length=4,
    chunk_overlap=0,
    keyframe_reach=48,
)

SPARKVSR_ENGINE_INFO = EngineInfo(
    name="sparkvsr",
    description="SparkVSR diffusion model on CogVideoX1.5-5B-I2V (GPU, weights)",
    scales=(4,),
    # Each keyframe takes latent slot index // 4, so two keyframes need distinct slots.
    min_keyframe_gap=4,
    chunk_length=49,
    chunk_overlap=8,
)


@dataclass(frozen=True)
class EngineEntry:
    """A registered engine."""

    info: EngineInfo
    load: Callable[[], Engine]
    """Builds a ready engine; raises EngineUnavailableError when it cannot run here."""
    unavailable_reason: Callable[[], str | None]
    """Why the engine cannot run here, or None when it can."""


def _load_flow() -> Engine:
    from sparkvsr.engines.flow import FlowEngine  # imported on use: it brings in OpenCV

    return FlowEngine()


def _sparkvsr_unavailable() -> str | None:
    """Why the diffusion engine cannot run here, checked without importing torch."""
    import importlib.util
    import os
    from pathlib import Path

    missing = [m for m in ("torch", "diffusers") if importlib.util.find_spec(m) is None]
    if missing:
        return f"needs {' and '.join(missing)}: pip install 'sparkvsr[server]'"
    weights = os.environ.get("SPARKVSR_WEIGHTS")
    if not weights:
        return "no weights configured: set SPARKVSR_WEIGHTS (see `sparkvsr models pull`)"
    from sparkvsr.engines.sparkvsr._loader import missing_files

    lacking = missing_files(Path(weights)) if Path(weights).is_dir() else [weights]
    return f"weights incomplete, missing: {', '.join(lacking)}" if lacking else None


def _load_sparkvsr() -> Engine:
    reason = _sparkvsr_unavailable()
    if reason:
        raise EngineUnavailableError(f"engine 'sparkvsr' is not available: {reason}")
    from sparkvsr.engines.sparkvsr import SparkVSREngine  # imported on use: it brings in torch

    return SparkVSREngine()


_ENGINES: dict[str, EngineEntry] = {
    "flow": EngineEntry(FLOW_ENGINE_INFO, _load_flow, lambda: None),
    "sparkvsr": EngineEntry(SPARKVSR_ENGINE_INFO, _load_sparkvsr, _sparkvsr_unavailable),
}


def engine_entries() -> tuple[EngineEntry, ...]:
    """Every registered engine, available here or not."""
    return tuple(_ENGINES.values())


def engine_entry(name: str) -> EngineEntry:
    """The engine called `name`; InvalidInputError listing the known names otherwise."""
    try:
        return _ENGINES[name]
    except KeyError:
        raise InvalidInputError(
            f"unknown engine {name!r}; choose one of: {', '.join(sorted(_ENGINES))}"
        ) from None


def load_engine(name: str) -> Engine:
    """Builds the engine called `name`, ready to run."""
    return engine_entry(name).load()
