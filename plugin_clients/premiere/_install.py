"""Copying the UXP panel where Premiere's UXP Developer Tool loads it, and packaging it as .ccx."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from sparkvsr.atomic import atomic_folder, atomic_path
from sparkvsr.errors import InvalidInputError
from sparkvsr.media import output_errors

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
    """Copies the plugin folder to `target`, replacing an older copy of this plugin there.

    Returns:
        The installed manifest.json, the file the UXP Developer Tool's "Add Plugin" asks for.

    Raises:
        InvalidInputError: `target` holds something else (another plug-in, other files).
        OutputError: `target` cannot be written (the message names the path).
    """
    target = target.expanduser()
    _check_replaceable(target)
    with output_errors(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        # Filled beside the target first, so a failed copy never leaves half a plugin there.
        with atomic_folder(target) as partial:
            for relative in panel_files():
                destination = partial / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PANEL_FOLDER / relative, destination)
    return target / "manifest.json"


def _check_replaceable(target: Path) -> None:
    """Refuses a `target` that is a file, holds another plug-in, or holds files and no plug-in:
    only an older copy of this plugin (same manifest id) is ever deleted."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InvalidInputError(f"--dir {target} is a file; choose a folder")
    installed = target / "manifest.json"
    if not installed.exists():
        if any(target.iterdir()):
            raise InvalidInputError(
                f"--dir {target} is a folder that holds something else; "
                "choose an empty or new folder"
            )
        return
    try:
        their_id = json.loads(installed.read_text()).get("id")
    except (OSError, ValueError, AttributeError):
        their_id = None
    if their_id != manifest()["id"]:
        raise InvalidInputError(
            f"--dir {target} holds another plug-in (manifest id {their_id!r}, not "
            f"{manifest()['id']!r}); choose an empty or new folder"
        )


def package(output: Path) -> Path:
    """Writes the plugin as a .ccx, whole or not at all: a zip of the plugin folder with
    manifest.json at its root.

    Raises:
        InvalidInputError: `output` does not end in .ccx.
        OutputError: `output` cannot be written (the message names the path).
    """
    if output.suffix.lower() != ".ccx":
        raise InvalidInputError(f"-o must name a .ccx file, got {output}")
    with output_errors(str(output)):
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(output) as partial:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for relative in panel_files():
                    archive.write(PANEL_FOLDER / relative, relative.as_posix())
    return output
