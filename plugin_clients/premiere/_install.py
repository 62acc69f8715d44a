"""Copying the UXP panel where Premiere's UXP Developer Tool loads it, and packaging it as .ccx."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from sparkvsr.errors import InvalidInputError

PANEL_FOLDER = Path(__file__).resolve().parent / "panel"
"""The plugin folder as it ships in this package: manifest.json at its root."""
PLUGIN_DIR_NAME = "SparkVSR.premiere"


def panel_files() -> list[Path]:
    """Every file of the plugin, relative to its folder (sorted, so packages are reproducible)."""
    return sorted(
        path.relative_to(PANEL_FOLDER)
        for path in PANEL_FOLDER.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def manifest() -> dict:
    return json.loads((PANEL_FOLDER / "manifest.json").read_text())


def default_install_dir(
    home: Path, environ: Mapping[str, str], platform: str = sys.platform
) -> Path:
    """A per-user folder for the plugin (any folder works: the UXP Developer Tool loads it)."""
    if platform == "win32":
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "SparkVSR" / PLUGIN_DIR_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / "SparkVSR" / PLUGIN_DIR_NAME
    data = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(data) / "sparkvsr" / PLUGIN_DIR_NAME


def install(target: Path) -> Path:
    """Copies the plugin folder to `target` (replacing an older copy there).

    Returns:
        The installed manifest.json, the file the UXP Developer Tool's "Add Plugin" asks for.
    """
    target = target.expanduser()
    if target.exists() and not (target / "manifest.json").exists() and any(target.iterdir()):
        raise InvalidInputError(
            f"--dir {target} is a folder that holds something else; choose an empty or new folder"
        )
    if target.exists():
        shutil.rmtree(target)
    for relative in panel_files():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PANEL_FOLDER / relative, destination)
    return target / "manifest.json"


def package(output: Path) -> Path:
    """Writes the plugin as a .ccx: a zip of the plugin folder with manifest.json at its root."""
    if output.suffix.lower() != ".ccx":
        raise InvalidInputError(f"-o must name a .ccx file, got {output}")
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in panel_files():
            archive.write(PANEL_FOLDER / relative, relative.as_posix())
    return output
