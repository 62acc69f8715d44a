"""A reversible encoding of scene-linear light into the diffusion model's [0, 1] range.

The model was trained on display-referred frames in [0, 1]. A window whose samples leave that
range (half floats from a linear compositing script: negatives, highlights of 16) is encoded
with a log-like curve over its own range [low, high] before the model and decoded after:

    encode(x) = log(1 + K (x - low)) / log(1 + K (high - low))
    decode(y) = low + (exp(y log(1 + K (high - low))) - 1) / K

It keeps more of [0, 1] for the shadows and mid-tones than a linear rescale would. Windows
within [0, 1] pass unchanged, so display-referred results do not move.
"""

from __future__ import annotations

import numpy as np

# The curve's bend: 1 + K*(x - low) spans 1..1+K*(high - low); 8 gives a stop of scene light
# about as many codes around mid-grey as a display curve does.
LOG_BEND = 8.0


def light_range(*images: np.ndarray) -> tuple[float, float]:
    """[low, high]: [0, 1] widened to every finite sample of `images` (an infinity, which half
    floats reach past 65504, would make the curve's span infinite and every sample NaN)."""
    extremes = [_finite_extremes(image) for image in images if image.size]
    low = min([0.0, *(low for low, _ in extremes)])
    high = max([1.0, *(high for _, high in extremes)])
    return low, high


def _finite_extremes(image: np.ndarray) -> tuple[float, float]:
    low, high = float(image.min()), float(image.max())  # NaN or infinite if any sample is
    if np.isfinite(low) and np.isfinite(high):
        return low, high
    finite = image[np.isfinite(image)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def encode_light(images: np.ndarray, low: float, high: float) -> np.ndarray:
    """float32 samples in [low, high] (clipped to it) -> [0, 1]; unchanged for a [0, 1] window
    of finite samples. NaN is taken as `low` and infinities as the ends: one such sample (a
    division by zero in a compositing script) would otherwise spread NaN over the whole window
    through the model."""
    if not np.isfinite(images).all():
        images = np.nan_to_num(images, nan=low, posinf=high, neginf=low)
    if (low, high) == (0.0, 1.0):
        return images
    span = np.log1p(LOG_BEND * (high - low))
    shifted = np.clip(images, low, high) - np.float32(low)
    return (np.log1p(LOG_BEND * shifted) / span).astype(np.float32)


def decode_light(images: np.ndarray, low: float, high: float) -> np.ndarray:
    """The inverse of encode_light: [0, 1] -> [low, high]."""
    if (low, high) == (0.0, 1.0):
        return images
    span = np.log1p(LOG_BEND * (high - low))
    return (low + np.expm1(images * span) / LOG_BEND).astype(np.float32)
