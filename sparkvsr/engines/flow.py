"""The `flow` engine: blind upscale plus keyframe detail carried by optical flow, on the CPU.

Output = blind base + confidence-weighted detail of nearby keyframes. A keyframe's detail is what
it holds beyond its own degraded copy (area downscale, then the same blind upscale), so colour and
low frequencies come from the target frame and only detail from the keyframe. Motion is estimated
on the low-resolution frames and applied at high resolution; confidence falls with
forward-backward flow disagreement, photometric mismatch and temporal distance, and where it is
zero the output is exactly the blind base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import cv2
import numpy as np

from sparkvsr.engines._base import ChunkKeyframe, Engine, EngineChunk
from sparkvsr.engines._registry import FLOW_ENGINE_INFO
from sparkvsr.errors import InvalidInputError

# A keyframe trusted at fewer pixels than this fraction is taken to be from another shot
# (measured: 0.7 or more within a shot even 48 frames apart, 0 across cuts).
SAME_SHOT_TRUSTED_FRACTION = 0.1
# Confidence below this counts as none.
CONFIDENCE_FLOOR = 0.02

DetailSource = Literal["source", "resampled"]
DETAIL_SOURCES: tuple[str, ...] = get_args(DetailSource)


@dataclass(frozen=True)
class FlowSettings:
    """Tuning of the flow engine."""

    flow_consistency_px: float = 0.75
    """Forward-backward flow disagreement (LR pixels) at which confidence falls to 1/e."""
    photometric_tolerance: float = 0.06
    """Mean absolute difference (0..1) after warping at which confidence falls to 1/e."""
    reach: int = FLOW_ENGINE_INFO.keyframe_reach
    """Frames from a keyframe beyond which it no longer contributes."""
    detail_from: DetailSource = "source"
    """What a keyframe's detail is measured against: the blind base of its own source frame
    (matches whatever degraded the source: blur, noise, compression), or the blind base of the
    keyframe's own area downscale (pure high frequencies; keeps a keyframe's colour cast out)."""

    def __post_init__(self) -> None:
        if self.detail_from not in DETAIL_SOURCES:
            raise InvalidInputError(
                f"detail_from must be one of {DETAIL_SOURCES}, got {self.detail_from!r}"
            )


@dataclass(frozen=True)
class _PreparedKeyframe:
    offset: int
    detail: np.ndarray  # HR keyframe minus its degraded copy, float32 (H*s, W*s, C)
    lr: np.ndarray  # float32 (H, W, C)
    grey: np.ndarray  # uint8 (H, W), for flow estimation


def blind_upscale(frame: np.ndarray, scale: int) -> np.ndarray:
    """The blind base: bicubic upscale of an (H, W, C) float32 frame, clipped to [0, 1]."""
    height, width = frame.shape[:2]
    up = cv2.resize(frame, (width * scale, height * scale), interpolation=cv2.INTER_CUBIC)
    return np.clip(up.reshape(height * scale, width * scale, frame.shape[2]), 0.0, 1.0)


def _grey(frame: np.ndarray) -> np.ndarray:
    luma = (
        frame.mean(axis=2)
        if frame.shape[2] < 3
        else frame[..., :3] @ np.float32([0.299, 0.587, 0.114])
    )
    return np.clip(luma * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Samples `image` at (x, y) + flow(x, y); flow is (H, W, 2) in `image` pixels."""
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    warped = cv2.remap(
        image,
        grid_x + flow[..., 0],
        grid_y + flow[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return warped.reshape(height, width, -1) if image.ndim == 3 else warped


class FlowEngine(Engine):
    """Keyframe propagation by dense optical flow (OpenCV DIS), deterministic and CPU-only."""

    info = FLOW_ENGINE_INFO

    def __init__(self, settings: FlowSettings | None = None):
        self.settings = settings or FlowSettings()
        self._flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        # Estimate down to full low-resolution scale: every LR pixel is 4 or more HR pixels, so
        # sub-pixel accuracy here is what keeps the carried detail sharp.
        self._flow.setFinestScale(0)

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        keyframes = [self._prepare(key, chunk.scale) for key in chunk.keyframes]
        frames, scale = chunk.frames, chunk.scale
        out = np.empty(
            (len(frames), frames.shape[1] * scale, frames.shape[2] * scale, frames.shape[3]),
            dtype=np.float32,
        )
        for t, frame in enumerate(frames):
            out[t] = self._upscale_frame(t, frame, keyframes, scale)
        return out

    def _prepare(self, key: ChunkKeyframe, scale: int) -> _PreparedKeyframe:
        height, width = key.lr.shape[:2]
        if self.settings.detail_from == "source":
            degraded = key.lr
        else:
            degraded = cv2.resize(key.hr, (width, height), interpolation=cv2.INTER_AREA)
            degraded = degraded.reshape(height, width, -1)
        detail = key.hr - blind_upscale(degraded, scale)
        return _PreparedKeyframe(key.offset, detail, key.lr, _grey(key.lr))

    def _upscale_frame(
        self, t: int, frame: np.ndarray, keyframes: list[_PreparedKeyframe], scale: int
    ) -> np.ndarray:
        base = blind_upscale(frame, scale)
        for key in keyframes:
            if key.offset == t:
                # The keyframe itself is ground truth for its frame: nothing else is mixed in.
                return np.clip(base + key.detail, 0.0, 1.0)
        grey = _grey(frame)
        carried = [
            self._carry(frame, grey, key, scale, abs(key.offset - t))
            for key in keyframes
            if abs(key.offset - t) <= self.settings.reach
        ]
        carried = [item for item in carried if item is not None]
        if not carried:
            return base
        weighted_detail = np.zeros_like(base)
        total_confidence = np.zeros(base.shape[:2] + (1,), dtype=np.float32)
        for detail, confidence in carried:
            weighted_detail += confidence * detail
            total_confidence += confidence
        # A weighted mean where confidence adds up to 1 or more; a fade to the base below that.
        return np.clip(base + weighted_detail / np.maximum(total_confidence, 1.0), 0.0, 1.0)

    def _carry(
        self, frame: np.ndarray, grey: np.ndarray, key: _PreparedKeyframe, scale: int, distance: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Keyframe detail moved onto this frame and the per-pixel confidence in that move;
        None where the keyframe cannot help (another shot, or no pixel trusted)."""
        settings = self.settings
        to_key = self._flow.calc(grey, key.grey, None)
        from_key = self._flow.calc(key.grey, grey, None)
        round_trip = to_key + _warp(from_key, to_key)
        disagreement = np.sqrt((round_trip**2).sum(axis=2))
        # Smoothed so that sensor noise and codec grain do not read as a mismatch.
        mismatch = np.abs(_warp(key.lr, to_key) - frame).mean(axis=2)
        mismatch = cv2.GaussianBlur(mismatch, (0, 0), 1.0)
        confidence = np.exp(
            -((disagreement / settings.flow_consistency_px) ** 2)
            - (mismatch / settings.photometric_tolerance) ** 2
        )
        if np.count_nonzero(confidence > 0.5) < SAME_SHOT_TRUSTED_FRACTION * confidence.size:
            return None  # almost nothing matches: another shot, and no detail crosses a cut
        confidence *= 0.5 + 0.5 * np.cos(np.pi * distance / (settings.reach + 1))
        # Negligible trust becomes none, so untrusted pixels are exactly the blind base.
        confidence = np.clip((confidence - CONFIDENCE_FLOOR) / (1 - CONFIDENCE_FLOOR), 0.0, 1.0)
        if not confidence.any():
            return None
        height, width = key.detail.shape[:2]
        flow_hr = cv2.resize(to_key, (width, height), interpolation=cv2.INTER_LINEAR) * scale
        confidence_hr = cv2.resize(
            confidence.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR
        )
        return _warp(key.detail, flow_hr), confidence_hr[..., None]
