"""SparkVSR on a GPU: our engine against the plain procedure of the reference release, side by side.

Full-size architecture (CogVideoX1.5-5B-I2V transformer and VAE configs), random weights: speed
does not depend on the weights. One 49-frame chunk per run, bf16, guidance 1 (one pass).

plain: diffusers defaults as the reference runs them: default VAE tiling and frame batches, no
       cuDNN autotuning; at 4K the frame is cut into hard-edged 1920x1080 tiles.
ours:  the engine: VAE sized for the GPU (whole frames or large tiles, larger causal frame batches,
       channels-last 3-D convolutions with cuDNN autotuning); feathered tiles sized from memory.

Run (on the device): python benchmarks/bench_sparkvsr_gpu.py --resolution 1080p
Prints seconds per output frame, the stage breakdown and peak memory; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import torch
from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel

from sparkvsr.engines import EngineChunk
from sparkvsr.engines.sparkvsr import SparkVSREngine, SparkVSRPipeline, SparkVSRSettings
from sparkvsr.engines.sparkvsr._engine import configure_vae_for_device
from sparkvsr.engines.sparkvsr._release import SCHEDULER_CONFIG, TRANSFORMER_CONFIG, VAE_CONFIG

TRANSFORMER, VAE, SCHEDULER = TRANSFORMER_CONFIG, VAE_CONFIG, SCHEDULER_CONFIG
SIZES = {"1080p": (270, 480), "4k": (540, 960)}


def build_pipeline() -> SparkVSRPipeline:
    with torch.device("cuda"):
        transformer = CogVideoXTransformer3DModel(**TRANSFORMER).to(torch.bfloat16).eval()
        vae = AutoencoderKLCogVideoX(**VAE).to(torch.bfloat16).eval()
    prompt = torch.randn(1, 226, 4096, device="cuda", dtype=torch.bfloat16)
    return SparkVSRPipeline(transformer, vae, CogVideoXDPMScheduler(**SCHEDULER), prompt)


def plain(pipeline: SparkVSRPipeline, frames: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    """The reference's way: default VAE settings; hard-cut 1920x1080 tiles above that."""
    pipeline.vae.enable_tiling()  # diffusers' default tile sizes
    tile_h, tile_w = SIZES["1080p"]
    _, _, height, width = frames.shape
    out = torch.empty(frames.shape[0], 3, height * 4, width * 4)
    for top in range(0, height, tile_h):
        for left in range(0, width, tile_w):
            crop = frames[:, :, top : top + tile_h, left : left + tile_w]
            keys = {0: key[:, top * 4 : (top + tile_h) * 4, left * 4 : (left + tile_w) * 4]}
            result = pipeline(crop, keys, 1.0, torch.Generator("cuda").manual_seed(0))
            out[:, :, top * 4 : (top + tile_h) * 4, left * 4 : (left + tile_w) * 4] = result.cpu()
    return out


def ours(engine: SparkVSREngine, frames: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    chunk = EngineChunk(
        frames.permute(0, 2, 3, 1).numpy(),
        (),
        4,
        carried_output=key.permute(1, 2, 0).numpy(),  # one keyframe, as in the plain runs
    )
    return torch.from_numpy(engine.upscale_chunk(chunk)).permute(0, 3, 1, 2)


def configure(pipeline: SparkVSRPipeline, variant: str) -> None:
    if variant == "engine":
        configure_vae_for_device(pipeline)
        return
    tile, sample_batch, latent_batch, channels_last, *extra = variant.split(":")
    pipeline.configure_vae(
        tile=None if tile == "none" else tuple(int(v) for v in tile.split("x")),
        sample_frames_per_batch=int(sample_batch),
        latent_frames_per_batch=int(latent_batch),
        channels_last=channels_last == "1",
        compile_blocks="compile" in extra,
        wide_group_norm="gn" in extra,
    )


def timed(label, run, pipeline, frames, key, warmup: bool):
    torch.cuda.empty_cache()
    if warmup:
        run(pipeline, frames, key)
    pipeline.timings.__init__()
    pipeline.record_timings = True
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    out = run(pipeline, frames, key)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    pipeline.record_timings = False
    t = pipeline.timings
    return {
        "label": label,
        "seconds": seconds,
        "per_frame": seconds / frames.shape[0],
        "encode": t.vae_encode,
        "transformer": t.transformer,
        "decode": t.vae_decode,
        "peak_gib": torch.cuda.max_memory_allocated() / 2**30,
        "out": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resolution", choices=sorted(SIZES), default="1080p")
    parser.add_argument("--frames", type=int, default=49)
    parser.add_argument("--warmup", action="store_true", help="run each procedure once untimed")
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["engine"],
        help="VAE settings to time: 'engine' (what the engine picks for this GPU) or "
        "TILE:SAMPLE_BATCH:LATENT_BATCH:CHANNELS_LAST[:compile][:gn] such as 544x960:8:2:0:gn "
        "(gn: WideGroupNorm)",
    )
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    height, width = SIZES[args.resolution]
    generator = torch.Generator().manual_seed(0)
    frames = torch.rand(args.frames, 3, height, width, generator=generator)
    key = torch.rand(3, height * 4, width * 4, generator=generator)
    pipeline = build_pipeline()
    print(
        f"{torch.cuda.get_device_name()}, {args.frames} frames {width}x{height} -> "
        f"{width * 4}x{height * 4}",
        flush=True,
    )

    torch.backends.cudnn.benchmark = False
    baseline = timed("plain", plain, pipeline, frames, key, args.warmup)
    print(f"plain done in {baseline['seconds']:.1f} s", flush=True)

    engine = SparkVSREngine(SparkVSRSettings(device="cuda"), pipeline)
    results = [baseline]
    for variant in args.variants:
        configure(pipeline, variant)
        result = timed(
            f"ours {variant}",
            lambda p, f, k: ours(engine, f, k),
            pipeline,
            frames,
            key,
            args.warmup,
        )
        print(f"{result['label']} done in {result['seconds']:.1f} s", flush=True)
        results.append(result)
    fast = min(results[1:], key=lambda r: r["seconds"])
    difference = (fast["out"] - baseline["out"]).norm() / baseline["out"].norm()
    print(
        f"\n{'':<28} {'s/frame':>8} {'total s':>8} {'encode':>7} {'transf.':>7} {'decode':>7} "
        f"{'peak GiB':>8}"
    )
    for r in results:
        print(
            f"{r['label']:<28} {r['per_frame']:8.3f} {r['seconds']:8.1f} {r['encode']:7.1f} "
            f"{r['transformer']:7.1f} {r['decode']:7.1f} {r['peak_gib']:8.1f}"
        )
    print(f"best: {fast['label']}")
    print(
        f"speed-up ours/plain: total {baseline['seconds'] / fast['seconds']:.2f}x, encode "
        f"{baseline['encode'] / fast['encode']:.2f}x, transformer "
        f"{baseline['transformer'] / fast['transformer']:.2f}x, decode "
        f"{baseline['decode'] / fast['decode']:.2f}x; output relative difference {difference:.3f}"
    )


if __name__ == "__main__":
    main()
