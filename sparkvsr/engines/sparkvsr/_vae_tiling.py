"""The arithmetic of diffusers' tiled CogVideoX VAE, and VAE tile sizes for which it is exact.

`AutoencoderKLCogVideoX.tiled_encode` steps through the frame every `int(T * (1 - f))` pixels and
keeps `T // 8 - int(T // 8 * f)` latent rows of each tile; `tiled_decode` steps every
`int(T // 8 * (1 - f))` latents and keeps `T - int(T * f)` pixels (T the tile side in pixels, f
the overlap factor: 1/6 across rows, 1/5 across columns). When the step and the kept part differ,
the stitched result has the wrong size (a 4K tile of 2160 rows encoded with 1088-pixel tiles gave
271 latent rows, not 270) or, when the sizes happen to agree, content shifted between tiles (544
shifted every tile by 3 pixels). The functions here mirror that arithmetic line for line (the same
float expressions) so tile sizes can be checked without running the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sparkvsr.engines.sparkvsr import _plan as plan

# diffusers' overlap factors (AutoencoderKLCogVideoX.__init__), kept as they are.
ROW_OVERLAP = 1 / 6
COLUMN_OVERLAP = 1 / 5
# Sides of VAE tiles are multiples of this (whole latent pixels).
TILE_MULTIPLE = plan.SPATIAL_COMPRESSION
# Tiles narrower than diffusers' default (240x360) lose context at their edges.
MIN_TILE_SIDE = 240
# What one more tile costs, as pixels run (launches, the overlap blend, edge effects).
TILE_OVERHEAD_PIXELS = 256 * 256
# diffusers' CogVideoXSafeConv3d cuts any convolution input above 2 GiB (counted as 2 bytes a
# value) into int(GiB / 2) + 1 time slices; the first slice must hold the 3-frame kernel.
_SAFE_CONV_GIB = 2
_KERNEL_FRAMES = 3


@dataclass(frozen=True)
class VaeTiling:
    """VAE tile size in output pixels; None runs whole frames."""

    height: int | None
    width: int | None

    @property
    def tiled(self) -> bool:
        return self.height is not None


def _downsampled(pixels: int, levels: int = 3) -> int:
    """Rows left after the encoder's stride-2 downsamplers (pad 1 at the end, kernel 3)."""
    for _ in range(levels):
        pixels = (pixels - 2) // 2 + 1
    return pixels


def encoded_rows(size: int, tile: int, factor: float) -> int:
    """Latent rows diffusers' tiled_encode makes of `size` pixel rows with `tile`-pixel tiles."""
    step = int(tile * (1 - factor))
    latent_tile = int(tile / plan.SPATIAL_COMPRESSION)
    kept = latent_tile - int(latent_tile * factor)
    return sum(min(kept, _downsampled(min(tile, size - i))) for i in range(0, size, step))


def decoded_rows(latents: int, tile: int, factor: float) -> int:
    """Pixel rows diffusers' tiled_decode makes of `latents` rows with `tile`-pixel tiles."""
    latent_tile = int(tile / plan.SPATIAL_COMPRESSION)
    step = int(latent_tile * (1 - factor))
    kept = tile - int(tile * factor)
    return sum(
        min(kept, min(latent_tile, latents - i) * plan.SPATIAL_COMPRESSION)
        for i in range(0, latents, step)
    )


def tile_is_exact(tile: int, factor: float) -> bool:
    """Whether tiles of this side stitch without gaps or shifts in both directions: each step
    equals what is kept of each tile, in encoding and in decoding."""
    latent_tile = int(tile / plan.SPATIAL_COMPRESSION)
    if tile % TILE_MULTIPLE or latent_tile < 2:
        return False
    encode_step = int(tile * (1 - factor))
    encode_kept = latent_tile - int(latent_tile * factor)
    decode_step = int(latent_tile * (1 - factor))
    decode_kept = tile - int(tile * factor)
    return (
        encode_step == encode_kept * plan.SPATIAL_COMPRESSION
        and decode_step * plan.SPATIAL_COMPRESSION == decode_kept
    )


def safe_conv_fits(pixels: int, channels: int, frames: int) -> bool:
    """Whether diffusers' safe convolution splits a (channels, frames, pixels) input into time
    slices that still hold its kernel (a whole 4K frame does not: 1-frame slices)."""
    gib = channels * frames * pixels * 2 / 2**30
    if gib <= _SAFE_CONV_GIB:
        return True
    parts = int(gib / _SAFE_CONV_GIB) + 1
    return math.ceil(frames / parts) >= _KERNEL_FRAMES


def processed_rows(size: int, tile: int, factor: float) -> int:
    """Pixel rows the encoder runs over, overlaps counted (the cost of a tile side)."""
    if size <= tile:
        return size
    step = int(tile * (1 - factor))
    return sum(min(tile, size - i) for i in range(0, size, step))


def exact_tiles(limit: int, factor: float, smallest: int = TILE_MULTIPLE) -> list[int]:
    """Exact tile sides from `smallest` up to `limit` pixels, smallest first."""
    sides = range(TILE_MULTIPLE, limit + 1, TILE_MULTIPLE)
    return [t for t in sides if t >= smallest and tile_is_exact(t, factor)]


def tile_count(size: int, tile: int, factor: float) -> int:
    """Tiles diffusers runs along a side."""
    return 1 if size <= tile else len(range(0, size, int(tile * (1 - factor))))


def choose_vae_tiling(
    height: int, width: int, max_pixels: int, channels: int, frames: int
) -> VaeTiling:
    """The VAE tiling of a `height` x `width` output frame (multiples of 16) that runs the
    fewest pixels (overlaps and a per-tile overhead counted) with exact tiles of at most
    `max_pixels` whose convolutions diffusers' safe-conv split can run; whole frames when they
    fit.

    Args:
        max_pixels: the memory budget, as a tile area.
        channels, frames: the widest full-resolution activation (channels x frames per step).
    """
    if height % 16 or width % 16:
        raise ValueError(f"frame {width}x{height} must have sides that are multiples of 16")
    limit = min(max_pixels, _largest_safe_area(channels, frames))
    if height * width <= limit:
        return VaeTiling(None, None)
    rows = _side_costs(height, ROW_OVERLAP)
    cols = _side_costs(width, COLUMN_OVERLAP)
    best = None
    for tile_h, (run_h, count_h) in rows.items():
        for tile_w, (run_w, count_w) in cols.items():
            if tile_h * tile_w > limit:
                break
            key = (run_h * run_w + TILE_OVERHEAD_PIXELS * count_h * count_w, -tile_h * tile_w)
            if best is None or key < best[0]:
                best = (key, tile_h, tile_w)
    if best is None:  # below the smallest tile: take it (memory estimates are conservative)
        return VaeTiling(min(rows), min(cols))
    return VaeTiling(best[1], best[2])


def _side_costs(size: int, factor: float) -> dict[int, tuple[int, int]]:
    """Exact tile side -> (pixels run, tiles) along one side; up to one tile beyond the side."""
    sides = exact_tiles(size + MIN_TILE_SIDE, factor, MIN_TILE_SIDE)
    return {t: (processed_rows(size, t, factor), tile_count(size, t, factor)) for t in sides}


def _largest_safe_area(channels: int, frames: int) -> int:
    """The largest tile area (to 16x16 pixels) whose convolutions the safe-conv split can run."""
    low, high = 1, 2**24  # in units of 256 pixels
    while low < high:
        middle = (low + high + 1) // 2
        if safe_conv_fits(middle * 256, channels, frames):
            low = middle
        else:
            high = middle - 1
    return low * 256
