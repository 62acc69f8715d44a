"""Image quality figures for demos and benchmarks."""

from __future__ import annotations

import numpy as np


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of two same-shaped uint8 or uint16 images."""
    peak = float(np.iinfo(reference.dtype).max)
    error = np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10.0 * np.log10(peak**2 / error)
