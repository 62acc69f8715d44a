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
from sparkvsr.keyframes import PROVIDERS
from sparkvsr.timeline import DEFAULT_MARKER_PREFIX, OUTPUT_FORMATS

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
    python: str = ""
    """The interpreter with SparkVSR installed (recorded by `sparkvsr resolve install`), used to
    start the local server."""
    scale: int = 4
    engine: str = "flow"
    provider: str | None = None
    """Keyframe provider for markers without a still (local, fal, api, pisa-sr); None = every
    keyframe marker must name a still in its note."""
    output_format: str = "prores_hq"
    output_dir: str = ""
    """Where upscaled media goes; empty = ~/SparkVSR/<project name>."""
    handles: int = 0
    marker_prefix: str = DEFAULT_MARKER_PREFIX
    bin_name: str = "SparkVSR"

    def __post_init__(self) -> None:
        if self.output_format not in OUTPUT_FORMATS:
            raise InvalidInputError(
                f"output_format must be one of {', '.join(OUTPUT_FORMATS)}, "
                f"got {self.output_format!r}"
            )
        if self.provider is not None and self.provider not in PROVIDERS:
            raise InvalidInputError(
                f"provider must be one of {', '.join(PROVIDERS)} or null, got {self.provider!r}"
            )
        if self.scale < 1 or self.handles < 0:
            raise InvalidInputError("scale must be >= 1 and handles >= 0")

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
    known = {field.name for field in dataclasses.fields(ResolveSettings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInputError(f"{path}: unknown settings {', '.join(unknown)}")
    return ResolveSettings(**values)


def save_settings(settings: ResolveSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(settings), indent=2) + "\n")
    return path
