"""Keyframes the user supplies: per-frame paths, or a folder of `<anything>_<frame>.<ext>`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.keyframes._provider import KeyframeProvider, fit_to, match_layout
from sparkvsr.media import read_still
from sparkvsr.specs import FrameLayout

STILL_SUFFIXES = (".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg")
_NUMBERED = re.compile(r"^(?:.*[_\-.])?(\d+)$")


def stills_in_folder(folder: str | Path) -> dict[int, Path]:
    """Frame index -> still for every `<anything>_<frame number>.<png|tif|exr|jpg>` in `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotFoundError(f"no such folder of keyframe stills: {folder}")
    stills: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        match = _NUMBERED.match(path.stem)
        if path.suffix.lower() not in STILL_SUFFIXES or not match:
            continue
        index = int(match.group(1))
        if index in stills:
            raise InvalidInputError(
                f"two stills for frame {index} in {folder}: {stills[index].name} and {path.name}"
            )
        stills[index] = path
    return stills


class UserStills(KeyframeProvider):
    """High-resolution stills from disk; `fit` resizes wrong-sized ones (with a warning)."""

    name = "user"

    def __init__(self, stills: Mapping[int, str | Path], *, fit: bool = False):
        self.stills = {index: Path(path) for index, path in stills.items()}
        self.fit = fit

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        path = self.stills.get(index)
        if path is None:
            raise NotFoundError(f"keyframe {index}: no still was given for this frame")
        what = f"keyframe {index} ({path})"
        if not path.exists():
            raise NotFoundError(f"keyframe {index}: its still {path} does not exist")
        if not self.fit:
            try:
                return read_still(str(path), target)
            except InvalidInputError as error:
                raise InvalidInputError(f"keyframe {index}: {error} (or pass --fit)") from None
        image = read_still(str(path), None)
        return match_layout(fit_to(image, target, what), target, what)
