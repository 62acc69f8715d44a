"""Quality, stability and speed of the `flow` engine on reproducible clips made from real photos.

Each clip is a camera moving (pan, zoom, roll) over a photograph scikit-image ships, with a moving
object, and one clip has a scene cut. Ground truth is degraded (blur, x4 area downscale, noise,
H.264 at low quality); ground-truth frames serve as keyframes every 16, 32, 64 frames, or none.

Run: .venv/bin/python benchmarks/bench_flow_quality.py [--quick]
Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import dataclass

import cv2
import numpy as np

from sparkvsr.demo import camera_clip, degrade, h264_roundtrip, psnr, sample_photo, ssim
from sparkvsr.engines import load_engine
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

SCALE = 4
SIZE = (512, 288)
KEYFRAME_SPACINGS = (16, 32, 64, None)


@dataclass(frozen=True)
class Clip:
    name: str
    truth: np.ndarray
    low: np.ndarray


def _patch(name: str, box: tuple[int, int, int, int], size: int) -> np.ndarray:
    top, left, bottom, right = box
    return cv2.resize(
        sample_photo(name)[top:bottom, left:right], (size, size), interpolation=cv2.INTER_AREA
    )


def make_clips(frames: int) -> list[Clip]:
    ball = _patch("astronaut", (60, 160, 260, 360), 64)
    cup = _patch("coffee", (40, 160, 340, 460), 56)
    pan = camera_clip(
        sample_photo("motorcycle"), SIZE, frames, seed=3, zoom=(1.0, 0.8), moving_object=ball
    )
    roll = camera_clip(
        sample_photo("coffee"),
        SIZE,
        frames,
        seed=5,
        zoom=(0.75, 0.65),
        max_rotation_deg=4.0,
        moving_object=ball,
    )
    half = frames // 2
    cut = np.concatenate(
        [
            camera_clip(sample_photo("hubble_deep_field"), SIZE, half, seed=7, zoom=(0.9, 0.7)),
            camera_clip(
                sample_photo("rocket"),
                SIZE,
                frames - half,
                seed=8,
                zoom=(0.75, 0.7),
                moving_object=cup,
            ),
        ]
    )
    clips = []
    for seed, (name, truth) in enumerate((("pan+zoom", pan), ("roll+zoom", roll), ("cut", cut))):
        low = degrade(truth, SCALE, blur_sigma=1.0, noise_sigma=2.0, seed=seed)
        clips.append(Clip(name, truth, h264_roundtrip(low, crf=26)))
    return clips


def upscale(clip: Clip, keyframes: list[int], engine_name: str = "flow") -> np.ndarray:
    spec = JobSpec(
        len(clip.low), FrameLayout.of(clip.low[0]), scale=SCALE, keyframe_indices=tuple(keyframes)
    )
    items = [Keyframe(k, clip.truth[k]) for k in keyframes]
    items += [SourceFrame(i, f) for i, f in enumerate(clip.low)]
    return np.stack([frame.image for frame in run_job(spec, load_engine(engine_name), items)])


def bicubic(clip: Clip) -> np.ndarray:
    return np.stack(
        [cv2.resize(f, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC) for f in clip.low]
    )


class TemporalReference:
    """Motion between consecutive ground-truth frames, to measure flicker of any output."""

    def __init__(self, truth: np.ndarray):
        flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in truth]
        height, width = grey[0].shape
        self._grid = np.stack(np.meshgrid(np.arange(width), np.arange(height)), -1).astype(
            np.float32
        )
        self._maps, self._valid = [], []
        for a, b in zip(grey, grey[1:]):
            back = flow.calc(b, a, None)  # for each pixel of t+1, where it was at t
            forth = flow.calc(a, b, None)
            position = self._grid + back
            round_trip = back + cv2.remap(
                forth, position[..., 0], position[..., 1], cv2.INTER_LINEAR
            )
            self._maps.append(position)
            # Pixels whose motion is consistent both ways and visible in both frames.
            self._valid.append(np.linalg.norm(round_trip, axis=2) < 0.5)
        self._truth_change = self._changes(truth)

    def _changes(self, frames: np.ndarray) -> list[np.ndarray]:
        changes = []
        for t, (position, valid) in enumerate(zip(self._maps, self._valid)):
            warped = cv2.remap(
                frames[t].astype(np.float32), position[..., 0], position[..., 1], cv2.INTER_LINEAR
            )
            changes.append((frames[t + 1].astype(np.float32) - warped)[valid])
        return changes

    def warp_error(self, frames: np.ndarray) -> float:
        """Mean |frame(t+1) - frame(t) moved by the true motion|, in 8-bit levels."""
        return float(np.mean([np.abs(c).mean() for c in self._changes(frames) if c.size]))

    def flicker(self, frames: np.ndarray) -> float:
        """Mean difference between the output's and the ground truth's temporal change."""
        pairs = zip(self._changes(frames), self._truth_change)
        return float(np.mean([np.abs(c - g).mean() for c, g in pairs if c.size]))


def quality_table(clips: list[Clip]) -> list[dict]:
    rows = []
    for clip in clips:
        temporal = TemporalReference(clip.truth)
        cubic = bicubic(clip)
        base = upscale(clip, [])
        cubic_psnr = [psnr(o, t) for o, t in zip(cubic, clip.truth)]
        for spacing in KEYFRAME_SPACINGS:
            keys = list(range(0, len(clip.low), spacing)) if spacing else []
            out = base if spacing is None else upscale(clip, keys)
            # Keyframes reproduce themselves exactly (infinite PSNR): score only the others.
            scored = [i for i in range(len(clip.low)) if i not in keys]
            out_psnr = [psnr(out[i], clip.truth[i]) for i in scored]
            gains = [p - cubic_psnr[i] for p, i in zip(out_psnr, scored)]
            rows.append(
                {
                    "clip": clip.name,
                    "keyframes": f"every {spacing}" if spacing else "none",
                    "psnr": (
                        np.mean([cubic_psnr[i] for i in scored]),
                        np.mean([psnr(base[i], clip.truth[i]) for i in scored]),
                        np.mean(out_psnr),
                    ),
                    "ssim": tuple(
                        np.mean([ssim(x[i], clip.truth[i]) for i in scored])
                        for x in (cubic, base, out)
                    ),
                    "worst_gain": min(gains),
                    "warp_error": (
                        temporal.warp_error(clip.truth),
                        temporal.warp_error(cubic),
                        temporal.warp_error(out),
                    ),
                    "flicker": (temporal.flicker(cubic), temporal.flicker(out)),
                }
            )
    return rows


def print_quality(rows: list[dict]) -> None:
    print(
        "PSNR dB / SSIM against ground truth over the frames that are not keyframes (bicubic | "
        "blind base | flow);\nworst: the worst frame's PSNR gain over bicubic; warp: error "
        "between consecutive frames along the true motion (truth | bicubic | flow);\ntemporal: "
        "mean |frame-to-frame change of the output - that of the truth| (bicubic | flow)"
    )
    header = (
        f"{'clip':<10} {'keyframes':<9} {'PSNR bic':>8} {'base':>6} {'flow':>6} {'gain':>5} "
        f"{'SSIM bic':>8} {'base':>6} {'flow':>6} {'worst':>6} {'warp gt':>7} {'bic':>5} "
        f"{'flow':>5} {'temp bic':>9} {'flow':>5}"
    )
    print(header)
    for r in rows:
        p, s, w, f = r["psnr"], r["ssim"], r["warp_error"], r["flicker"]
        print(
            f"{r['clip']:<10} {r['keyframes']:<9} {p[0]:8.2f} {p[1]:6.2f} {p[2]:6.2f} "
            f"{p[2] - p[0]:+5.2f} {s[0]:8.4f} {s[1]:6.4f} {s[2]:6.4f} {r['worst_gain']:+6.2f} "
            f"{w[0]:7.2f} {w[1]:5.2f} {w[2]:5.2f} {f[0]:9.2f} {f[1]:5.2f}"
        )
    for spacing in KEYFRAME_SPACINGS:
        label = f"every {spacing}" if spacing else "none"
        group = [r for r in rows if r["keyframes"] == label]
        gain = np.mean([r["psnr"][2] - r["psnr"][0] for r in group])
        worst = min(r["worst_gain"] for r in group)
        # Positive: the flow engine's frame-to-frame changes stray further from the truth's.
        flicker = np.mean([r["flicker"][1] - r["flicker"][0] for r in group])
        print(
            f"overall, keyframes {label:<9}: mean gain {gain:+.2f} dB, worst frame {worst:+.2f} "
            f"dB, temporal error flow - bicubic {flicker:+.2f}"
        )


def seconds_per_1080p_frame(frames: int) -> float:
    """480x270 -> 1920x1080, keyframes every 32 frames, engine time only."""
    truth = camera_clip(
        sample_photo("hubble_deep_field"),
        (1920, 1080),
        frames,
        seed=0,
        zoom=(0.45, 0.4),
        moving_object=_patch("astronaut", (60, 160, 260, 360), 160),
    )
    clip = Clip("1080p", truth, degrade(truth, SCALE, blur_sigma=1.0))
    start = time.perf_counter()
    upscale(clip, list(range(0, frames, 32)))
    return (time.perf_counter() - start) / frames


def peak_memory_mb(frames: int) -> float:
    """Peak Python memory while upscaling a clip streamed frame by frame (960x540 output)."""
    photo = sample_photo("hubble_deep_field")
    layout = FrameLayout(240, 135)
    spec = JobSpec(frames, layout, keyframe_indices=tuple(range(0, frames, 32)))
    truth_cache = {}

    def truth(index):  # rendered on demand, as a decoder would deliver frames
        if index not in truth_cache:
            truth_cache.clear()
            truth_cache[index] = camera_clip(photo, (960, 540), 1, seed=index % 7)[0]
        return truth_cache[index]

    def items():
        for k in spec.keyframe_indices:
            yield Keyframe(k, truth(k))
        for i in range(frames):
            yield SourceFrame(i, degrade(truth(i)[None], SCALE)[0])

    tracemalloc.start()
    for _ in run_job(spec, load_engine("flow"), items()):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter clips, fewer checks")
    args = parser.parse_args()
    frames = 64 if args.quick else 128
    print_quality(quality_table(make_clips(frames)))
    print(
        f"speed: {seconds_per_1080p_frame(16 if args.quick else 48):.3f} s per 1920x1080 output "
        "frame (480x270 in, keyframe every 32)"
    )
    if not args.quick:
        short, long = peak_memory_mb(100), peak_memory_mb(500)
        print(
            f"peak memory streaming 960x540 output: {short:.0f} MiB for 100 frames, "
            f"{long:.0f} MiB for 500 frames (ratio {long / short:.2f})"
        )


if __name__ == "__main__":
    main()
