"""Dense motion between two low-resolution frames and how far each pixel of it can be trusted."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from sparkvsr.engines.flow._image import luma, upscale, warp
from sparkvsr.engines.flow._settings import FlowSettings

# A source trusted at fewer pixels than this fraction is taken to be from another shot
# (measured: 0.7 or more within a shot even 48 frames apart, 0 across cuts).
SAME_SHOT_TRUSTED_FRACTION = 0.1
# Confidence below this counts as none.
CONFIDENCE_FLOOR = 0.02


@dataclass(frozen=True)
class MotionFrame:
    """A low-resolution frame as motion estimation sees it (computed once per frame)."""

    luma: np.ndarray
    """float32 (h, w) at motion resolution, in [0, 1]."""
    grey: np.ndarray
    """The same as uint8, for the optical flow."""


@dataclass(frozen=True)
class Motion:
    """Where each pixel of a frame is in a source frame, and how far to trust that."""

    flow: np.ndarray
    """(h, w, 2) at motion resolution, in its pixels."""
    confidence: np.ndarray
    """(h, w) in [0, 1]."""


class MotionEstimator:
    """Dense optical flow (OpenCV DIS) on upsampled low-resolution frames, checked both ways."""

    def __init__(self, settings: FlowSettings):
        self.settings = settings
        # One estimator per thread: frames of a chunk are upscaled concurrently.
        self._local = threading.local()

    def _flow(self) -> cv2.DISOpticalFlow:
        if not hasattr(self._local, "flow"):
            flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
            # Estimate down to the finest level: every pixel here is several output pixels, so
            # sub-pixel accuracy is what keeps the carried detail sharp.
            flow.setFinestScale(0)
            self._local.flow = flow
        return self._local.flow

    def frame(self, lr: np.ndarray) -> MotionFrame:
        image = luma(lr)[..., None]
        if self.settings.flow_upsampling > 1:
            image = upscale(image, self.settings.flow_upsampling)
        image = np.clip(image[..., 0], 0.0, 1.0)
        return MotionFrame(image, (image * 255.0 + 0.5).astype(np.uint8))

    def match(self, target: MotionFrame, source: MotionFrame, weight: float) -> Motion | None:
        """Motion from `target` to `source`, trusted at most `weight`; None where nothing can be
        trusted (another shot, or no pixel)."""
        settings = self.settings
        flow = self._flow()
        to_source = flow.calc(target.grey, source.grey, None)
        from_source = flow.calc(source.grey, target.grey, None)
        round_trip = to_source + warp(from_source, to_source)
        disagreement = np.sqrt((round_trip**2).sum(axis=2)) / settings.flow_upsampling
        # Smoothed so that sensor noise and codec grain do not read as a mismatch.
        mismatch = cv2.GaussianBlur(
            np.abs(target.luma - warp(source.luma, to_source)), (0, 0), settings.flow_upsampling
        )
        confidence = np.exp(
            -((disagreement / settings.flow_consistency_px) ** 2)
            - (mismatch / settings.photometric_tolerance) ** 2
        )
        if np.count_nonzero(confidence > 0.5) < SAME_SHOT_TRUSTED_FRACTION * confidence.size:
            return None  # almost nothing matches: another shot, and no detail crosses a cut
        confidence *= weight
        # Negligible trust becomes none, so untrusted pixels are exactly the blind base.
        confidence = np.clip((confidence - CONFIDENCE_FLOOR) / (1 - CONFIDENCE_FLOOR), 0.0, 1.0)
        if not confidence.any():
            return None
        return Motion(to_source, confidence.astype(np.float32))
