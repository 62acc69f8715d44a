"""Installing the script into Resolve's per-user Scripts folder, and removing it again."""

from __future__ import annotations

import dataclasses
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

from sparkvsr_resolve._settings import load_settings, save_settings, settings_path

SCRIPT_FOLDER = "SparkVSR"
SCRIPT_NAME = "Upscale with SparkVSR.py"
OS_NAMES = ("linux", "macos", "windows")


def current_os() -> str:
    if sys.platform == "win32":
        return "windows"
    return "macos" if sys.platform == "darwin" else "linux"


def edit_scripts_folder(os_name: str, home: Path, environ: Mapping[str, str]) -> Path:
    """Resolve's per-user folder of Edit page scripts (they show under Workspace > Scripts)."""
    if os_name == "linux":
        return home / ".local/share/DaVinciResolve/Fusion/Scripts/Edit"
    if os_name == "macos":
        return (
            home
            / "Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Edit"
        )
    if os_name == "windows":
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Edit"
    raise ValueError(f"os must be one of {OS_NAMES}, got {os_name!r}")


def script_path(os_name: str, home: Path, environ: Mapping[str, str]) -> Path:
    """Where the script goes: Workspace > Scripts > SparkVSR > Upscale with SparkVSR."""
    return edit_scripts_folder(os_name, home, environ) / SCRIPT_FOLDER / SCRIPT_NAME


def library_paths() -> list[str]:
    """The site-packages folders of this installation, which Resolve's Python adds as site
    folders (so the .pth files of an editable install work too)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def script_text(paths: list[str]) -> str:
    return f'''"""Upscale with SparkVSR: a DaVinci Resolve script (Workspace > Scripts > SparkVSR).

Installed by `sparkvsr resolve install` (Python {sys.version.split()[0]} at {sys.executable});
removed by `sparkvsr resolve uninstall`.
"""

import site
import sys

SPARKVSR_SITE_PACKAGES = {paths!r}
for _path in SPARKVSR_SITE_PACKAGES:
    site.addsitedir(_path)

try:
    from sparkvsr_resolve import main
except ImportError as _error:
    print(
        "SparkVSR: Resolve's Python " + sys.version.split()[0] + " cannot load SparkVSR "
        "(" + str(_error) + "). Install sparkvsr for the Python Resolve uses, then run "
        "`sparkvsr resolve install` with it."
    )
else:
    main(globals())
'''


def install(os_name: str, home: Path, environ: Mapping[str, str]) -> tuple[Path, Path]:
    """Writes the script and records this Python in the settings (to start a local server).

    Returns:
        The script's path and the settings file's path.
    """
    target = script_path(os_name, home, environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script_text(library_paths()))
    settings_file = settings_path()
    settings = dataclasses.replace(load_settings(settings_file), python=sys.executable)
    save_settings(settings, settings_file)
    return target, settings_file


def uninstall(os_name: str, home: Path, environ: Mapping[str, str]) -> Path | None:
    """Removes the script (and its folder when empty); the settings file stays.

    Returns:
        The removed script's path, or None when it was not installed.
    """
    target = script_path(os_name, home, environ)
    if not target.exists():
        return None
    target.unlink()
    if not any(target.parent.iterdir()):
        target.parent.rmdir()
    return target
