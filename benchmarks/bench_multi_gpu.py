"""Several GPUs in one server: one job of independent windows on 1 and on 2 GPUs, side by side.

Full-size architecture (CogVideoX1.5-5B-I2V transformer and VAE configs), random weights (speed
does not depend on them), bf16, one worker per GPU each with its own engine, windows scheduled by
the server's WindowScheduler exactly as `sparkvsr serve --devices 0,1` schedules them. Every
window holds a keyframe, so no window continues another and all can run at once.

Run (on a two-GPU machine): python benchmarks/bench_multi_gpu.py [--windows 4] [--frames 17]
Prints seconds for 1 and 2 GPUs, the speed-up (target 1.8x) and whether the bytes agree.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel

from sparkvsr.engines import SPARKVSR_ENGINE_INFO
from sparkvsr.engines.sparkvsr import SparkVSREngine, SparkVSRPipeline, SparkVSRSettings
from sparkvsr.engines.sparkvsr._engine import configure_vae_for_device
from sparkvsr.engines.sparkvsr._release import SCHEDULER_CONFIG, TRANSFORMER_CONFIG, VAE_CONFIG
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr.window_plan import plan_chunks
from sparkvsr_server.scheduling import WindowScheduler


def engine_on(device: str) -> SparkVSREngine:
    """The full-size model with random weights on `device`, set up as the engine sets it up."""
    torch.manual_seed(0)
    with torch.device(device):
        transformer = CogVideoXTransformer3DModel(**TRANSFORMER_CONFIG).to(torch.bfloat16).eval()
        vae = AutoencoderKLCogVideoX(**VAE_CONFIG).to(torch.bfloat16).eval()
    prompt = torch.randn(1, 226, 4096, device=device, dtype=torch.bfloat16)
    pipeline = SparkVSRPipeline(transformer, vae, CogVideoXDPMScheduler(**SCHEDULER_CONFIG), prompt)
    configure_vae_for_device(pipeline)
    return SparkVSREngine(SparkVSRSettings(device=device), pipeline)


def job(windows: int, frames: int, overlap: int, size: tuple[int, int]):
    """A clip of exactly `windows` windows, a keyframe in the middle of each."""
    count = windows * frames - (windows - 1) * overlap
    chunks = plan_chunks(count, frames, overlap)
    assert len(chunks) == windows, chunks
    keys = tuple((c.start + c.stop) // 2 for c in chunks)
    width, height = size
    spec = JobSpec(
        count,
        FrameLayout(width, height),
        4,
        "sparkvsr",
        keys,
        chunk_length=frames,
        chunk_overlap=overlap,
    )
    rng = np.random.default_rng(0)
    items = [Keyframe(k, rng.integers(0, 256, (height * 4, width * 4, 3), np.uint8)) for k in keys]
    items += [
        SourceFrame(i, rng.integers(0, 256, (height, width, 3), np.uint8)) for i in range(count)
    ]
    return spec, items


def timed(scheduler: WindowScheduler, spec: JobSpec, items) -> tuple[float, list[np.ndarray]]:
    start = time.perf_counter()
    frames = [frame.image for frame in scheduler.run(spec, items)]
    for index in range(torch.cuda.device_count()):
        torch.cuda.synchronize(index)
    return time.perf_counter() - start, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=4, help="independent windows (>= 4)")
    parser.add_argument("--frames", type=int, default=17, help="frames per window (4k+1)")
    parser.add_argument("--overlap", type=int, default=4)
    parser.add_argument("--width", type=int, default=480, help="source width (x4 out)")
    parser.add_argument("--height", type=int, default=272, help="source height")
    args = parser.parse_args()
    if torch.cuda.device_count() < 2:
        raise SystemExit(f"needs 2 GPUs; torch sees {torch.cuda.device_count()}")
    torch.backends.cuda.matmul.allow_tf32 = True
    engines = {0: engine_on("cuda:0"), 1: engine_on("cuda:1")}
    spec, items = job(args.windows, args.frames, args.overlap, (args.width, args.height))
    warm_spec, warm_items = job(2, args.frames, args.overlap, (args.width, args.height))
    print(
        f"{torch.cuda.get_device_name(0)} x2; {spec.frame_count} frames {args.width}x"
        f"{args.height} -> x4 in {args.windows} windows of {args.frames}",
        flush=True,
    )
    results = {}
    for gpus in (1, 2):
        devices = [f"cuda:{i}" for i in range(gpus)]
        loaded = {f"cuda:{i}": engines[i] for i in range(gpus)}
        factory = {"sparkvsr": (SPARKVSR_ENGINE_INFO, lambda device, ready=loaded: ready[device])}
        scheduler = WindowScheduler(devices, factory, "sparkvsr")
        scheduler.start()
        try:
            timed(scheduler, warm_spec, warm_items)  # cuDNN/cuBLAS set-up on each device
            results[gpus] = timed(scheduler, spec, items)
        finally:
            scheduler.stop()
        print(f"{gpus} GPU: {results[gpus][0]:.1f} s", flush=True)
    one, two = results[1], results[2]
    same = all(np.array_equal(a, b) for a, b in zip(one[1], two[1]))
    print(f"speed-up 2 GPUs / 1 GPU: {one[0] / two[0]:.2f}x (target 1.8x); same bytes: {same}")


if __name__ == "__main__":
    main()
