"""The one interface every keyframe source implements, and the size fitting they share."""

from __future__ import annotations

import abc
import logging

import cv2
import numpy as np

from sparkvsr.errors import InvalidInputError
from sparkvsr.specs import FrameLayout

logger = logging.getLogger(__name__)


class KeyframeProvider(abc.ABC):
    """Gives the high-resolution image of a source frame: supplied by the user, or restored."""

    name: str

    @abc.abstractmethod
    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        """The keyframe for frame `index`, exactly of `target`'s layout (top-down, uint).

        Args:
            index: source frame index (for messages and for per-frame stills).
            source: the low-resolution frame, (H, W, C) uint8/uint16.
            target: size, channels and depth the keyframe must have.

        Raises:
            SparkVSRError subclasses naming the keyframe and what went wrong.
        """

    def cache_key(self) -> str | None:
        """What, besides the source frame, determines this provider's output; None = do not
        cache (the result is not a function of the source frame, as with user stills)."""
        return None


def fit_to(image: np.ndarray, target: FrameLayout, what: str, *, warn: bool = True) -> np.ndarray:
    """Centre-crops `image` to the target's aspect ratio and resizes it to the exact size."""
    height, width = image.shape[:2]
    if (width, height) == (target.width, target.height):
        return image
    if warn:
        logger.warning(
            "%s is %dx%d; fitting it to %dx%d (centre crop and resize)",
            what,
            width,
            height,
            target.width,
            target.height,
        )
    want = target.width / target.height
    if width / height > want:
        crop = round(height * want)
        image = image[:, (width - crop) // 2 : (width - crop) // 2 + crop]
    elif width / height < want:
        crop = round(width / want)
        image = image[(height - crop) // 2 : (height - crop) // 2 + crop]
    shrinking = image.shape[1] > target.width
    resized = cv2.resize(
        image,
        (target.width, target.height),
        interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC,
    )
    return resized.reshape(target.height, target.width, -1)


def match_layout(image: np.ndarray, target: FrameLayout, what: str) -> np.ndarray:
    """Converts an RGB(A)/grey float [0, 1] or uint image to `target`'s channels and depth."""
    if target.sample_format == "float":  # stills are display-referred: [0, 1] as it is
        scale = 1.0 if image.dtype.kind == "f" else 1.0 / np.iinfo(image.dtype).max
        image = (image * np.float32(scale)).astype(target.dtype)
    elif image.dtype.kind == "f":
        image = np.clip(np.rint(image * target.max_value), 0, target.max_value).astype(target.dtype)
    elif image.dtype != target.dtype:
        if target.bit_depth == 16:
            image = image.astype(np.uint16) * 257
        else:
            image = (image >> 8).astype(np.uint8)
    channels = image.shape[2]
    if channels == target.channels:
        return np.ascontiguousarray(image)
    if target.channels == 4 and channels == 3:
        alpha = np.full(image.shape[:2] + (1,), target.max_value, dtype=target.dtype)
        return np.concatenate([image, alpha], axis=2)
    if target.channels == 3 and channels in (1, 4):
        return np.ascontiguousarray(
            np.repeat(image, 3, axis=2) if channels == 1 else image[..., :3]
        )
    raise InvalidInputError(f"{what} has {channels} channels; the source has {target.channels}")
