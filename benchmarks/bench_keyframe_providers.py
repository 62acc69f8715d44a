"""Speed and quality of the local keyframe provider's models (Real-ESRGAN on ncnn, CPU).

Speed: the seconds each model takes to restore one 640x272 keyframe (a crop of a real photograph
scikit-image ships) to 2560x1088. Quality: PSNR and SSIM against ground truth, where the truth is
a 320x256 crop of each of three real photographs at their own resolution and the keyframe the
model restores is that crop degraded as the flow benchmark degrades its clips (blur, x4 area
downscale, noise, H.264); bicubic is the baseline. Only the wheel's x4 models are measured (the
x2/x3 ones would need a resize to reach x4).

Run: .venv/bin/python benchmarks/bench_keyframe_providers.py [--threads N] [--models a,b]
Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import time

import cv2
import numpy as np

from sparkvsr.demo import degrade, h264_roundtrip, psnr, sample_photo, ssim
from sparkvsr.keyframes._local import REAL_ESRGAN_MODELS, RealESRGAN
from sparkvsr.specs import FrameLayout

SCALE = 4
SPEED_SIZE = (640, 272)
QUALITY_SIZE = (320, 256)
PHOTOS = ("motorcycle", "astronaut", "coffee")


def _crop(photo: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    top, left = (photo.shape[0] - height) // 2, (photo.shape[1] - width) // 2
    return np.ascontiguousarray(photo[top : top + height, left : left + width])


def quality_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """(truth, degraded keyframe) for each photo."""
    pairs = []
    for seed, name in enumerate(PHOTOS):
        truth = _crop(sample_photo(name), QUALITY_SIZE)
        low = degrade(truth[None], SCALE, blur_sigma=1.0, noise_sigma=2.0, seed=seed)
        pairs.append((truth, h264_roundtrip(np.repeat(low, 2, axis=0), crf=26)[0]))
    return pairs


def _layout(width: int, height: int) -> FrameLayout:
    return FrameLayout(width, height, 3, 8)


def _quality(restore, pairs) -> tuple[float, float]:
    """Mean PSNR and SSIM of `restore` over the (truth, keyframe) pairs."""
    scores = []
    for truth, low in pairs:
        restored = restore(low, _layout(truth.shape[1], truth.shape[0]))
        scores.append((psnr(restored, truth), ssim(restored, truth)))
    return float(np.mean([s[0] for s in scores])), float(np.mean([s[1] for s in scores]))


def _bicubic(low: np.ndarray, target: FrameLayout) -> np.ndarray:
    return cv2.resize(low, (target.width, target.height), interpolation=cv2.INTER_CUBIC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--models", default=",".join(REAL_ESRGAN_MODELS))
    args = parser.parse_args()
    pairs = quality_pairs()
    speed_input = _crop(sample_photo("motorcycle"), SPEED_SIZE)
    speed_target = _layout(SPEED_SIZE[0] * SCALE, SPEED_SIZE[1] * SCALE)
    print(
        f"speed: one {SPEED_SIZE[0]}x{SPEED_SIZE[1]} keyframe x{SCALE}, {args.threads} threads; "
        f"quality: mean over {', '.join(PHOTOS)}"
    )
    print(f"{'model':26} {'s/keyframe':>10} {'PSNR dB':>8} {'SSIM':>6}")
    mean_psnr, mean_ssim = _quality(_bicubic, pairs)
    print(f"{'bicubic':26} {'-':>10} {mean_psnr:8.2f} {mean_ssim:6.3f}", flush=True)
    for model in args.models.split(","):
        provider = RealESRGAN(model, threads=args.threads)

        def restore(low, target, provider=provider):
            return provider.provide(0, low, target)

        mean_psnr, mean_ssim = _quality(restore, pairs)
        started = time.perf_counter()
        restore(speed_input, speed_target)
        seconds = time.perf_counter() - started
        print(f"{model:26} {seconds:10.1f} {mean_psnr:8.2f} {mean_ssim:6.3f}", flush=True)


if __name__ == "__main__":
    main()
