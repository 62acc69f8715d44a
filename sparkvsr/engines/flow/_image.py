"""Image operations of the flow engine: resampling, warping, luma and the blind base."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from sparkvsr.engines.flow._settings import BlindBase

# Strength of the `sharp` blind base's unsharp mask.
SHARPEN_AMOUNT = 0.6


def upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Bicubic upscale of an (H, W, C) float32 image, unclipped (also for signed residuals)."""
    height, width = image.shape[:2]
    up = cv2.resize(image, (width * scale, height * scale), interpolation=cv2.INTER_CUBIC)
    return up.reshape(height * scale, width * scale, image.shape[2])


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma).reshape(image.shape)


def clip_to_light(image: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """`image` clipped, in place, to [0, 1] or the wider range of the source `frame`'s own
    values: display-referred frames stay in [0, 1]; scene-linear ones (half floats, values
    below 0 and above 1) keep their light, and only resampling's overshoot is cut."""
    low, high = min(0.0, float(frame.min())), max(1.0, float(frame.max()))
    return np.clip(image, low, high, out=image)


def blind_base(frame: np.ndarray, scale: int, kind: BlindBase = "bicubic") -> np.ndarray:
    """The blind restoration of one frame, clipped to its light's range (clip_to_light):
    bicubic, or bicubic with an unsharp mask at the scale of the detail the downscale removed."""
    up = upscale(frame, scale)
    if kind == "sharp":
        up += SHARPEN_AMOUNT * (up - blur(up, 0.5 * scale))
    return clip_to_light(up, frame)


def luma(frame: np.ndarray) -> np.ndarray:
    """Rec. 601 luma (H, W) float32 of an (H, W, C) frame in [0, 1]; the mean for grey frames."""
    if frame.shape[2] < 3:
        return frame.mean(axis=2, dtype=np.float32)
    return frame[..., :3] @ np.float32([0.299, 0.587, 0.114])


@functools.lru_cache(maxsize=4)
def _pixel_positions(height: int, width: int) -> np.ndarray:
    # Warps run several times per output frame at full resolution: build the grid once per size.
    grid = np.stack(
        np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)),
        axis=-1,
    )
    grid.flags.writeable = False
    return grid


def warp(image: np.ndarray, flow: np.ndarray, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Samples `image` at (x, y) + flow(x, y). The flow, (h, w, 2) in its own pixels, may be
    coarser than the image: it is then resampled to the image's size first."""
    height, width = image.shape[:2]
    if flow.shape[:2] == (height, width):
        positions = flow + _pixel_positions(height, width)
    else:
        positions = resize_flow(flow, (height, width))
        positions += _pixel_positions(height, width)
    warped = cv2.remap(image, positions, None, interpolation, borderMode=cv2.BORDER_REPLICATE)
    return warped.reshape(image.shape)


def resize_flow(flow: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A flow field resampled to `shape` (height, width), its vectors rescaled to match."""
    resized = cv2.resize(flow, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    resized *= np.float32(shape[1] / flow.shape[1])
    return resized
