"""The engine plans tiles from what this process can allocate when a chunk is planned: memory
PyTorch's caching allocator holds without using counts as available, so the same job is tiled
alike (and gives the same frames) whatever ran before in the process."""

import numpy as np
import pytest
import torch

from sparkvsr.engines import EngineChunk
from sparkvsr.engines.sparkvsr import SparkVSREngine, SparkVSRSettings
from sparkvsr.engines.sparkvsr import _devices as devices
from sparkvsr.engines.sparkvsr import _memory as memory

GIB = 2**30
CUDA = torch.device("cuda", 0)


class FakeCard:
    """torch.cuda's memory queries on one card: the driver's free memory excludes what the
    caching allocator reserved (live tensors plus freed blocks it keeps); memory_reserved and
    memory_allocated report those two."""

    def __init__(self, total: int, other_processes: int = 0):
        self.total, self.other_processes = total, other_processes
        self.live = self.cached = 0

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (self.free, self.total))
        monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: self.reserved)
        monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device=None: self.live)

    @property
    def reserved(self) -> int:
        return self.live + self.cached

    @property
    def free(self) -> int:
        return self.total - self.other_processes - self.reserved

    def run_other_work(self, peak: int) -> None:
        """Tensors of `peak` bytes allocated, then freed: the allocator keeps their blocks."""
        self.cached = max(self.cached, peak)


def test_available_memory_counts_the_allocators_unused_cache(monkeypatch):
    card = FakeCard(80 * GIB, other_processes=2 * GIB)
    card.install(monkeypatch)
    card.live = 12 * GIB  # the model
    fresh = devices.available_memory(CUDA)
    card.run_other_work(40 * GIB)
    assert torch.cuda.mem_get_info(CUDA)[0] == fresh - 40 * GIB  # what the old plan read
    assert devices.available_memory(CUDA) == fresh == 66 * GIB
    card.live += 5 * GIB  # a tensor still alive is not available
    assert devices.available_memory(CUDA) == fresh - 5 * GIB
    assert devices.available_memory(torch.device("cpu")) is None


def test_the_same_chunk_is_planned_alike_whatever_ran_before(pipeline, monkeypatch):
    """The issue's failure, scaled to the tiny model: on a card that just fits whole frames, an
    engine built (or a chunk planned) after other work saw only the driver's free memory and
    tiled; now both plans are whole frames."""
    height, width = 24, 40
    chunk = EngineChunk(np.random.default_rng(0).random((1, height, width, 3), np.float32), (), 4)
    whole = pipeline.call_costs().call_bytes(1, height, width, memory.MIN_VAE_TILE_PIXELS)
    card = FakeCard(int(whole / memory.HEADROOM) + GIB // 8)
    card.install(monkeypatch)
    # The tiny model runs on the CPU; its engine reads memory as a CUDA device's would be read.
    monkeypatch.setattr(devices, "available_memory", _as_cuda(devices.available_memory))
    settings = SparkVSRSettings(device="cpu", dtype="float32")

    engine = SparkVSREngine(settings, pipeline)
    fresh = engine.output_identity(chunk)
    assert engine.plan_tiles(1, height, width) == (
        engine.plan_tiles(1, height, width)[0][:1],
        engine.plan_tiles(1, height, width)[1][:1],
    )
    card.run_other_work(card.total // 2)
    with pytest.raises(Exception, match="does not fit|no tiles"):
        # What the driver alone reports would not even hold the smallest tiles here...
        memory.plan_frame_tiles(
            height, width, 1, card.free, pipeline.call_costs(), settings.tile_overlap
        )
    # ... yet the same engine, and one built now, plan the chunk as they did fresh.
    assert engine.output_identity(chunk) == fresh
    assert SparkVSREngine(settings, pipeline).output_identity(chunk) == fresh
    (rows, cols) = engine.plan_tiles(1, height, width)
    assert len(rows) == len(cols) == 1


def _as_cuda(available_memory):
    return lambda device: available_memory(CUDA)


def test_vae_tiles_change_only_in_steps_of_the_budget():
    costs = memory.CallCosts.for_model(3072, 128, 11, 2)
    call = costs.call_bytes(49, 272, 480, 0)
    spare_for = lambda pixels: (call + pixels * costs.vae_bytes_per_tile_pixel) / memory.HEADROOM  # noqa: E731
    top = memory.MAX_VAE_TILE_PIXELS
    assert memory.vae_tile_pixels(int(spare_for(top)) + 1, costs, 49, 272, 480) == top
    # A budget anywhere between two steps gives the lower step, not an area of its own.
    areas = {
        memory.vae_tile_pixels(int(spare_for(top * f)), costs, 49, 272, 480)
        for f in (0.51, 0.6, 0.75, 0.9, 0.99)
    }
    assert areas == {top // 2}
    assert memory.vae_tile_pixels(0, costs, 49, 272, 480) == memory.MIN_VAE_TILE_PIXELS
