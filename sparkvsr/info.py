"""What a SparkVSR installation offers: engines, devices, versions and limits."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sparkvsr.engines import DEFAULT_ENGINE, DeviceInfo, EngineInfo, engine_entries

_VERSIONED_PACKAGES = (
    "sparkvsr",
    "grpcio",
    "protobuf",
    "numpy",
    "av",
    "opencv-python-headless",
    "torch",
    "diffusers",
)


@dataclass(frozen=True)
class EngineStatus:
    """An engine and whether it can run here."""

    info: EngineInfo
    unavailable_reason: str | None = None
    """Why it cannot run here; None when it can."""


@dataclass(frozen=True)
class ServerInfo:
    """Everything `sparkvsr info` shows, for this machine or a server."""

    version: str
    default_engine: str
    engines: tuple[EngineStatus, ...]
    devices: tuple[DeviceInfo, ...]
    max_message_bytes: int
    """Largest gRPC message; 0 when running in process."""
    max_queued_jobs: int
    workers: int
    versions: dict[str, str] = field(default_factory=dict)
    """Installed versions of the packages that matter, by package name."""
    worker_devices: tuple[str, ...] = ()
    """The device of each worker ("" = the engines' default device); empty in process."""


def list_devices(engines: Collection[str] | None = None) -> tuple[DeviceInfo, ...]:
    """The CPU, plus each accelerator that the named engines (None = all) see; each engine is
    asked itself, so a server that runs only CPU engines never imports torch to answer."""
    memory = (
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    )
    devices = [DeviceInfo("cpu", f"{platform.machine()} with {os.cpu_count()} cores", memory)]
    for entry in engine_entries():
        if engines is not None and entry.info.name not in engines:
            continue
        devices += [device for device in entry.devices() if device not in devices]
    return tuple(devices)


def package_versions() -> dict[str, str]:
    versions = {}
    for package in _VERSIONED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def describe_installation(
    runnable: Mapping[str, EngineInfo] | None = None,
    *,
    default_engine: str = DEFAULT_ENGINE,
    max_message_bytes: int = 0,
    max_queued_jobs: int = 0,
    workers: int = 1,
    worker_devices: tuple[str, ...] = (),
) -> ServerInfo:
    """ServerInfo for this process; `runnable` names the engines a server loaded (None = all that
    can run here)."""
    statuses = []
    for entry in engine_entries():
        reason = entry.unavailable_reason()
        if runnable is not None and entry.info.name not in runnable and reason is None:
            reason = "not loaded on this server"
        statuses.append(EngineStatus(entry.info, reason))
    known = {status.info.name for status in statuses}
    statuses += [EngineStatus(info) for name, info in (runnable or {}).items() if name not in known]
    versions = package_versions()
    return ServerInfo(
        version=versions.get("sparkvsr", ""),
        default_engine=default_engine,
        engines=tuple(statuses),
        devices=list_devices(None if runnable is None else set(runnable)),
        max_message_bytes=max_message_bytes,
        max_queued_jobs=max_queued_jobs,
        workers=workers,
        versions=versions,
        worker_devices=worker_devices,
    )
