"""Where the CogVideoX VAE decoder spends its time, and what its knobs change, on one tile.

Full-size VAE config, random weights (speed does not depend on them), bf16, one 13-latent-frame
tile (49 output frames) of 68x120 latents = 544x960 output pixels, tiling off. Side by side in
one process: latent frames per causal decoder step x cuDNN autotuning, a profile of the default
(2 latent frames per step), then PyTorch's GroupNorm against WideGroupNorm (time, relative
difference of the decoded frames, and the profile again).

Run (on the device): python benchmarks/bench_vae_decode.py
Prints seconds per decode, output frames per second and peak memory; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import torch
from diffusers import AutoencoderKLCogVideoX

from sparkvsr.engines.sparkvsr._group_norm import use_wide_group_norm
from sparkvsr.engines.sparkvsr._release import VAE_CONFIG


def decode_seconds(vae, latents: torch.Tensor, repeats: int) -> float:
    with torch.no_grad():
        vae.decode(latents)  # warm-up (and cuDNN's autotuning when on)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            vae.decode(latents)
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def profile(vae, latents: torch.Tensor, top: int) -> None:
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    with torch.no_grad(), torch_profile(activities=[ProfilerActivity.CUDA]) as prof:
        vae.decode(latents)
        torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=top))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="2,4", help="latent frames per decoder step")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--top", type=int, default=20, help="rows of the profile table")
    parser.add_argument(
        "--sources", action="store_true", help="only the profile by calling line (WideGroupNorm)"
    )
    args = parser.parse_args()

    with torch.device("cuda"):
        vae = AutoencoderKLCogVideoX(**VAE_CONFIG).to(torch.bfloat16).eval()
    vae.disable_tiling()
    latents = torch.randn(1, 16, 13, 68, 120, device="cuda", dtype=torch.bfloat16)
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")
    if args.sources:
        use_wide_group_norm(vae)
        with torch.no_grad():
            profile_sources(vae, latents, args.top)
        return
    print("latent frames/step | cuDNN autotune | s/decode | output fps | peak GiB")
    baseline = None
    for autotune in (False, True):
        torch.backends.cudnn.benchmark = autotune
        for step in (int(s) for s in args.steps.split(",")):
            vae.num_latent_frames_batch_size = step
            torch.cuda.reset_peak_memory_stats()
            try:
                seconds = decode_seconds(vae, latents, args.repeats)
            except torch.OutOfMemoryError:
                print(f"{step} | {autotune} | out of memory")
                torch.cuda.empty_cache()
                continue
            baseline = baseline or seconds
            peak = torch.cuda.max_memory_allocated() / 2**30
            print(
                f"{step} | {autotune} | {seconds:.2f} | {49 / seconds:.1f} | {peak:.1f} "
                f"| {baseline / seconds:.2f}x"
            )
    torch.backends.cudnn.benchmark = False
    vae.num_latent_frames_batch_size = 2
    profile(vae, latents, args.top)

    with torch.no_grad():
        native = vae.decode(latents).sample.float()
    native_seconds = decode_seconds(vae, latents, args.repeats)
    print(f"WideGroupNorm replaces {use_wide_group_norm(vae)} GroupNorms")
    with torch.no_grad():
        wide = vae.decode(latents).sample.float()
    wide_seconds = decode_seconds(vae, latents, args.repeats)
    difference = (torch.linalg.norm(wide - native) / torch.linalg.norm(native)).item()
    print(
        f"GroupNorm {native_seconds:.2f} s, WideGroupNorm {wide_seconds:.2f} s: "
        f"{native_seconds / wide_seconds:.2f}x; relative difference of the frames {difference:.2e}"
    )
    profile(vae, latents, args.top)


if __name__ == "__main__":
    main()
