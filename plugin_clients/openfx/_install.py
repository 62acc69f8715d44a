"""Where OFX hosts look for plug-ins, and copying the bundle there."""

from __future__ import annotations

import os
import platform
import shutil
from collections.abc import Mapping
from pathlib import Path

from sparkvsr.atomic import atomic_folder
from sparkvsr.errors import InvalidInputError

# The standard's shared plug-in folders (hosts also scan $OFX_PLUGIN_PATH).
STANDARD_PLUGIN_DIRS = {
    "Linux": "/usr/OFX/Plugins",
    "Darwin": "/Library/OFX/Plugins",
    "Windows": r"C:\Program Files\Common Files\OFX\Plugins",
}


def default_plugin_dir(environ: Mapping[str, str] = os.environ, system: str | None = None) -> Path:
    """The first folder of $OFX_PLUGIN_PATH, else the standard folder for this system."""
    listed = [p for p in environ.get("OFX_PLUGIN_PATH", "").split(os.pathsep) if p]
    if listed:
        return Path(listed[0])
    return Path(STANDARD_PLUGIN_DIRS[system or platform.system()])


def install(bundle: Path, plugin_dir: Path) -> Path:
    """Copies the bundle into `plugin_dir` (replacing an older copy); returns its new path.

    Raises:
        InvalidInputError: the folder cannot be written (the standard folders need admin rights),
            or is not a folder.
    """
    target = plugin_dir / bundle.name
    try:
        plugin_dir.mkdir(parents=True, exist_ok=True)
        # Copied beside the target first: a failed copy leaves the older bundle as it was, and
        # a host never loads half a bundle.
        with atomic_folder(target) as partial:
            shutil.copytree(bundle, partial)
    except (OSError, shutil.Error) as error:
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
        raise InvalidInputError(
            f"cannot install into {plugin_dir} ({reason}): pass --dir DIR with a folder you can "
            "write and add DIR to OFX_PLUGIN_PATH, or run as an administrator"
        ) from error
    return target
