"""Image quality figures for demos and benchmarks."""

from __future__ import annotations

import cv2
import numpy as np


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of two same-shaped uint8 or uint16 images."""
    peak = float(np.iinfo(reference.dtype).max)
    error = np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10.0 * np.log10(peak**2 / error)


def ssim(image: np.ndarray, reference: np.ndarray) -> float:
    """Mean structural similarity (Gaussian window, sigma 1.5), averaged over channels."""
    peak = float(np.iinfo(reference.dtype).max)
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    x, y = image.astype(np.float64), reference.astype(np.float64)

    def blur(a):
        return cv2.GaussianBlur(a, (11, 11), 1.5)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    numerator = (2 * mu_x * mu_y + c1) * (2 * cov + c2)
    denominator = (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    return float(np.mean(numerator / denominator))
