"""The demo clip, its metrics and the end-to-end demo run (shared with the benchmarks)."""

from sparkvsr.demo._metrics import psnr, ssim
from sparkvsr.demo._run import DemoResult, run_demo
from sparkvsr.demo._scene import camera_clip, degrade, h264_roundtrip, sample_photo

__all__ = [
    "DemoResult",
    "camera_clip",
    "degrade",
    "h264_roundtrip",
    "psnr",
    "run_demo",
    "sample_photo",
    "ssim",
]
