"""The one module that reads the environment: each variable SparkVSR honours is named here."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

TOKEN = "SPARKVSR_TOKEN"
"""Bearer token a server requires and clients send."""
WEIGHTS = "SPARKVSR_WEIGHTS"
"""Folder of the SparkVSR weights in Hugging Face layout."""
DEVICE = "SPARKVSR_DEVICE"
DTYPE = "SPARKVSR_DTYPE"
CACHE_DIR = "SPARKVSR_CACHE_DIR"
"""Where restored keyframes are kept."""
PROVIDER_FALLBACKS = {
    "pisa_python": "SPARKVSR_PISA_PYTHON",
    "pisa_script": "SPARKVSR_PISA_SCRIPT",
    "api_config": "SPARKVSR_API_CONFIG",
}
"""ProviderSettings fields the environment may fill, by field name."""
STATE_DIR = "SPARKVSR_STATE_DIR"
"""Where a server keeps its jobs and a started local server its log, instead of the per-user one."""
RESOLVE_SETTINGS = "SPARKVSR_RESOLVE_SETTINGS"
"""The Resolve script's settings file, instead of the per-user one."""


def read(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value; None when unset or empty (an empty value means unset)."""
    return (os.environ if environ is None else environ).get(name) or None


def token(environ: Mapping[str, str] | None = None) -> str | None:
    return read(TOKEN, environ)


def sparkvsr_weights(environ: Mapping[str, str] | None = None) -> str | None:
    return read(WEIGHTS, environ)


def keyframe_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$SPARKVSR_CACHE_DIR, else $XDG_CACHE_HOME/sparkvsr/keyframes, else ~/.cache/..."""
    explicit = read(CACHE_DIR, environ)
    if explicit:
        return Path(explicit)
    base = read("XDG_CACHE_HOME", environ) or Path.home() / ".cache"
    return Path(base) / "sparkvsr" / "keyframes"


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user configuration folder of this OS, with a `sparkvsr` folder inside."""
    if sys.platform == "win32":
        base = read("APPDATA", environ) or Path.home() / "AppData" / "Roaming"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = read("XDG_CONFIG_HOME", environ) or Path.home() / ".config"
    return Path(base) / "sparkvsr"


def user_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$SPARKVSR_STATE_DIR, else the per-user state folder of this OS with a `sparkvsr` folder
    inside: what must outlive a restart (a server's jobs, a local server's log) but is not
    configuration ($XDG_STATE_HOME or ~/.local/state; macOS Application Support; %LOCALAPPDATA%)."""
    explicit = read(STATE_DIR, environ)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = read("LOCALAPPDATA", environ) or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = read("XDG_STATE_HOME", environ) or Path.home() / ".local" / "state"
    return Path(base) / "sparkvsr"
