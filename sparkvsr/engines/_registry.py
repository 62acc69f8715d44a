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
    load: Callable[..., Engine]
    """Builds a ready engine (`load(device="cuda:1")` puts it on that device; engines without
    devices ignore it); raises EngineUnavailableError when it cannot run here."""
    unavailable_reason: Callable[[], str | None]
    """Why the engine cannot run here, or None when it can."""
    devices: Callable[[], tuple[DeviceInfo, ...]] = tuple
    """The accelerators the engine could use here, besides the CPU (asked only on demand)."""


def _load_flow(device: str | None = None) -> Engine:
    del device  # the CPU only
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


def _load_sparkvsr(device: str | None = None) -> Engine:
    reason = _sparkvsr_unavailable()
    if reason:
        raise EngineUnavailableError(f"engine 'sparkvsr' is not available: {reason}")
    # Imported on use: it brings in torch.
    from sparkvsr.engines.sparkvsr import SparkVSREngine, settings_from_env

    return SparkVSREngine(settings_from_env(device=device) if device else None)


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


def load_engine(name: str, device: str | None = None) -> Engine:
    """Builds the engine called `name`, ready to run (on `device`, where it has devices)."""
    entry = engine_entry(name)
    return entry.load(device=device) if device else entry.load()
