"""Engines by name: what each is, whether it can run here, and how to load it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from sparkvsr import environment
from sparkvsr.engines._base import DeviceInfo, Engine, EngineInfo
from sparkvsr.engines._descriptions import FLOW_ENGINE_INFO, SPARKVSR_ENGINE_INFO
from sparkvsr.errors import EngineUnavailableError, InvalidInputError


@dataclass(frozen=True)
class EngineEntry:
    """A registered engine."""

    info: EngineInfo
    load: Callable[[], Engine]
    """Builds a ready engine; raises EngineUnavailableError when it cannot run here."""
    unavailable_reason: Callable[[], str | None]
    """Why the engine cannot run here, or None when it can."""
    devices: Callable[[], tuple[DeviceInfo, ...]] = tuple
    """The accelerators the engine could use here, besides the CPU (asked only on demand)."""


def _load_flow() -> Engine:
    from sparkvsr.engines.flow import FlowEngine  # imported on use: it brings in OpenCV

    return FlowEngine()


def _sparkvsr_unavailable() -> str | None:
    """Why the diffusion engine cannot run here, checked without importing torch."""
    from pathlib import Path

    missing = [m for m in ("torch", "diffusers") if importlib.util.find_spec(m) is None]
    if missing:
        return f"needs {' and '.join(missing)}: pip install 'sparkvsr[server]'"
    weights = environment.sparkvsr_weights()
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


def _cuda_devices() -> tuple[DeviceInfo, ...]:
    if importlib.util.find_spec("torch") is None:
        return ()
    from sparkvsr.engines.sparkvsr._devices import cuda_devices  # imports torch

    return cuda_devices()


_ENGINES: dict[str, EngineEntry] = {
    "flow": EngineEntry(FLOW_ENGINE_INFO, _load_flow, lambda: None),
    "sparkvsr": EngineEntry(
        SPARKVSR_ENGINE_INFO, _load_sparkvsr, _sparkvsr_unavailable, _cuda_devices
    ),
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
