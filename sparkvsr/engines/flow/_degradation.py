"""The degradation that made the source, measured on keyframes, and output made consistent with it.

A keyframe and its source frame show how the source was made: Gaussian blur (sigma in output
pixels) then area downscale. Knowing that, each output frame is corrected so that degrading it
gives back its source frame (back-projection): the source frame is exact information, and any
carried detail that disagrees with it, or blur the base kept, is pulled back towards it.
"""

from __future__ import annotations

import cv2
import numpy as np

from sparkvsr.engines.flow._image import blur, upscale

# Blur sigmas (output pixels) tried when measuring the degradation; 0 is a plain area downscale.
CANDIDATE_SIGMAS = tuple(np.round(np.arange(0.0, 2.51, 0.25), 2))
# Side (source pixels) of the central crop the measurement uses: enough pixels for a stable
# figure, few enough to stay cheap at any frame size.
MEASURE_CROP = 96


def degrade(image: np.ndarray, scale: int, sigma: float) -> np.ndarray:
    """(H*s, W*s, C) -> (H, W, C): Gaussian blur of `sigma` output pixels, then area downscale."""
    height, width = image.shape[0] // scale, image.shape[1] // scale
    blurred = blur(image, sigma) if sigma > 0 else image
    small = cv2.resize(blurred, (width, height), interpolation=cv2.INTER_AREA)
    return small.reshape(height, width, image.shape[2])


def _central_crop(hr: np.ndarray, lr: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    height, width = lr.shape[:2]
    size_y, size_x = min(height, MEASURE_CROP), min(width, MEASURE_CROP)
    top, left = (height - size_y) // 2, (width - size_x) // 2
    low = lr[top : top + size_y, left : left + size_x]
    high = hr[top * scale : (top + size_y) * scale, left * scale : (left + size_x) * scale]
    return high, low


def measure_blur(hr: np.ndarray, lr: np.ndarray, scale: int) -> tuple[float, float]:
    """The candidate blur sigma under which `hr` degrades closest to `lr` (a central crop), and
    the mean squared error left at it: the source's own noise and compression, per sample."""
    high, low = _central_crop(hr, lr, scale)
    # Borders see the blur's padding: compare the inside only.
    margin = 2 if min(low.shape[:2]) > 8 else 0
    inner = (slice(margin, low.shape[0] - margin), slice(margin, low.shape[1] - margin))
    errors = [
        float(np.mean((degrade(high, scale, sigma)[inner] - low[inner]) ** 2))
        for sigma in CANDIDATE_SIGMAS
    ]
    best = int(np.argmin(errors))
    return float(CANDIDATE_SIGMAS[best]), errors[best]


def back_project(
    image: np.ndarray,
    lr: np.ndarray,
    scale: int,
    sigma: float,
    iterations: int,
    noise_power: float = 0.0,
) -> np.ndarray:
    """`image` corrected so that degrading it (blur `sigma`, area downscale) gives `lr`. The part
    of the mismatch expected to be the source's own noise (`noise_power`, a mean square) is not
    put back: each correction is scaled by the share of the mismatch above it."""
    for _ in range(iterations):
        residual = lr - degrade(image, scale, sigma)
        power = float(np.mean(residual**2))
        gain = max(0.0, 1.0 - noise_power / power) if power > 0 else 0.0
        image = image + upscale(residual * np.float32(gain), scale)
    return image
