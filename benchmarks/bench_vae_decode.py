"""Where the CogVideoX VAE spends its time, and what the engine's kernels change, on one tile.

Full-size VAE config, random weights (speed does not depend on them), bf16, tiling off: decoding
one 13-latent-frame tile (49 output frames) of 68x120 latents = 544x960 output pixels, and
encoding those 49 frames. Side by side in one process, each on a VAE built from the same seed:
diffusers as it is, then each of the engine's kernels added in turn (WideGroupNorm with the
convolution biases by rows; then the fused spatial norm with SiLU folded into every norm). For
each: seconds per decode and per encode, and the relative difference of the decoded frames and
latents from diffusers' own.

Run (on the device): python benchmarks/bench_vae_decode.py
--sources instead profiles one decode with every kernel on, by calling line.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import torch
from diffusers import AutoencoderKLCogVideoX

from sparkvsr.engines.sparkvsr._group_norm import use_wide_group_norm
from sparkvsr.engines.sparkvsr._release import VAE_CONFIG
from sparkvsr.engines.sparkvsr._row_affine import use_row_affine_bias
from sparkvsr.engines.sparkvsr._spatial_norm import use_fused_norms

VARIANTS = {
    "diffusers": (),
    "wide norm + row bias": (use_wide_group_norm, use_row_affine_bias),
    "+ fused norm/SiLU": (use_wide_group_norm, use_row_affine_bias, use_fused_norms),
}


def build_vae(changes) -> AutoencoderKLCogVideoX:
    torch.manual_seed(0)
    with torch.device("cuda"):
        vae = AutoencoderKLCogVideoX(**VAE_CONFIG).to(torch.bfloat16).eval()
    vae.disable_tiling()
    for change in changes:
        change(vae)
    return vae


def seconds(run, repeats: int) -> float:
    run()  # warm-up (kernel compilation, cuDNN plans)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def profile_sources(vae, latents: torch.Tensor, top: int) -> None:
    """The operators with the most GPU time, each with the Python lines that called it: names
    the source of the strided copies (diffusers' causal-conv cat, the samplers' permutes, ...)."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    vae.decode(latents)  # warm-up
    activities = [ProfilerActivity.CPU, ProfilerActivity.CUDA]
    with torch_profile(activities=activities, with_stack=True, record_shapes=True) as prof:
        vae.decode(latents)
        torch.cuda.synchronize()
    averages = prof.key_averages(group_by_stack_n=5)
    print(averages.table(sort_by="self_cuda_time_total", row_limit=top, max_name_column_width=60))


def relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.linalg.norm(a.float() - b.float()) / torch.linalg.norm(b.float()))


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--top", type=int, default=25, help="rows of the profile table")
    parser.add_argument("--sources", action="store_true", help="profile the engine's VAE")
    args = parser.parse_args()
    generator = torch.Generator(device="cuda").manual_seed(1)
    latents = torch.randn(1, 16, 13, 68, 120, device="cuda", generator=generator).bfloat16()
    video = torch.rand(1, 3, 49, 544, 960, device="cuda", generator=generator).bfloat16() * 2 - 1
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    if args.sources:
        profile_sources(build_vae(VARIANTS["+ fused norm/SiLU"]), latents, args.top)
        return
    rows, reference = [], None
    for name, changes in VARIANTS.items():
        vae = build_vae(changes)
        decoded = vae.decode(latents).sample
        encoded = vae.encode(video).latent_dist.mode()
        reference = reference or (decoded, encoded)
        decode = seconds(lambda vae=vae: vae.decode(latents), args.repeats)
        encode = seconds(lambda vae=vae: vae.encode(video), args.repeats)
        rows.append((name, decode, encode, relative(decoded, reference[0]),
                     relative(encoded, reference[1])))  # fmt: skip
        print(rows[-1], flush=True)
        del vae, decoded, encoded
        torch.cuda.empty_cache()
    print(f"\n{'variant':<22} {'decode s':>8} {'x':>5} {'encode s':>8} {'x':>5} "
          f"{'frames diff':>11} {'latents diff':>12}")  # fmt: skip
    for name, decode, encode, frames_diff, latents_diff in rows:
        print(f"{name:<22} {decode:8.2f} {rows[0][1] / decode:5.2f} {encode:8.2f} "
              f"{rows[0][2] / encode:5.2f} {frames_diff:11.2e} {latents_diff:12.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
