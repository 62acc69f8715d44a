"""The Resolve script's saved settings: a small JSON file the user can edit.

The free edition of Resolve (19.1 on) shows no windows built by scripts, so there these settings
are all the user has; in Studio they are the dialog's defaults and are saved when it runs a job.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sparkvsr import environment
from sparkvsr.errors import InvalidInputError
from sparkvsr.keyframes import PROVIDERS, provider_settings_from_env
from sparkvsr.settings import JobSettings
from sparkvsr.timeline import DEFAULT_MARKER_PREFIX

LOCAL_SERVER = "local"
DEFAULT_PORT = 50051


@dataclass(frozen=True)
class ResolveSettings:
    """What "Upscale with SparkVSR" does when it runs."""

    server: str = LOCAL_SERVER
    """HOST:PORT of a SparkVSR server, or "local" (127.0.0.1:`local_port`, started if none
    answers and `start_local_server` allows it)."""
    start_local_server: bool = True
    """Start `sparkvsr serve` on this machine when no local server answers."""
    local_port: int = DEFAULT_PORT
    """Port of the local server."""
    token: str | None = None
    """Bearer token of a server that requires one (default: $SPARKVSR_TOKEN)."""
    python: str = ""
    """The interpreter with SparkVSR installed (recorded by `sparkvsr resolve install`), used to
    start the local server."""
    job: JobSettings = JobSettings()
    """Engine, scale, keyframe provider and output format of the upscaled media."""
    output_dir: str = ""
    """Where upscaled media goes; empty = ~/SparkVSR/<project name>."""
    handles: int = 0
    marker_prefix: str = DEFAULT_MARKER_PREFIX
    bin_name: str = "SparkVSR"

    def __post_init__(self) -> None:
        if self.handles < 0:
            raise InvalidInputError(f"handles must be >= 0, got {self.handles}")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.local_port}" if self.server == LOCAL_SERVER else self.server

    def output_folder(self, project_name: str) -> str:
        if self.output_dir:
            return os.path.expanduser(self.output_dir)
        return str(Path.home() / "SparkVSR" / _safe_name(project_name))


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in " -_." else "_" for c in name).strip() or "project"


def settings_path() -> Path:
    """The per-user settings file: $SPARKVSR_RESOLVE_SETTINGS, else the OS's config folder."""
    explicit = environment.read(environment.RESOLVE_SETTINGS)
    if explicit:
        return Path(explicit)
    return environment.user_config_dir() / "resolve.json"


# The file keeps the job's choices at its top level, the provider by name (the format users edit).
_JOB_KEYS = ("scale", "engine", "provider", "output_format")


def load_settings(path: Path | None = None) -> ResolveSettings:
    """The saved settings; defaults where the file or a key is missing.

    Raises:
        InvalidInputError: the file is not valid JSON or has unknown keys or bad values.
    """
    path = path or settings_path()
    if not path.exists():
        return ResolveSettings()
    try:
        values = json.loads(path.read_text())
    except ValueError as error:
        raise InvalidInputError(f"{path} is not valid JSON: {error}") from None
    known = {field.name for field in dataclasses.fields(ResolveSettings)} - {"job"}
    unknown = sorted(set(values) - known - set(_JOB_KEYS))
    if unknown:
        raise InvalidInputError(f"{path}: unknown settings {', '.join(unknown)}")
    job = {key: values.pop(key) for key in _JOB_KEYS if key in values}
    provider = job.pop("provider", None)
    if provider is not None and provider not in PROVIDERS:
        raise InvalidInputError(
            f"{path}: provider must be one of {', '.join(PROVIDERS)} or null, got {provider!r}"
        )
    if provider:
        job["provider"] = provider_settings_from_env(name=provider)
    return ResolveSettings(**values, job=JobSettings(**job))


def save_settings(settings: ResolveSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    job = values.pop("job")
    values.update(
        scale=job.scale,
        engine=job.engine,
        provider=job.provider.name if job.provider else None,
        output_format=job.output_format,
    )
    path.write_text(json.dumps(values, indent=2) + "\n")
    return path
