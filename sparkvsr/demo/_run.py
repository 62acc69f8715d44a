"""The demo: make a clip, pick keyframes, upscale it x4 with `flow`, and show how well it did."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from sparkvsr.demo._metrics import psnr
from sparkvsr.demo._scene import camera_clip, degrade, sample_photo
from sparkvsr.media import FrameWriter, read_frames, write_still
from sparkvsr.settings import JobSettings
from sparkvsr.specs import FrameLayout
from sparkvsr.upscale_file import FileJob, Progress, upscale_file

SCALE = 4
HR_SIZE = (576, 320)
FRAME_RATE = Fraction(24000, 1001)


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its files and how the upscale scored."""

    source: Path
    output: Path
    comparison: Path
    keyframes: tuple[int, ...]
    psnr_engine: float
    psnr_bicubic: float

    def summary(self) -> str:
        gain = self.psnr_engine - self.psnr_bicubic
        return (
            f"PSNR against ground truth: flow {self.psnr_engine:.2f} dB, bicubic "
            f"{self.psnr_bicubic:.2f} dB ({gain:+.2f} dB), keyframes at {list(self.keyframes)}"
        )


def run_demo(
    out_dir: Path, frame_count: int = 48, keyframe_every: int = 24, progress: Progress | None = None
) -> DemoResult:
    """Writes source.mov, keyframe stills, upscaled.mov and comparison.png under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = _make_truth(frame_count)
    source = out_dir / "source.mov"
    _write_movie(source, degrade(truth, SCALE), codec="prores_4444")
    keyframes = tuple(sorted({*range(0, frame_count, keyframe_every), frame_count - 1}))
    stills = []
    for index in keyframes:
        path = out_dir / f"keyframe_{index:06d}.png"
        write_still(str(path), truth[index])
        stills.append((index, str(path)))
    output = out_dir / "upscaled.mov"
    job = FileJob(
        str(source),
        str(output),
        JobSettings(scale=SCALE, overwrite=True),
        keyframe_stills=tuple(stills),
    )
    upscale_file(job, progress=progress)
    upscaled = np.stack([_to_8bit(frame) for frame in read_frames(str(output))])
    bicubic = np.stack([_bicubic(_to_8bit(frame)) for frame in read_frames(str(source))])
    comparison = out_dir / "comparison.png"
    worst = _frame_farthest_from_keyframes(keyframes, frame_count)
    write_still(
        str(comparison), _side_by_side(bicubic[worst], upscaled[worst], truth[worst], worst)
    )
    return DemoResult(
        source=source,
        output=output,
        comparison=comparison,
        keyframes=keyframes,
        psnr_engine=float(np.mean([psnr(u, t) for u, t in zip(upscaled, truth)])),
        psnr_bicubic=float(np.mean([psnr(b, t) for b, t in zip(bicubic, truth)])),
    )


def _make_truth(frame_count: int) -> np.ndarray:
    ball = cv2.resize(
        sample_photo("astronaut")[60:260, 160:360], (72, 72), interpolation=cv2.INTER_AREA
    )
    return camera_clip(sample_photo("motorcycle"), HR_SIZE, frame_count, seed=3, moving_object=ball)


def _write_movie(path: Path, frames: np.ndarray, codec: str) -> None:
    with FrameWriter(
        str(path),
        FrameLayout.of(frames[0]),
        FRAME_RATE,
        codec=codec,
        start_timecode="01:00:00:00",
        overwrite=True,
    ) as writer:
        for frame in frames:
            writer.write(frame)


def _to_8bit(frame: np.ndarray) -> np.ndarray:
    # ProRes is 10-bit, so the movies decode as 16-bit; the ground truth is 8-bit.
    if frame.dtype == np.uint8:
        return frame
    return np.clip(np.rint(frame / 257.0), 0, 255).astype(np.uint8)


def _bicubic(frame: np.ndarray) -> np.ndarray:
    height, width = frame.shape[:2]
    return cv2.resize(frame, (width * SCALE, height * SCALE), interpolation=cv2.INTER_CUBIC)


def _frame_farthest_from_keyframes(keyframes: tuple[int, ...], frame_count: int) -> int:
    return max(range(frame_count), key=lambda t: min(abs(t - k) for k in keyframes))


def _side_by_side(bicubic, upscaled, truth, index: int) -> np.ndarray:
    """Bicubic | flow | ground truth crops, enlarged 2x so the detail is visible, labelled."""
    height, width = truth.shape[:2]
    top, left = height // 4, width // 3
    crops = []
    for label, image in (("bicubic", bicubic), ("flow engine", upscaled), ("ground truth", truth)):
        crop = image[top : top + height // 2, left : left + width // 3]
        crop = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        crop = np.ascontiguousarray(crop)
        cv2.putText(
            crop,
            f"{label} (frame {index})",
            (8, 24),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.7,
            (255, 255, 0),
            2,
            cv2.LINE_AA,
        )
        crops.append(crop)
    gap = np.full((crops[0].shape[0], 6, 3), 255, dtype=np.uint8)
    return np.concatenate([crops[0], gap, crops[1], gap, crops[2]], axis=1)
