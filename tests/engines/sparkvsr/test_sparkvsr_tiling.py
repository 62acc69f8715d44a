"""Tile and VAE-tiling plans give valid shapes at every frame size and memory budget: the pure
planner at the full model's 1080p and 4K shapes, checked against diffusers' real tiled VAE and
the engine run end to end on the tiny model through the same code paths."""

import numpy as np
import pytest
import torch
from tiny_model import tiny_vae

from sparkvsr.engines import EngineChunk
from sparkvsr.engines.sparkvsr import SparkVSREngine, SparkVSRSettings
from sparkvsr.engines.sparkvsr import _memory as memory
from sparkvsr.engines.sparkvsr import _plan as plan
from sparkvsr.engines.sparkvsr import _vae_tiling as vt
from sparkvsr.errors import InvalidInputError

# The full-size model in bf16: transformer width 48 x 64, VAE 128 channels x 11 frames a step.
FULL = memory.CallCosts.for_model(inner_dim=3072, vae_channels=128, vae_frames=11, dtype_bytes=2)
GIB = 2**30
# Low-resolution inputs (height, width) after padding to multiples of 4.
SIZES = {"1080p": (272, 480), "4k": (540, 960), "odd": (124, 348), "tall": (964, 36)}


def test_the_4k_failure_is_the_inexact_tile_arithmetic():
    # The engine's old 1088-row VAE tile on a 2160-row tile made 271 latent rows, not 270.
    assert vt.encoded_rows(2160, 1088, vt.ROW_OVERLAP) == 271
    assert not vt.tile_is_exact(1088, vt.ROW_OVERLAP)
    # 544 rows gave the right count at 1080p only by luck: its tiles were shifted.
    assert vt.encoded_rows(1088, 544, vt.ROW_OVERLAP) == 136
    assert not vt.tile_is_exact(544, vt.ROW_OVERLAP)
    # diffusers' defaults are exact.
    assert vt.tile_is_exact(240, vt.ROW_OVERLAP) and vt.tile_is_exact(360, vt.COLUMN_OVERLAP)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("budget_gib", [None, 140, 80, 40, 24, 12])
def test_planned_tiles_have_valid_shapes_at_full_size(size, budget_gib):
    height, width = SIZES[size]
    budget = budget_gib and budget_gib * GIB
    rows, cols = memory.plan_frame_tiles(height, width, 49, budget, FULL, 16)
    assert rows[0].start == 0 and rows[-1].stop == height
    assert cols[0].start == 0 and cols[-1].stop == width
    for spans in (rows, cols):
        assert all(s.start % 4 == 0 and len(s) % 4 == 0 for s in spans)
        assert all(b.start < a.stop for a, b in zip(spans, spans[1:]))  # overlapping
    tile_h, tile_w = len(rows[0]), len(cols[0])
    if budget:
        vae_pixels = memory.vae_tile_pixels(budget, FULL, 49, tile_h, tile_w)
        assert FULL.call_bytes(49, tile_h, tile_w, vae_pixels) <= budget
    else:
        vae_pixels = memory.MAX_VAE_TILE_PIXELS
    hr_h, hr_w = tile_h * plan.SCALE, tile_w * plan.SCALE
    tiling = vt.choose_vae_tiling(hr_h, hr_w, vae_pixels, 128, 11)
    if tiling.tiled:
        # What diffusers will make of this tile: exactly the latents the transformer expects,
        # and the frame back.
        latents_h = vt.encoded_rows(hr_h, tiling.height, vt.ROW_OVERLAP)
        latents_w = vt.encoded_rows(hr_w, tiling.width, vt.COLUMN_OVERLAP)
        assert (latents_h, latents_w) == (hr_h // 8, hr_w // 8)
        assert vt.decoded_rows(latents_h, tiling.height, vt.ROW_OVERLAP) == hr_h
        assert vt.decoded_rows(latents_w, tiling.width, vt.COLUMN_OVERLAP) == hr_w
        assert tiling.height * tiling.width <= max(vae_pixels, vt.MIN_TILE_SIDE**2 * 2)
    else:
        assert vt.safe_conv_fits(hr_h * hr_w, 128, 11)


def test_whole_frames_wherever_memory_allows_and_tiles_only_below():
    # An H200 (139 GiB, ~128 free with the model loaded) runs 1080p and 4K frames whole.
    for height, width in (SIZES["1080p"], SIZES["4k"]):
        rows, cols = memory.plan_frame_tiles(height, width, 49, 128 * GIB, FULL, 16)
        assert len(rows) == len(cols) == 1
    rows, cols = memory.plan_frame_tiles(*SIZES["4k"], 49, 40 * GIB, FULL, 16)
    assert len(rows) * len(cols) > 1
    with pytest.raises(Exception, match="shorter chunk_length"):
        memory.plan_frame_tiles(*SIZES["4k"], 49, GIB // 4, FULL, 16)


def test_whole_4k_frames_are_never_run_untiled_through_the_safe_conv_split():
    # A 4K frame's 128-channel, 11-frame activation is cut into 1-frame slices by diffusers.
    assert not vt.safe_conv_fits(2160 * 3840, 128, 11)
    assert vt.choose_vae_tiling(2160, 3840, 10**9, 128, 11).tiled


@pytest.mark.parametrize("height", [96, 160, 272])
@pytest.mark.parametrize("tile", [48, 136, 144])
def test_the_mirrored_arithmetic_predicts_the_real_tiled_vae(height, tile):
    """encoded_rows/decoded_rows give the shapes diffusers' tiled VAE really makes, exact
    tiles or not (136 is a scaled-down 1088: inexact)."""
    vae = tiny_vae().eval()
    vae.enable_tiling(tile, tile, vt.ROW_OVERLAP, vt.ROW_OVERLAP)
    video = torch.randn(1, 3, 9, height, 32, generator=torch.Generator().manual_seed(0))
    latents = torch.randn(1, 16, 3, height // 8, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        encoded = vae.encode(video).latent_dist.mode()
        decoded = vae.decode(latents).sample
    if height > tile:
        assert encoded.shape[3] == vt.encoded_rows(height, tile, vt.ROW_OVERLAP)
        assert decoded.shape[3] == vt.decoded_rows(height // 8, tile, vt.ROW_OVERLAP)
    if vt.tile_is_exact(tile, vt.ROW_OVERLAP):
        assert (encoded.shape[3], decoded.shape[3]) == (height // 8, height)


def test_a_vae_tile_that_does_not_stitch_exactly_is_refused(pipeline):
    with pytest.raises(InvalidInputError, match="544x960 does not stitch exactly"):
        pipeline.configure_vae(tile=(544, 960))
    pipeline.configure_vae(tile=(240, 360))  # diffusers' default


def test_the_rotary_grid_grows_with_frames_larger_than_the_base_grid(pipeline):
    # The tiny transformer's base grid is 64 latents (32 patches): 132 LR pixels are 66 latents.
    config = pipeline.transformer.config
    assert 132 * plan.SCALE // plan.SPATIAL_COMPRESSION > config.sample_height
    out = pipeline(torch.rand(1, 3, 132, 8), generator=torch.Generator().manual_seed(0))
    assert tuple(out.shape) == (1, 3, 528, 32)


def scaled_chunk(height, width, frames=1):
    rng = np.random.default_rng(height * width)
    return EngineChunk(rng.random((frames, height, width, 3), dtype=np.float32), (), 4)


@pytest.fixture
def eighth_scale(monkeypatch):
    """The planner's size limits scaled for frames of an eighth of the side (tiny model)."""
    monkeypatch.setattr(vt, "MIN_TILE_SIDE", 48)
    monkeypatch.setattr(memory, "MIN_VAE_TILE_PIXELS", memory.MIN_VAE_TILE_PIXELS // 64)
    monkeypatch.setattr(memory, "MAX_VAE_TILE_PIXELS", memory.MAX_VAE_TILE_PIXELS // 64)


@pytest.mark.slow
@pytest.mark.parametrize("height, width", [(34, 60), (68, 120), (33, 57)])
def test_the_engine_runs_scaled_1080p_4k_and_odd_frames_in_memory_sized_tiles(
    pipeline, eighth_scale, caplog, height, width
):
    """1080p and 4K inputs scaled down by 8 (and an odd size) through the engine's own planner,
    with a budget just short of whole frames: transformer tiles, and VAE tiles chosen per tile by
    the same rule (the tiny VAE's tile arithmetic is the full one's: 8x, the same overlaps).
    One frame: the tiling is spatial, and the tiny VAE is slow on a CPU."""
    costs = pipeline.call_costs()
    padded = plan.padded_side(height), plan.padded_side(width)
    whole = costs.call_bytes(1, *padded, memory.MIN_VAE_TILE_PIXELS)
    budget = (whole - 1) / memory.HEADROOM
    settings = SparkVSRSettings(device="cpu", dtype="float32", memory_budget_gib=budget / GIB)
    engine = SparkVSREngine(settings, pipeline)
    used = []
    original = pipeline.apply_vae_tiling

    def spy(h, w):
        used.append(pipeline.vae_tiling_for(h, w))
        original(h, w)

    pipeline.apply_vae_tiling = spy
    with caplog.at_level("WARNING"):
        out = engine.upscale_chunk(scaled_chunk(height, width))
    assert out.shape == (1, height * 4, width * 4, 3) and np.isfinite(out).all()
    assert "differs from whole frames" in caplog.text
    assert any(tiling.tiled for tiling in used)
    for tiling in used:
        if tiling.tiled:
            assert vt.tile_is_exact(tiling.height, vt.ROW_OVERLAP)
            assert vt.tile_is_exact(tiling.width, vt.COLUMN_OVERLAP)
