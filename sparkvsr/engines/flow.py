"""The `flow` engine: blind upscale plus keyframe detail carried by optical flow, on the CPU.

Output = blind base + confidence-weighted detail of nearby keyframes. A keyframe's detail is what
it holds beyond its own degraded copy (area downscale, then the same blind upscale), so colour and
low frequencies come from the target frame and only detail from the keyframe. Motion is estimated
on the low-resolution frames and applied at high resolution; confidence falls with
forward-backward flow disagreement, photometric mismatch and temporal distance, and where it is
zero the output is exactly the blind base.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

import cv2
import numpy as np

from sparkvsr.engines._base import Engine, EngineChunk
from sparkvsr.engines._descriptions import FLOW_ENGINE_INFO
from sparkvsr.errors import InvalidInputError

# A keyframe trusted at fewer pixels than this fraction is taken to be from another shot
# (measured: 0.7 or more within a shot even 48 frames apart, 0 across cuts).
SAME_SHOT_TRUSTED_FRACTION = 0.1
# Confidence below this counts as none.
CONFIDENCE_FLOOR = 0.02
# Strength of the `sharp` blind base's unsharp mask.
SHARPEN_AMOUNT = 0.6

BlindBase = Literal["bicubic", "sharp"]
BLIND_BASES: tuple[str, ...] = get_args(BlindBase)


@dataclass(frozen=True)
class FlowSettings:
    """Tuning of the flow engine."""

    flow_consistency_px: float = 0.75
    """Forward-backward flow disagreement (LR pixels) at which confidence falls to 1/e."""
    photometric_tolerance: float = 0.06
    """Mean absolute difference (0..1) after warping at which confidence falls to 1/e."""
    reach: int = FLOW_ENGINE_INFO.keyframe_reach
    """Frames from a keyframe beyond which it no longer contributes."""
    blind_base: BlindBase = "sharp"
    """Restoration where no keyframe helps: `bicubic`, or `sharp` (bicubic and an unsharp mask)."""
    temporal_blend: float = 0.8
    """Weight of the previous output frame, carried onto each frame like a keyframe, where a
    keyframe is in reach: steadier detail (less flicker) and detail beyond the keyframes' own
    confidence. 0 turns it off."""
    residual_smoothing: float = 1.5
    """Gaussian sigma (LR pixels) separating what the target frame corrects in the carried
    keyframe (colour, light: below it) from what is noise or codec grain in either frame (above
    it, dropped). 0 keeps the target frame's noise."""

    def __post_init__(self) -> None:
        if self.residual_smoothing < 0:
            raise InvalidInputError("residual_smoothing must be >= 0")
        if self.blind_base not in BLIND_BASES:
            raise InvalidInputError(
                f"blind_base must be one of {BLIND_BASES}, got {self.blind_base!r}"
            )
        if not 0 <= self.temporal_blend <= 1:
            raise InvalidInputError("temporal_blend must be within [0, 1]")


@dataclass(frozen=True)
class _PreparedKeyframe:
    offset: int
    detail: np.ndarray  # HR keyframe minus the blind base of its source frame, (H*s, W*s, C)
    lr: np.ndarray  # float32 (H, W, C)
    grey: np.ndarray  # uint8 (H, W), for flow estimation


def _upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Bicubic upscale of an (H, W, C) float32 image, unclipped (also for signed residuals)."""
    height, width = image.shape[:2]
    up = cv2.resize(image, (width * scale, height * scale), interpolation=cv2.INTER_CUBIC)
    return up.reshape(height * scale, width * scale, image.shape[2])


def blind_base(frame: np.ndarray, scale: int, kind: BlindBase = "bicubic") -> np.ndarray:
    """The blind restoration of one frame, clipped to [0, 1]: bicubic, or bicubic with an unsharp
    mask at the scale of the detail the downscale removed."""
    up = _upscale(frame, scale)
    if kind == "sharp":
        up += SHARPEN_AMOUNT * (up - _blur(up, 0.5 * scale))
    return np.clip(up, 0.0, 1.0)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma).reshape(image.shape)


@dataclass(frozen=True)
class _PreviousOutput:
    """The frame before, as the next frame's steadying needs it (computed once per frame)."""

    lr: np.ndarray  # its source frame, float32 (H, W, C)
    grey: np.ndarray  # uint8 (H, W), for flow estimation
    output: np.ndarray  # its output, float32 (H*s, W*s, C)
    holds_detail: bool  # whether the output differs from its blind base beyond 8-bit rounding

    @classmethod
    def of(cls, lr, grey, output, base) -> _PreviousOutput:
        return cls(lr, grey, output, bool(np.abs(output - base).max() > 1.0 / 255))


def _area_down(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(image, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return small.reshape(*shape, image.shape[2])


@dataclass(frozen=True)
class _Motion:
    """Low-resolution motion from a frame to a source frame, and how far it can be trusted."""

    flow: np.ndarray  # (H, W, 2): where each pixel of the frame is in the source
    confidence: np.ndarray  # (H, W) in [0, 1]
    residual: np.ndarray  # frame minus the source moved onto it, (H, W, C)

    def at(self, shape: tuple[int, int], scale: int) -> tuple[np.ndarray, np.ndarray]:
        """Flow (in high-resolution pixels) and confidence (H*s, W*s, 1) at output size."""
        size = (shape[1], shape[0])
        flow = cv2.resize(self.flow, size, interpolation=cv2.INTER_LINEAR) * scale
        confidence = cv2.resize(self.confidence, size, interpolation=cv2.INTER_LINEAR)
        return flow, confidence[..., None]


def _grey(frame: np.ndarray) -> np.ndarray:
    luma = (
        frame.mean(axis=2)
        if frame.shape[2] < 3
        else frame[..., :3] @ np.float32([0.299, 0.587, 0.114])
    )
    return np.clip(luma * 255.0 + 0.5, 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    # Warps run several times per output frame at full resolution: build the grid once per size.
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    grid_x.flags.writeable = grid_y.flags.writeable = False
    return grid_x, grid_y


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Samples `image` at (x, y) + flow(x, y); flow is (H, W, 2) in `image` pixels."""
    height, width = flow.shape[:2]
    grid_x, grid_y = _pixel_grid(height, width)
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
        frames, scale = chunk.frames, chunk.scale
        keyframes = [self._prepare(key.offset, key.hr, key.lr, scale) for key in chunk.keyframes]
        out = np.empty(
            (len(frames), frames.shape[1] * scale, frames.shape[2] * scale, frames.shape[3]),
            dtype=np.float32,
        )
        previous = None
        if chunk.previous is not None:
            lr, output = chunk.previous.lr, chunk.previous.output
            base = blind_base(lr, scale, self.settings.blind_base)
            previous = _PreviousOutput.of(lr, _grey(lr), output, base)
        for t, frame in enumerate(frames):
            out[t], previous = self._upscale_frame(t, frame, keyframes, previous, scale)
        return out

    def _prepare(
        self, offset: int, hr: np.ndarray, lr: np.ndarray, scale: int
    ) -> _PreparedKeyframe:
        # Measured against the blind base of the keyframe's own source frame, the detail matches
        # whatever degraded the source (blur, noise, compression) and reproduces the keyframe.
        detail = hr - blind_base(lr, scale, self.settings.blind_base)
        return _PreparedKeyframe(offset, detail, lr, _grey(lr))

    def _upscale_frame(
        self,
        t: int,
        frame: np.ndarray,
        keyframes: list[_PreparedKeyframe],
        previous: _PreviousOutput | None,
        scale: int,
    ) -> tuple[np.ndarray, _PreviousOutput]:
        """This frame's output, and the same kept for steadying the next frame."""
        base = blind_base(frame, scale, self.settings.blind_base)
        grey = _grey(frame)
        out = self._with_detail(t, frame, grey, base, keyframes, previous, scale)
        return out, _PreviousOutput.of(frame, grey, out, base)

    def _with_detail(self, t, frame, grey, base, keyframes, previous, scale) -> np.ndarray:
        for key in keyframes:
            if key.offset == t:
                # The keyframe itself is ground truth for its frame: nothing else is mixed in.
                return np.clip(base + key.detail, 0.0, 1.0)
        reach = self.settings.reach
        sources = [
            (key, 0.5 + 0.5 * np.cos(np.pi * abs(key.offset - t) / (reach + 1)))
            for key in keyframes
            if abs(key.offset - t) <= reach
        ]
        carried = [self._carry(frame, grey, key, scale, weight) for key, weight in sources]
        carried = [item for item in carried if item is not None]
        out = base
        if carried:
            weighted_detail = np.zeros_like(base)
            total_confidence = np.zeros(base.shape[:2] + (1,), dtype=np.float32)
            for detail, confidence in carried:
                weighted_detail += confidence * detail
                total_confidence += confidence
            # A weighted mean where confidence adds up to 1 or more; a fade to the base below.
            out = base + weighted_detail / np.maximum(total_confidence, 1.0)
        if self.settings.temporal_blend > 0 and previous is not None:
            if carried or previous.holds_detail:
                out = self._steady(frame, grey, out, previous, scale)
        return np.clip(out, 0.0, 1.0)

    def _steady(self, frame, grey, out, previous: _PreviousOutput, scale) -> np.ndarray:
        """Pulls `out` towards the previous output moved onto this frame, where that move is
        trusted: a recursive filter along the motion, so detail does not flicker. Only detail
        comes from the previous output; low frequencies stay those of `out`."""
        motion = self._match(frame, grey, previous.lr, previous.grey, 1.0)
        if motion is None:
            return out
        flow_hr, confidence_hr = motion.at(out.shape[:2], scale)
        moved = _warp(previous.output, flow_hr)
        low_shape = frame.shape[:2]
        difference = _area_down(out, low_shape) - _area_down(moved, low_shape)
        moved += _upscale(_blur(difference, self.settings.residual_smoothing), scale)
        return out + (self.settings.temporal_blend * confidence_hr) * (moved - out)

    def _match(
        self,
        frame: np.ndarray,
        grey: np.ndarray,
        source: np.ndarray,
        source_grey: np.ndarray,
        weight: float,
    ) -> _Motion | None:
        """Where each pixel of `frame` is in `source`, and how far (0..weight) to trust that;
        None where nothing can be trusted (another shot, or no pixel)."""
        settings = self.settings
        to_source = self._flow.calc(grey, source_grey, None)
        from_source = self._flow.calc(source_grey, grey, None)
        round_trip = to_source + _warp(from_source, to_source)
        disagreement = np.sqrt((round_trip**2).sum(axis=2))
        residual = frame - _warp(source, to_source)
        # Smoothed so that sensor noise and codec grain do not read as a mismatch.
        mismatch = cv2.GaussianBlur(np.abs(residual).mean(axis=2), (0, 0), 1.0)
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
        return _Motion(to_source, confidence.astype(np.float32), residual)

    def _carry(
        self, frame: np.ndarray, grey: np.ndarray, key: _PreparedKeyframe, scale: int, weight: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Keyframe detail moved onto this frame and the per-pixel confidence in that move (at
        most `weight`); None where the keyframe cannot help."""
        motion = self._match(frame, grey, key.lr, key.grey, weight)
        if motion is None:
            return None
        flow_hr, confidence_hr = motion.at(key.detail.shape[:2], scale)
        carried = _warp(key.detail, flow_hr)
        if self.settings.residual_smoothing > 0:
            # The base adds the target's whole residual to the keyframe; keep only its smooth part.
            residual = motion.residual
            grain = residual - _blur(residual, self.settings.residual_smoothing)
            carried -= _upscale(grain, scale)
        return carried, confidence_hr
