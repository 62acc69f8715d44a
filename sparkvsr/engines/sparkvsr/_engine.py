"""The `sparkvsr` engine: the diffusion pipeline behind the chunk interface, with seeded,
feather-blended spatial tiles and detail carried from the previous chunk."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from sparkvsr import environment
from sparkvsr.engines._base import Engine, EngineChunk
from sparkvsr.engines._descriptions import SPARKVSR_ENGINE_INFO
from sparkvsr.engines.sparkvsr import _devices as devices
from sparkvsr.engines.sparkvsr import _memory as memory
from sparkvsr.engines.sparkvsr import _plan as plan
from sparkvsr.engines.sparkvsr._light import decode_light, encode_light, light_range
from sparkvsr.errors import DeviceOutOfMemoryError, InvalidInputError
from sparkvsr.specs import FrameRange
from sparkvsr.window_plan import chunk_weights

logger = logging.getLogger(__name__)


MIN_MEMORY_BUDGET = 1 << 30
"""Below this an out-of-memory window fails instead of being retried with smaller tiles."""


@dataclass(frozen=True)
class SparkVSRSettings:
    """How the sparkvsr engine runs."""

    weights: str | None = None
    """Checkpoint folder in the Hugging Face layout."""
    device: str = "cuda"
    """Torch device."""
    dtype: str = "bfloat16"
    """bfloat16 (the model's) or float32."""
    guidance_scale: float = 1.0
    """Reference-free guidance s: 1 = one pass, 0 = blind, above 1 = closer to keyframes."""
    seed: int = 0
    """Seeds each chunk and tile, so a retry reproduces frames bit for bit on the same hardware."""
    tile: int | None = None
    """Tile side in low-resolution pixels (multiple of 4); None = whole frames wherever the
    device's memory allows, else the fewest tiles that fit (tiles change the result: each tile is
    upscaled without the rest of the frame as context; the engine logs when it tiles)."""
    memory_budget_gib: float | None = None
    """Device memory the engine plans for; None = what this process can allocate on a CUDA device
    when a chunk is planned (free memory plus the allocator's unused cache), unlimited elsewhere."""
    tile_overlap: int = 16
    """Low-resolution pixels shared by neighbouring tiles, blended with a smooth ramp."""
    carry_forward: bool = True
    """A chunk without keyframes takes the previous chunk's output of its first frame as one."""

    def __post_init__(self) -> None:
        if self.dtype not in ("bfloat16", "float32"):
            raise InvalidInputError(f"dtype must be bfloat16 or float32, got {self.dtype!r}")
        if self.tile is not None and (
            self.tile % plan.LR_MULTIPLE or self.tile <= self.tile_overlap
        ):
            raise InvalidInputError("tile must be a multiple of 4 and larger than tile_overlap")
        if self.memory_budget_gib is not None and self.memory_budget_gib <= 0:
            raise InvalidInputError(
                f"memory_budget_gib must be positive, got {self.memory_budget_gib}"
            )


def settings_from_env(environ: Mapping[str, str] | None = None, **settings) -> SparkVSRSettings:
    """SparkVSRSettings with $SPARKVSR_WEIGHTS, $SPARKVSR_DEVICE and $SPARKVSR_DTYPE filling what
    is unset."""
    settings.setdefault("weights", environment.sparkvsr_weights(environ))
    for field_name, variable in (("device", environment.DEVICE), ("dtype", environment.DTYPE)):
        value = environment.read(variable, environ)
        if value:
            settings.setdefault(field_name, value)
    return SparkVSRSettings(**settings)


class SparkVSREngine(Engine):
    """SparkVSR on one device; `pipeline` may be injected (tests, benchmarks)."""

    info = SPARKVSR_ENGINE_INFO

    def __init__(self, settings: SparkVSRSettings | None = None, pipeline=None):
        self.settings = settings or settings_from_env()
        self._weights = ""  # their fingerprint; an injected pipeline's are the caller's affair
        if pipeline is None:
            from sparkvsr.engines.sparkvsr._loader import load_pipeline, weights_fingerprint

            dtype = getattr(torch, self.settings.dtype)
            pipeline = load_pipeline(self.settings.weights or "", self.settings.device, dtype)
            self._weights = weights_fingerprint(Path(self.settings.weights or ""))
            if pipeline.device.type == "cuda":
                configure_vae_for_device(pipeline)
        self.pipeline = pipeline
        self._device_kind = _device_kind(pipeline.device)
        self._reduced_budget: int | None = None  # set by use_less_memory
        self._tiled_sizes: set[tuple[int, int]] = set()

    def output_identity(self, chunk: EngineChunk) -> str:
        # Not which device (the same kind of GPU gives the same bytes) but its kind; not the
        # folder path but its weights; not the memory budget but the tiles it leads to.
        settings = replace(self.settings, device="", weights=None, memory_budget_gib=None)
        count, height, width = chunk.frames.shape[:3]
        rows, cols = self.plan_tiles(count, plan.padded_side(height), plan.padded_side(width))
        scale = plan.SCALE
        vae = self.pipeline.vae_tiling_for(len(rows[0]) * scale, len(cols[0]) * scale)
        geometry = ([(r.start, r.stop) for r in rows], [(c.start, c.stop) for c in cols], vae)
        return f"{settings!r} on {self._device_kind} weights {self._weights} tiles {geometry}"

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        try:
            return self._upscale(chunk)
        except torch.OutOfMemoryError as error:
            if self.pipeline.device.type == "cuda":
                torch.cuda.empty_cache()
            raise DeviceOutOfMemoryError(f"{self.pipeline.device}: {error}") from None

    @property
    def memory_budget(self) -> int | None:
        """Bytes planned for; None = unlimited. Read when a chunk is planned, so that the plan
        depends on the device and the live tensors, not on what the allocator happens to cache."""
        if self._reduced_budget is not None:
            return self._reduced_budget
        if self.settings.memory_budget_gib is not None:
            return int(self.settings.memory_budget_gib * 2**30)
        return devices.available_memory(self.pipeline.device)

    def use_less_memory(self) -> str | None:
        """Halves the memory planned for (smaller tiles), down to MIN_MEMORY_BUDGET."""
        budget = self.memory_budget
        if budget is None or budget // 2 < MIN_MEMORY_BUDGET:
            return None
        self._reduced_budget = budget // 2
        return f"a memory budget of {self.memory_budget / 2**30:.1f} GiB (smaller tiles)"

    def _upscale(self, chunk: EngineChunk) -> np.ndarray:
        # Scene-linear windows are encoded into the model's range and decoded after (_light);
        # the range covers whatever enters the model, the detail carried from before included.
        carried = () if chunk.carried_output is None else (chunk.carried_output,)
        low, high = light_range(chunk.frames, *(key.hr for key in chunk.keyframes), *carried)
        source = encode_light(chunk.frames, low, high)
        frames = _to_tensor(source)  # (T, 3, H, W)
        count, _, height, width = frames.shape
        keyframes = {
            key.offset: _to_tensor(encode_light(key.hr[None], low, high))[0]
            for key in chunk.keyframes
            if 0 <= key.offset < count
        }
        if not keyframes and self.settings.carry_forward and chunk.carried_output is not None:
            carried = encode_light(chunk.carried_output[None], low, high)
            keyframes[0] = _to_tensor(carried)[0]
        padded_h, padded_w = plan.padded_side(height), plan.padded_side(width)
        frames = torch.nn.functional.pad(frames, (0, padded_w - width, 0, padded_h - height))
        rows, cols = self.plan_tiles(count, padded_h, padded_w)
        out = torch.zeros(count, 3, padded_h * plan.SCALE, padded_w * plan.SCALE)
        for row, row_weight in zip(rows, _hr_weights(rows)):
            for col, col_weight in zip(cols, _hr_weights(cols)):
                result = self._tile(chunk.start, frames, keyframes, row, col)
                weight = torch.from_numpy(np.outer(row_weight, col_weight))
                out[:, :, _hr(row), _hr(col)] += result.cpu() * weight
        out = out[:, :, : height * plan.SCALE, : width * plan.SCALE]
        return decode_light(_from_tensor(out, source.shape[3], source, plan.SCALE), low, high)

    def _tile(self, start: int, frames, keyframes, row: FrameRange, col: FrameRange):
        crop = frames[:, :, row.start : row.stop, col.start : col.stop]
        tile_keys = {i: image[:, _hr(row), _hr(col)] for i, image in keyframes.items()}
        for index, image in tile_keys.items():  # a keyframe may end short of the padded edge
            pad = (
                0,
                len(col) * plan.SCALE - image.shape[2],
                0,
                len(row) * plan.SCALE - image.shape[1],
            )
            tile_keys[index] = torch.nn.functional.pad(image, pad)
        generator = torch.Generator(device=self.pipeline.device)
        generator.manual_seed(hash((self.settings.seed, start, row.start, col.start)) & 0x7FFFFFFF)
        return self.pipeline(crop, tile_keys, self.settings.guidance_scale, generator)

    def plan_tiles(self, frames: int, height: int, width: int):
        """Row and column spans (LR pixels) of a chunk's tiles, and the VAE tile area its calls
        leave room for (set on the pipeline)."""
        overlap = self.settings.tile_overlap
        budget = self.memory_budget
        # Costs come from the model; without a budget nothing is weighed.
        costs = self.pipeline.call_costs() if budget is not None else None
        if self.settings.tile:
            rows = plan.plan_tiles(height, self.settings.tile, overlap)
            cols = plan.plan_tiles(width, self.settings.tile, overlap)
        else:
            rows, cols = memory.plan_frame_tiles(height, width, frames, budget, costs, overlap)
            if len(rows) * len(cols) > 1 and (height, width) not in self._tiled_sizes:
                self._tiled_sizes.add((height, width))
                logger.warning(
                    "%dx%d frames run as %dx%d tiles to fit %.2f GiB of device memory: the "
                    "result differs from whole frames (each tile lacks the rest as context)",
                    width,
                    height,
                    len(cols),
                    len(rows),
                    budget / 2**30,
                )
        self.pipeline.vae_tile_pixels = memory.vae_tile_pixels(
            budget, costs, frames, len(rows[0]), len(cols[0])
        )
        return rows, cols


def _device_kind(device: torch.device) -> str:
    """The kind of device (its model, for a GPU): results are the same on any of one kind."""
    if device.type == "cuda":
        return f"cuda {torch.cuda.get_device_name(device)}"
    return device.type


def configure_vae_for_device(pipeline) -> None:
    """GroupNorm statistics spread over the whole GPU (1.5x faster VAE on an H100), biases and
    norm scales applied in contiguous rows (_row_affine), the decoder's spatial norms and the
    SiLU after every norm in one pass (_spatial_norm: decode 1.2x faster again on an H100). VAE
    tiles are chosen per frame size within the memory each call leaves
    (SparkVSREngine.plan_tiles). Channels-last 3-D convolutions stay off: on an H100 they made
    VAE decoding 2.2x slower. FlashAttention 4 (pipeline.flash_attention_4) stays opt-in until
    it has been timed and compared on a GPU (benchmarks/NOTES_sparkvsr_gpu.md)."""
    pipeline.configure_vae(
        tile=None,
        sample_frames_per_batch=8,
        latent_frames_per_batch=2,
        channels_last=False,
        wide_group_norm=True,
        row_affine_bias=True,
        fused_norms=True,
    )


def _hr(span: FrameRange) -> slice:
    return slice(span.start * plan.SCALE, span.stop * plan.SCALE)


def _hr_weights(spans: tuple[FrameRange, ...]) -> tuple[np.ndarray, ...]:
    """Feathering across tile overlaps, computed on high-resolution pixels."""
    return chunk_weights(
        tuple(FrameRange(s.start * plan.SCALE, s.stop * plan.SCALE) for s in spans)
    )


def _to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, C) float32 -> (N, 3, H, W): grey repeated, alpha set aside."""
    rgb = np.repeat(images, 3, axis=3) if images.shape[3] == 1 else images[..., :3]
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(0, 3, 1, 2)


def _from_tensor(video: torch.Tensor, channels: int, source: np.ndarray, scale: int) -> np.ndarray:
    """(T, 3, H, W) -> (T, H, W, channels) float32; alpha is upscaled bilinearly from the source."""
    rgb = video.permute(0, 2, 3, 1).numpy().astype(np.float32)
    if channels == 1:
        return rgb.mean(axis=3, keepdims=True)
    if channels == 4:
        alpha = torch.from_numpy(np.ascontiguousarray(source[..., 3:])).permute(0, 3, 1, 2)
        alpha = torch.nn.functional.interpolate(alpha, scale_factor=scale, mode="bilinear")
        return np.concatenate([rgb, alpha.permute(0, 2, 3, 1).numpy()], axis=3)
    return np.ascontiguousarray(rgb)
