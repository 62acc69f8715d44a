"""The plain keyframe-propagation baseline of issue #12, to measure the flow engine against.

DIS optical flow (medium preset) between bicubic-upscaled frames; each keyframe's detail
(keyframe minus its own degraded-then-bicubic-upscaled version) warped to the frame, weighted by
forward-backward consistency exp(-e^2/2) and by exp(-|t-k|/24), added to the bicubic frame. Where
the weights of several keyframes add up to more than 1 they are normalised (a weighted mean), so
two agreeing keyframes do not add their detail twice.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

TEMPORAL_FALLOFF_FRAMES = 24.0


def bicubic(low: np.ndarray, scale: int) -> np.ndarray:
    """Float32 bicubic upscale of one uint8 RGB frame, unclipped."""
    return cv2.resize(low, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC).astype(
        np.float32
    )


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    return cv2.remap(
        image,
        grid_x + flow[..., 0],
        grid_y + flow[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.clip(image + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)


def propagate(
    low: np.ndarray,
    keyframes: dict[int, np.ndarray],
    scale: int,
    degrade_one: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Upscaled uint8 frames of `low` (T, H, W, 3); `keyframes` maps frame index to the HR image,
    `degrade_one` is the degradation that made the low-resolution frames."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    prepared = {}
    for k, hr in keyframes.items():
        up = bicubic(degrade_one(hr), scale)
        prepared[k] = (hr.astype(np.float32) - up, _grey(up))
    out = np.empty((len(low), *keyframes[next(iter(keyframes))].shape), dtype=np.uint8)
    for t, frame in enumerate(low):
        if t in keyframes:
            out[t] = keyframes[t]
            continue
        up = bicubic(frame, scale)
        grey = _grey(up)
        detail = np.zeros_like(up)
        total = np.zeros(up.shape[:2] + (1,), dtype=np.float32)
        for k, (key_detail, key_grey) in prepared.items():
            to_key = dis.calc(grey, key_grey, None)
            from_key = dis.calc(key_grey, grey, None)
            error = np.linalg.norm(to_key + _warp(from_key, to_key), axis=2)
            weight = np.exp(-(error**2) / 2) * np.exp(-abs(t - k) / TEMPORAL_FALLOFF_FRAMES)
            detail += weight[..., None] * _warp(key_detail, to_key)
            total += weight[..., None]
        out[t] = np.clip(up + detail / np.maximum(total, 1.0) + 0.5, 0, 255).astype(np.uint8)
    return out
