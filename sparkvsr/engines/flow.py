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

import cv2
import numpy as np

from sparkvsr.engines._base import ChunkKeyframe, Engine, EngineChunk
from sparkvsr.engines._registry import FLOW_ENGINE_INFO


@dataclass(frozen=True)
class FlowSettings:
    """Tuning of the flow engine."""

    flow_consistency_px: float = 0.75
    """Forward-backward flow disagreement (LR pixels) at which confidence falls to 1/e."""
    photometric_tolerance: float = 0.04
    """Mean absolute difference (0..1) after warping at which confidence falls to 1/e."""
    reach: int = FLOW_ENGINE_INFO.keyframe_reach
    """Frames from a keyframe beyond which it no longer contributes."""


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
        degraded = cv2.resize(key.hr, (width, height), interpolation=cv2.INTER_AREA)
        degraded = degraded.reshape(height, width, -1)
        detail = key.hr - blind_upscale(degraded, scale)
        return _PreparedKeyframe(key.offset, detail, key.lr, _grey(key.lr))

    def _upscale_frame(
        self, t: int, frame: np.ndarray, keyframes: list[_PreparedKeyframe], scale: int
    ) -> np.ndarray:
        base = blind_upscale(frame, scale)
        weighted_detail = np.zeros_like(base)
        total_confidence = np.zeros(base.shape[:2] + (1,), dtype=np.float32)
        grey = _grey(frame)
        for key in keyframes:
            if key.offset == t:
                # The keyframe itself is ground truth for its frame: nothing else is mixed in.
                return np.clip(base + key.detail, 0.0, 1.0)
        for key in keyframes:
            distance = abs(key.offset - t)
            if distance > self.settings.reach:
                continue
            detail, confidence = self._carry(frame, grey, key, scale, distance)
            weighted_detail += confidence * detail
            total_confidence += confidence
        # A weighted mean where confidence adds up to 1 or more; a fade to the base below that.
        out = base + weighted_detail / np.maximum(total_confidence, 1.0)
        return np.clip(out, 0.0, 1.0)

    def _carry(
        self, frame: np.ndarray, grey: np.ndarray, key: _PreparedKeyframe, scale: int, distance: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Keyframe detail moved onto this frame, and the per-pixel confidence in that move."""
        to_key = self._flow.calc(grey, key.grey, None)
        from_key = self._flow.calc(key.grey, grey, None)
        round_trip = to_key + _warp(from_key, to_key)
        disagreement = np.sqrt((round_trip**2).sum(axis=2))
        mismatch = np.abs(_warp(key.lr, to_key) - frame).mean(axis=2)
        settings = self.settings
        confidence = np.exp(
            -((disagreement / settings.flow_consistency_px) ** 2)
            - (mismatch / settings.photometric_tolerance) ** 2
        )
        confidence *= 0.5 + 0.5 * np.cos(np.pi * distance / (settings.reach + 1))
        height, width = key.detail.shape[:2]
        flow_hr = cv2.resize(to_key, (width, height), interpolation=cv2.INTER_LINEAR) * scale
        confidence_hr = cv2.resize(
            confidence.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR
        )
        return _warp(key.detail, flow_hr), confidence_hr[..., None]
