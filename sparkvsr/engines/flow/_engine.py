"""The flow engine: keyframe detail carried by optical flow, made consistent with each source."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np

from sparkvsr.engines._base import Engine, EngineChunk
from sparkvsr.engines._descriptions import FLOW_ENGINE_INFO
from sparkvsr.engines.flow._degradation import back_project, measure_blur
from sparkvsr.engines.flow._image import blind_base, clip_to_light, upscale, warp
from sparkvsr.engines.flow._motion import Motion, MotionEstimator, MotionFrame
from sparkvsr.engines.flow._settings import FlowSettings


@dataclass(frozen=True)
class _PreparedKeyframe:
    offset: int
    detail: np.ndarray
    """The HR keyframe minus the bicubic upscale of its source frame, (H*s, W*s, C)."""
    motion: MotionFrame
    blur_sigma: float
    """The blur (output pixels) that, with the area downscale, made its source frame."""
    noise_power: float
    """Mean square of what that degradation does not explain: the source's noise."""


class FlowEngine(Engine):
    """Keyframe propagation by dense optical flow (OpenCV DIS), deterministic and CPU-only."""

    info = FLOW_ENGINE_INFO

    def __init__(self, settings: FlowSettings | None = None):
        self.settings = settings or FlowSettings()
        self._motion = MotionEstimator(self.settings)

    def output_identity(self, chunk: EngineChunk) -> str:
        # Workers change how fast, never what: windows made with any count are the same.
        return repr(replace(self.settings, workers=1))

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        frames, scale = chunk.frames, chunk.scale
        keyframes = [self._prepare(key.offset, key.hr, key.lr, scale) for key in chunk.keyframes]
        out = np.empty(
            (len(frames), frames.shape[1] * scale, frames.shape[2] * scale, frames.shape[3]),
            dtype=np.float32,
        )
        # Frames depend only on their keyframes, so they run side by side (OpenCV and numpy
        # release the GIL); each lands in its own slot, so the result does not depend on order.
        with ThreadPoolExecutor(max_workers=min(self.settings.workers, len(frames))) as pool:
            for t, image in enumerate(
                pool.map(
                    lambda t: self._upscale_frame(t, frames[t], keyframes, scale),
                    range(len(frames)),
                )
            ):
                out[t] = image
        return out

    def _prepare(
        self, offset: int, hr: np.ndarray, lr: np.ndarray, scale: int
    ) -> _PreparedKeyframe:
        # Detail is measured against the plain bicubic upscale of the keyframe's own source
        # frame: what the frame it is carried to gets as its base, so the keyframe reproduces
        # itself and sharpening never adds up twice.
        detail = hr - upscale(lr, scale)
        return _PreparedKeyframe(
            offset, detail, self._motion.frame(lr), *measure_blur(hr, lr, scale)
        )

    def _upscale_frame(self, t, frame, keyframes, scale) -> np.ndarray:
        for key in keyframes:
            if key.offset == t:
                # The keyframe itself is ground truth for its frame: nothing else is mixed in.
                return clip_to_light(upscale(frame, scale) + key.detail, frame)
        guides = _nearest_on_each_side(t, keyframes, self.settings.reach)
        matches = self._matches(t, frame, guides) if guides else []
        if not matches:
            return blind_base(frame, scale, self.settings.blind_base)
        out = upscale(frame, scale)
        out += self._carried_detail(matches, out.shape[:2])
        nearest = min((key for key, _ in matches), key=lambda k: (abs(k.offset - t), k.offset))
        iterations = self.settings.back_projection_iterations
        out = back_project(out, frame, scale, nearest.blur_sigma, iterations, nearest.noise_power)
        return clip_to_light(out, frame)

    def _matches(self, t, frame, keyframes) -> list[tuple[_PreparedKeyframe, Motion]]:
        """The keyframes whose motion onto frame `t` can be trusted somewhere (none from
        another shot), with that motion."""
        target = self._motion.frame(frame)
        found = []
        for key in keyframes:
            weight = float(np.exp(-abs(key.offset - t) / self.settings.temporal_falloff))
            motion = self._motion.match(target, key.motion, weight)
            if motion is not None:
                found.append((key, motion))
        return found

    def _carried_detail(self, matches, shape: tuple[int, int]) -> np.ndarray:
        """The keyframes' detail moved onto the frame: a confidence-weighted mean where
        confidence adds up to 1 or more, fading to none below."""
        total = np.maximum(sum(motion.confidence for _, motion in matches), 1.0)
        detail = None
        for key, motion in matches:
            # Shares are worked out at motion resolution, where they are cheap.
            share = cv2.resize(motion.confidence / total, (shape[1], shape[0]))
            # Bicubic: linear interpolation would soften the very detail being carried.
            moved = warp(key.detail, motion.flow, cv2.INTER_CUBIC)
            moved *= share[..., None]
            detail = moved if detail is None else np.add(detail, moved, out=detail)
        return detail


def _nearest_on_each_side(t: int, keyframes: list[_PreparedKeyframe], reach: int):
    """The nearest keyframe before frame `t` and the nearest after it, within `reach`: a farther
    one on the same side shows the same content through more motion, so it adds cost, not
    information."""
    before = [k for k in keyframes if t - reach <= k.offset < t]
    after = [k for k in keyframes if t < k.offset <= t + reach]
    return ([max(before, key=lambda k: k.offset)] if before else []) + (
        [min(after, key=lambda k: k.offset)] if after else []
    )
