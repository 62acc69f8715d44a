"""SparkVSR on a GPU: the engine against the plain procedure of the reference release, side by side.

Full-size architecture (CogVideoX1.5-5B-I2V transformer and VAE configs), random weights: speed
does not depend on the weights. One chunk per run (49 frames), bf16, guidance 1 (one pass), one
keyframe, the posterior's mode (no sampling noise, so outputs compare).

plain:    the release's default way: whole frames, diffusers' default VAE tiling (240x360) and
          frame batches, PyTorch's GroupNorm and attention choice, no cuDNN autotuning.
fast:     the engine's kernels (WideGroupNorm, the attention backend given) with plain's tile
          geometry: its frames must match plain's within bf16 noise (the equal-output figure).
engine:   SparkVSREngine.upscale_chunk: geometry chosen from free memory (transformer tiles,
          exact VAE tiles), host copies and blending included; its difference from `fast` is
          what the geometry change does (random weights amplify it).

Run (on the device): python benchmarks/bench_sparkvsr_gpu.py --resolution 1080p 4k --clip-windows 2
Prints, per size, seconds per output frame, the stage breakdown, peak memory, the speed-ups and the
output differences, then a summary table of all; asserts nothing. --attention-bench first times
the SDPA backends (and FlashAttention 4 where installed) on the shape.

--clip-windows N instead times a whole clip of N engine windows (49 frames, 8 shared), one
keyframe at its start, 8-bit frames in and out: `plain` runs the release's procedure window by
window (each window after the first keyed by the previous one's output, as the engine carries it
forward); `engine` is the library's run_job with the engine (host copies, carried keyframes,
blending and conversions included). Prints frames per second of each and their ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel
from torch.nn.attention import SDPBackend, sdpa_kernel

from sparkvsr.engines import EngineChunk
from sparkvsr.engines._descriptions import SPARKVSR_ENGINE_INFO
from sparkvsr.engines.sparkvsr import SparkVSREngine, SparkVSRPipeline, SparkVSRSettings
from sparkvsr.engines.sparkvsr._attention import FlashAttention4, flash_attention_4
from sparkvsr.engines.sparkvsr._engine import configure_vae_for_device
from sparkvsr.engines.sparkvsr._memory import tokens
from sparkvsr.engines.sparkvsr._release import SCHEDULER_CONFIG, TRANSFORMER_CONFIG, VAE_CONFIG
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr.window_plan import ChunkPlan

SIZES = {"1080p": (270, 480), "4k": (540, 960)}
BACKENDS = {
    "flash": SDPBackend.FLASH_ATTENTION,
    "cudnn": SDPBackend.CUDNN_ATTENTION,
    "efficient": SDPBackend.EFFICIENT_ATTENTION,
}
DEFAULT_VAE_TILE = (240, 360)  # diffusers' default: sample size 480x720 halved


def build_pipeline() -> SparkVSRPipeline:
    with torch.device("cuda"):
        transformer = CogVideoXTransformer3DModel(**TRANSFORMER_CONFIG).to(torch.bfloat16).eval()
        vae = AutoencoderKLCogVideoX(**VAE_CONFIG).to(torch.bfloat16).eval()
    prompt = torch.randn(1, 226, 4096, device="cuda", dtype=torch.bfloat16)
    pipeline = SparkVSRPipeline(transformer, vae, CogVideoXDPMScheduler(**SCHEDULER_CONFIG), prompt)
    pipeline.sample_posterior = False
    return pipeline


def whole_frames(pipeline, frames, key):
    return pipeline(frames, {0: key}, 1.0).cpu()


def through_engine(engine: SparkVSREngine):
    def run(pipeline, frames, key):
        chunk = EngineChunk(
            frames.permute(0, 2, 3, 1).numpy(), (), 4, carried_output=key.permute(1, 2, 0).numpy()
        )
        return torch.from_numpy(engine.upscale_chunk(chunk)).permute(0, 3, 1, 2)

    return run


def timed(label, run, pipeline, frames, key, warmup: bool) -> dict:
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
    print(f"{label} done in {seconds:.1f} s", flush=True)
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


def attention_bench(token_count: int) -> dict[str, float]:
    """TFLOP/s of each SDPA backend, and of FlashAttention 4 where installed, on the
    transformer's attention shape (48 heads of 64), with the largest difference from cuDNN's
    output."""
    q, k, v = (
        torch.randn(1, 48, token_count, 64, device="cuda", dtype=torch.bfloat16) for _ in range(3)
    )
    flops = 4 * token_count**2 * 64 * 48
    contexts = {name: (lambda b=backend: sdpa_kernel([b])) for name, backend in BACKENDS.items()}
    kernel = flash_attention_4()
    if kernel is not None:
        contexts["flash4"] = lambda: FlashAttention4(kernel)
    rates, outputs = {}, {}
    for name, context in contexts.items():
        try:
            with context():
                outputs[name] = F.scaled_dot_product_attention(q, k, v)
                torch.cuda.synchronize()
                start = time.perf_counter()
                for _ in range(3):
                    F.scaled_dot_product_attention(q, k, v)
                torch.cuda.synchronize()
            rates[name] = flops * 3 / (time.perf_counter() - start) / 1e12
        except RuntimeError as error:
            print(f"attention {name}: {str(error).splitlines()[0]}")
    print(
        f"attention over {token_count} tokens: "
        + ", ".join(f"{n} {r:.0f} TFLOP/s" for n, r in rates.items()),
        flush=True,
    )
    if "cudnn" in outputs:
        for name, out in outputs.items():
            print(f"  {name} vs cudnn: relative difference {relative(out, outputs['cudnn']):.2e}")
    return rates


def relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.float() - b.float()).norm() / b.float().norm())


def report(results: list[dict]) -> None:
    print(
        f"\n{'':<22} {'s/frame':>8} {'total s':>8} {'encode':>7} {'transf.':>7} {'decode':>7} "
        f"{'peak GiB':>8}"
    )
    for r in results:
        print(
            f"{r['label']:<22} {r['per_frame']:8.3f} {r['seconds']:8.1f} {r['encode']:7.1f} "
            f"{r['transformer']:7.1f} {r['decode']:7.1f} {r['peak_gib']:8.1f}"
        )
    plain = results[0]
    for r in results[1:]:
        print(
            f"{r['label']}/plain: total {plain['seconds'] / r['seconds']:.2f}x, encode "
            f"{plain['encode'] / r['encode']:.2f}x, transformer "
            f"{plain['transformer'] / r['transformer']:.2f}x, decode "
            f"{plain['decode'] / r['decode']:.2f}x; output relative difference from plain "
            f"{relative(r['out'], plain['out']):.2e}"
        )
    if len(results) == 3:
        print(
            f"geometry change ({results[2]['label']} vs {results[1]['label']}): relative "
            f"difference {relative(results[2]['out'], results[1]['out']):.2e}"
        )


def clip_throughput(
    pipeline: SparkVSRPipeline, windows: int, height: int, width: int, warmup: bool
) -> dict[str, float]:
    """Frames per second over a clip of `windows` engine windows: plain window by window, then
    the engine through run_job (the pipeline is left configured as the engine's); `warmup`
    first runs each side's first window untimed (one-time CUDA costs)."""
    length, overlap = SPARKVSR_ENGINE_INFO.chunk_length, SPARKVSR_ENGINE_INFO.chunk_overlap
    count = length + (windows - 1) * (length - overlap)
    rng = np.random.default_rng(0)
    low = rng.integers(0, 256, (count, height, width, 3), np.uint8)
    key = rng.integers(0, 256, (height * 4, width * 4, 3), np.uint8)
    chunks = ChunkPlan(count, length, overlap)
    print(f"clip of {count} frames in {len(chunks)} windows", flush=True)

    def plain(chunks=chunks) -> None:
        carried = torch.from_numpy(key).permute(2, 0, 1) / 255
        for i, chunk in enumerate(chunks):
            frames = torch.from_numpy(low[chunk.start : chunk.stop]).permute(0, 3, 1, 2) / 255
            out = pipeline(frames, {0: carried}, 1.0).clamp(0, 1).cpu()
            (out * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()  # frames to write
            if i + 1 < len(chunks):  # the next window's first frame, carried forward
                carried = out[chunks[i + 1].start - chunk.start]

    def engine_run(frame_count=count) -> None:
        spec = JobSpec(frame_count, FrameLayout(width, height, 3, 8), engine="sparkvsr",
                       keyframe_indices=(0,))  # fmt: skip
        items = [Keyframe(0, key), *(SourceFrame(i, f) for i, f in enumerate(low[:frame_count]))]
        for _ in run_job(spec, engine, items):
            pass

    torch.backends.cudnn.benchmark = False
    pipeline.configure_vae(tile=DEFAULT_VAE_TILE)
    if warmup:
        plain(chunks[:1])
    rates = {"plain": count / timed_once(plain)}
    print(f"plain {rates['plain']:.3f} frames/s", flush=True)
    configure_vae_for_device(pipeline)
    engine = SparkVSREngine(SparkVSRSettings(device=str(pipeline.device)), pipeline)
    if warmup:
        engine_run(length)
    rates["engine"] = count / timed_once(engine_run)
    print(f"engine {rates['engine']:.3f} frames/s")
    print(f"clip throughput engine/plain: {rates['engine'] / rates['plain']:.2f}x", flush=True)
    return rates


def timed_once(run) -> float:
    synchronize()
    start = time.perf_counter()
    run()
    synchronize()
    return time.perf_counter() - start


def synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def compare_chunk(resolution: str, args) -> list[dict]:
    """plain, fast (plain geometry) and engine on one chunk, each on a fresh pipeline's
    kernels where it matters (the engine's kernel swaps cannot be undone)."""
    height, width = SIZES[resolution]
    generator = torch.Generator().manual_seed(0)
    frames = torch.rand(args.frames, 3, height, width, generator=generator)
    key = torch.rand(3, height * 4, width * 4, generator=generator)
    print(f"{resolution}: {args.frames} frames {width}x{height} -> {width * 4}x{height * 4}")
    if args.attention_bench:
        attention_bench(tokens(args.frames, height + height % 4, width) + 226)
    pipeline = build_pipeline()

    torch.backends.cudnn.benchmark = False
    pipeline.configure_vae(tile=DEFAULT_VAE_TILE)
    results = [timed("plain", whole_frames, pipeline, frames, key, args.warmup)]

    configure_vae_for_device(pipeline)  # the engine's kernels ...
    pipeline.configure_vae(tile=DEFAULT_VAE_TILE)  # ... with plain's geometry
    pipeline.attention_backends = [BACKENDS[args.attention]] if args.attention else None
    results.append(timed("fast, plain geometry", whole_frames, pipeline, frames, key, args.warmup))

    if not args.skip_engine:
        configure_vae_for_device(pipeline)
        engine = SparkVSREngine(SparkVSRSettings(device="cuda"), pipeline)
        rows, cols = engine.plan_tiles(args.frames, height + height % 4, width)
        vae = pipeline.vae_tiling_for(len(rows[0]) * 4, len(cols[0]) * 4)
        label = f"engine {len(rows)}x{len(cols)}t vae {vae.height}x{vae.width}"
        results.append(timed(label, through_engine(engine), pipeline, frames, key, args.warmup))
    report(results)
    del pipeline
    torch.cuda.empty_cache()
    return results


def summary(chunks: dict[str, list[dict]], clip: dict[str, float] | None) -> None:
    """The closing table: per size, plain and engine seconds, their ratio, the engine's stages,
    and the equal-output figure (fast path vs plain at plain's geometry)."""
    print(f"\nsummary on {torch.cuda.get_device_name()}, torch {torch.__version__}")
    print("| size | plain s | engine s | ratio | engine enc / transf. / dec s | fast ratio | "
          "fast vs plain |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for resolution, results in chunks.items():
        plain, fast, engine = results[0], results[1], results[-1]
        print(
            f"| {resolution} chunk | {plain['seconds']:.1f} | {engine['seconds']:.1f} | "
            f"{plain['seconds'] / engine['seconds']:.2f}x | {engine['encode']:.1f} / "
            f"{engine['transformer']:.1f} / {engine['decode']:.1f} | "
            f"{plain['seconds'] / fast['seconds']:.2f}x | "
            f"{relative(fast['out'], plain['out']):.1e} |"
        )
    if clip:
        print(
            f"| clip (frames/s) | {clip['plain']:.3f} | {clip['engine']:.3f} | "
            f"{clip['engine'] / clip['plain']:.2f}x | | | |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", nargs="+", choices=sorted(SIZES), default=["1080p"])
    parser.add_argument("--frames", type=int, default=49)
    parser.add_argument("--warmup", action="store_true", help="run each procedure once untimed")
    parser.add_argument("--attention", choices=sorted(BACKENDS), help="SDPA backend tried first")
    parser.add_argument("--attention-bench", action="store_true")
    parser.add_argument("--skip-engine", action="store_true", help="plain and fast only")
    parser.add_argument("--clip-windows", type=int, help="also time a clip of this many windows")
    parser.add_argument("--clip-only", action="store_true", help="only the clip")
    args = parser.parse_args()
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    chunks = {}
    if not args.clip_only:
        for resolution in args.resolution:
            chunks[resolution] = compare_chunk(resolution, args)
    clip = None
    if args.clip_windows:
        height, width = SIZES[args.resolution[0]]
        clip = clip_throughput(build_pipeline(), args.clip_windows, height, width, args.warmup)
    summary(chunks, clip)


if __name__ == "__main__":
    main()
