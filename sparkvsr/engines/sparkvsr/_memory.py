"""How many spatial tiles a chunk needs, from the device memory one pipeline call takes.

The transformer sees a tile as one sequence, so its tiles change the result (less context per
token); the engine therefore runs whole frames wherever they fit and splits only for memory. The
rotary position grid follows the release (max of the base grid and the tile's), so it never limits
the tile. Pure arithmetic over shapes: no torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sparkvsr.engines.sparkvsr import _plan as plan
from sparkvsr.errors import ResourceExhaustedError
from sparkvsr.specs import FrameRange

# Larger VAE tiles save little (2% from 240x360 to 544x960 on an H100) but cost memory linearly.
MAX_VAE_TILE_PIXELS = 512 * 1024
# The smallest VAE tile a call is planned with (diffusers' default, 240x360 output pixels).
MIN_VAE_TILE_PIXELS = 240 * 360
# Memory left unplanned (allocator fragmentation, cuDNN workspaces).
HEADROOM = 0.85


@dataclass(frozen=True)
class CallCosts:
    """Device bytes of one pipeline call, per unit of work, for one model size.

    Calibrated on an H100 with the full-size model in bf16 (benchmarks/NOTES_sparkvsr_gpu.md):
    a 544x960 VAE tile peaked 18 GiB above a 240x360 one, 44 KB per tile pixel = 16 activations
    of 128 channels x 11 frames in bf16.
    """

    transformer_bytes_per_token: int
    vae_bytes_per_tile_pixel: int
    video_bytes_per_pixel: int
    """Per output pixel and frame: the upscaled input, the decoded frames and their float copies."""

    @classmethod
    def for_model(cls, inner_dim: int, vae_channels: int, vae_frames: int, dtype_bytes: int):
        """Costs from the widths: `inner_dim` of the transformer (heads x head dim), channels and
        frames of the VAE's full-resolution activations."""
        return cls(
            # ~12 hidden-sized activations per block in the dtype + rotary q/k upcast to float32.
            transformer_bytes_per_token=20 * inner_dim * dtype_bytes,
            vae_bytes_per_tile_pixel=16 * vae_channels * vae_frames * dtype_bytes,
            video_bytes_per_pixel=64,
        )

    def call_bytes(self, frames: int, height: int, width: int, vae_pixels: int) -> int:
        """Bytes of a call on `frames` low-resolution frames of `height` x `width` pixels."""
        hr_pixels = height * width * plan.SCALE**2
        return (
            self.transformer_bytes_per_token * tokens(frames, height, width)
            + self.video_bytes_per_pixel * plan.padded_frame_count(frames) * hr_pixels
            + self.vae_bytes_per_tile_pixel * vae_pixels
        )


def tokens(frames: int, height: int, width: int) -> int:
    """Transformer tokens of a call: 2x2x2 patches of the latents (odd latent counts + 1). An LR
    pixel is half a latent pixel (x4, then /8), so a patch covers 4x4 LR pixels."""
    latents = plan.latent_frame_count(plan.padded_frame_count(frames))
    latents += plan.needs_odd_prepend(latents)
    return latents // 2 * (plan.padded_side(height) // 4) * (plan.padded_side(width) // 4)


def vae_tile_pixels(
    budget: int | None, costs: CallCosts | None, frames: int, height: int, width: int
) -> int:
    """The VAE tile area that the memory left by a call on this tile allows: the cap
    (MAX_VAE_TILE_PIXELS) halved until it fits, at least MIN_VAE_TILE_PIXELS; unlimited budgets
    get the cap. Steps rather than every area, so that a budget a little larger or smaller (what
    other processes hold varies) leaves the tiles, and so the frames, as they are."""
    if budget is None or costs is None:
        return MAX_VAE_TILE_PIXELS
    spare = budget * HEADROOM - costs.call_bytes(frames, height, width, 0)
    pixels = MAX_VAE_TILE_PIXELS
    while pixels > MIN_VAE_TILE_PIXELS and pixels * costs.vae_bytes_per_tile_pixel > spare:
        pixels //= 2
    return max(MIN_VAE_TILE_PIXELS, pixels)


def plan_frame_tiles(
    height: int, width: int, frames: int, budget: int | None, costs: CallCosts | None, overlap: int
) -> tuple[tuple[FrameRange, ...], tuple[FrameRange, ...]]:
    """Row and column spans (LR pixels, sides already multiples of 4) of the fewest tiles whose
    calls fit in `budget` bytes; the whole frame when it fits or the budget is None."""
    if budget is None or costs is None:
        return (FrameRange(0, height),), (FrameRange(0, width),)
    candidates = sorted(
        (rows * cols, costs.call_bytes(frames, tile_h, tile_w, 0), tile_h, tile_w)
        for rows, tile_h in _sides(height, overlap)
        for cols, tile_w in _sides(width, overlap)
    )
    for _, _, tile_h, tile_w in candidates:
        if _fits(budget, costs, frames, tile_h, tile_w):
            return plan.plan_tiles(height, tile_h, overlap), plan.plan_tiles(width, tile_w, overlap)
    raise ResourceExhaustedError(
        f"a {width}x{height} chunk of {frames} frames does not fit in {budget / 2**30:.1f} GiB of "
        "device memory even in the smallest tiles: use a shorter chunk_length"
    )


def _sides(size: int, overlap: int) -> list[tuple[int, int]]:
    """(tile count, tile side) for each count that leaves tiles wider than the overlap."""
    sides = [(1, size)]
    for count in range(2, size // plan.LR_MULTIPLE + 1):
        side = _tile_side(size, count, overlap)
        if side <= overlap + plan.LR_MULTIPLE:
            break
        sides.append((count, side))
    return sides


def _fits(budget: int, costs: CallCosts, frames: int, height: int, width: int) -> bool:
    return costs.call_bytes(frames, height, width, MIN_VAE_TILE_PIXELS) <= budget * HEADROOM


def _tile_side(size: int, count: int, overlap: int) -> int:
    """The side (multiple of 4) that covers `size` with `count` tiles overlapping by `overlap`."""
    if count == 1:
        return size
    side = math.ceil((size + (count - 1) * overlap) / count)
    return min(size, plan.padded_side(side))
