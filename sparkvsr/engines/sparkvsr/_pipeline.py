"""SparkVSR inference on diffusers' CogVideoX classes: one transformer pass, keyframe latents fused
with low-resolution latents, reference-free guidance."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel
from diffusers.models.embeddings import get_3d_rotary_pos_embed

from sparkvsr.engines.sparkvsr import _memory as memory
from sparkvsr.engines.sparkvsr import _plan as plan
from sparkvsr.engines.sparkvsr import _vae_tiling as vae_tiling
from sparkvsr.engines.sparkvsr._attention import FlashAttention4, flash_attention_4
from sparkvsr.engines.sparkvsr._group_norm import use_wide_group_norm
from sparkvsr.engines.sparkvsr._row_affine import use_row_affine_bias
from sparkvsr.engines.sparkvsr._spatial_norm import use_fused_norms
from sparkvsr.errors import InvalidInputError

logger = logging.getLogger(__name__)

# The clean low-resolution latent is read as x_t at this timestep; ofs is the I2V offset embedding.
TIMESTEP = 399
OFS = 2.0


@dataclass
class StageTimings:
    """Seconds spent per stage of the last call (measured only when asked for)."""

    vae_encode: float = 0.0
    transformer: float = 0.0
    vae_decode: float = 0.0


class SparkVSRPipeline:
    """Keyframe-guided x4 video super-resolution of one chunk.

    Args:
        transformer: the fine-tuned CogVideoX1.5 I2V transformer (32 input channels).
        vae: the CogVideoX VAE.
        scheduler: supplies alphas_cumprod of the checkpoint's noise schedule.
        prompt_embeds: the T5 embedding of the empty prompt, (1, 226, 4096).
    """

    def __init__(
        self,
        transformer: CogVideoXTransformer3DModel,
        vae: AutoencoderKLCogVideoX,
        scheduler: CogVideoXDPMScheduler,
        prompt_embeds: torch.Tensor,
    ):
        self.transformer, self.vae, self.scheduler = transformer, vae, scheduler
        self.prompt_embeds = prompt_embeds
        self.scaling_factor = vae.config.scaling_factor
        alpha = scheduler.alphas_cumprod[TIMESTEP].double()
        self.alpha_sqrt, self.sigma = float(alpha.sqrt()), float((1 - alpha).sqrt())
        self.timings = StageTimings()
        self.record_timings = False
        self.sample_posterior = True
        """Sample the VAE posterior, as the model was trained; False takes its mode (no noise)."""
        self.fixed_vae_tiling: vae_tiling.VaeTiling | None = None
        """VAE tiles used at every size; None chooses exact ones per frame size (see
        _vae_tiling.choose_vae_tiling) within `vae_tile_pixels`."""
        self.vae_tile_pixels = memory.MAX_VAE_TILE_PIXELS
        """Largest VAE tile area (output pixels) when tiles are chosen per frame size."""
        self.attention_backends: list | None = None
        """torch.nn.attention.SDPBackend values tried first, in order, by the transformer's
        attention; None leaves PyTorch's own choice."""
        self.flash_attention_4 = False
        """Attention through FlashAttention 4 where the package is installed (_attention); off
        by default: not yet timed or compared on a GPU (benchmarks/NOTES_sparkvsr_gpu.md)."""

    def configure_vae(
        self,
        *,
        tile: tuple[int, int] | None,
        sample_frames_per_batch: int = 8,
        latent_frames_per_batch: int = 2,
        channels_last: bool = False,
        compile_blocks: bool = False,
        wide_group_norm: bool = False,
        row_affine_bias: bool = False,
        fused_norms: bool = False,
    ) -> None:
        """Sizes the VAE's work for the device instead of diffusers' small defaults.

        Args:
            tile: (height, width) of VAE tiles in output pixels, used at every frame size (each
                side exact: see _vae_tiling.tile_is_exact); None chooses exact tiles per frame
                size within `vae_tile_pixels`.
            sample_frames_per_batch: video frames the encoder's causal loop takes at a time
                (8k frames per step; 49 = 1 + 6 x 8).
            latent_frames_per_batch: latent frames the decoder's causal loop takes at a time.
            channels_last: NDHWC activations for cuDNN's 3-D convolutions.
            compile_blocks: torch.compile each VAE resnet block (fuses norm, activation and the
                causal padding copies); the first call of each shape compiles.
            wide_group_norm: GroupNorm statistics reduced across the whole GPU (WideGroupNorm)
                instead of one thread block per group.
            row_affine_bias: convolution biases added by one contiguous pass per channel row
                (_row_affine) instead of PyTorch's broadcasting kernel.
            fused_norms: the decoder's spatial norms in one pass each, and the SiLU after every
                norm folded into it (_spatial_norm); needs wide_group_norm.
        """
        vae = self.vae
        if tile is not None and not (
            vae_tiling.tile_is_exact(tile[0], vae_tiling.ROW_OVERLAP)
            and vae_tiling.tile_is_exact(tile[1], vae_tiling.COLUMN_OVERLAP)
        ):
            raise InvalidInputError(
                f"VAE tile {tile[0]}x{tile[1]} does not stitch exactly in diffusers' tiled VAE; "
                f"exact heights: {vae_tiling.exact_tiles(1200, vae_tiling.ROW_OVERLAP)}, widths: "
                f"{vae_tiling.exact_tiles(2000, vae_tiling.COLUMN_OVERLAP)}"
            )
        self.fixed_vae_tiling = vae_tiling.VaeTiling(*tile) if tile is not None else None
        vae.num_sample_frames_batch_size = sample_frames_per_batch
        vae.num_latent_frames_batch_size = latent_frames_per_batch
        layout = torch.channels_last_3d if channels_last else torch.contiguous_format
        for module in vae.modules():
            if isinstance(module, torch.nn.Conv3d):
                module.weight.data = module.weight.data.contiguous(memory_format=layout)
        if channels_last:
            torch.backends.cudnn.benchmark = True
        if wide_group_norm:
            use_wide_group_norm(vae)
        if row_affine_bias:
            use_row_affine_bias(vae)
        if fused_norms:
            use_fused_norms(vae)

        if compile_blocks:
            # Blocks share one code object, so past dynamo's recompile limit the remaining
            # shapes run eagerly; raising the limit made warm-up take over 8 minutes on an H100.
            for module in vae.modules():
                if type(module).__name__ == "CogVideoXResnetBlock3D":
                    module.compile()

    @property
    def device(self) -> torch.device:
        return next(self.transformer.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.transformer.parameters()).dtype

    @torch.no_grad()
    def __call__(
        self,
        frames: torch.Tensor,
        keyframes: Mapping[int, torch.Tensor] | None = None,
        guidance_scale: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Upscales `frames` x4.

        Args:
            frames: (T, C=3, H, W) low-resolution frames in [0, 1].
            keyframes: chunk frame index -> (3, 4H, 4W) high-resolution image in [0, 1];
                indices at least 4 apart.
            guidance_scale: s in v = v_noref + s (v_ref - v_noref); 1 = one pass with the
                keyframes, 0 = blind restoration, above 1 leans further on the keyframes.
            generator: seeds the VAE posterior samples, for reproducible chunks.

        Returns:
            (T, 3, 4H, 4W) in [0, 1], float32.
        """
        keyframes = dict(keyframes or {})
        self.check_inputs(frames, keyframes, guidance_scale)
        frame_count, _, height, width = frames.shape
        video = self.prepare_video(frames)
        with self._timed("vae_encode"):
            lr_latents = self.encode(video, generator)
            reference = self.keyframe_latents(keyframes, lr_latents, video.shape[-2:], generator)
        with self._timed("transformer"):
            x0 = self.denoise(lr_latents, reference, keyframes, guidance_scale)
        with self._timed("vae_decode"):
            decoded = self.decode(x0)
        return decoded[:frame_count, :, : height * plan.SCALE, : width * plan.SCALE]

    # 1. Inputs ---------------------------------------------------------------------------------

    def check_inputs(self, frames: torch.Tensor, keyframes: dict, guidance_scale: float) -> None:
        if frames.ndim != 4 or frames.shape[1] != 3:
            raise InvalidInputError(f"frames must be (T, 3, H, W), got {tuple(frames.shape)}")
        if guidance_scale < 0:
            raise InvalidInputError(f"guidance_scale must be >= 0, got {guidance_scale}")
        _, _, height, width = frames.shape
        for index, image in keyframes.items():
            expected = (3, height * plan.SCALE, width * plan.SCALE)
            if tuple(image.shape) != expected:
                raise InvalidInputError(
                    f"keyframe {index} is {tuple(image.shape)}; it must be {expected} "
                    "(4 times the frames)"
                )
        plan.keyframe_slots(tuple(sorted(keyframes)), frames.shape[0])

    # 2. Video ----------------------------------------------------------------------------------

    def prepare_video(self, frames: torch.Tensor) -> torch.Tensor:
        """(1, 3, 8k+1, 4H', 4W') in [-1, 1]: last frame repeated, sides zero-padded to
        multiples of 4, bilinear x4 on 0..255 values."""
        frame_count, _, height, width = frames.shape
        frames = frames.to(self.device, torch.float32)
        extra = plan.padded_frame_count(frame_count) - frame_count
        if extra:
            frames = torch.cat([frames, frames[-1:].expand(extra, -1, -1, -1)])
        pad_h, pad_w = plan.padded_side(height) - height, plan.padded_side(width) - width
        frames = F.pad(frames * 255.0, (0, pad_w, 0, pad_h))
        frames = F.interpolate(
            frames, scale_factor=plan.SCALE, mode="bilinear", align_corners=False
        )
        video = frames / 127.5 - 1.0
        return video.permute(1, 0, 2, 3).unsqueeze(0).to(self.dtype)

    # 3. Latents --------------------------------------------------------------------------------

    def encode(self, video: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """(1, F', 16, h, w): a posterior sample times the scaling factor, frames first."""
        self.apply_vae_tiling(*video.shape[-2:])
        posterior = self.vae.encode(video).latent_dist
        sample = (
            posterior.sample(generator=generator) if self.sample_posterior else posterior.mode()
        )
        latents = sample * self.scaling_factor
        return latents.permute(0, 2, 1, 3, 4)

    def keyframe_latents(
        self,
        keyframes: dict[int, torch.Tensor],
        lr_latents: torch.Tensor,
        size: tuple[int, int],
        generator: torch.Generator | None,
    ) -> torch.Tensor:
        """Zeros shaped like the LR latents, with each keyframe's latent in slot index // 4."""
        reference = torch.zeros_like(lr_latents)
        for index, image in sorted(keyframes.items()):
            image = image.to(self.device, torch.float32)
            image = F.pad(image, (0, size[1] - image.shape[-1], 0, size[0] - image.shape[-2]))
            # A keyframe is encoded as a 4-frame still clip; its first latent frame is used.
            clip = (image * 2.0 - 1.0).unsqueeze(1).expand(-1, 4, -1, -1).unsqueeze(0)
            latent = self.encode(clip.to(self.dtype), generator)
            reference[:, plan.keyframe_slot(index)] = latent[:, 0]
        return reference

    # 4. Transformer ----------------------------------------------------------------------------

    def denoise(
        self,
        lr_latents: torch.Tensor,
        reference: torch.Tensor,
        keyframes: dict,
        guidance_scale: float,
    ) -> torch.Tensor:
        """x0 from one transformer pass (two when guidance mixes with and without keyframes)."""
        use_reference = bool(keyframes) and guidance_scale > 0
        blind = not use_reference or guidance_scale != 1.0
        inputs = []
        if use_reference:
            inputs.append(torch.cat([lr_latents, reference], dim=2))
        if blind:
            inputs.append(torch.cat([lr_latents, torch.zeros_like(reference)], dim=2))
        velocity = self.transformer_pass(torch.cat(inputs))
        if use_reference and blind:
            with_reference, without = velocity.chunk(2)
            velocity = without + guidance_scale * (with_reference - without)
        return self.alpha_sqrt * lr_latents.float() - self.sigma * velocity.float()

    def transformer_pass(self, latents: torch.Tensor) -> torch.Tensor:
        """Velocity for a batch of (B, F', 32, h, w) latents; handles the odd-frame rule."""
        prepend = plan.needs_odd_prepend(latents.shape[1])
        if prepend:
            latents = torch.cat([latents[:, :1], latents], dim=1)
        _, frames, _, height, width = latents.shape
        rotary = self.rotary_embeddings(height, width, frames)
        with self._attention_backends():
            velocity = self._transformer_call(latents, rotary)
        return velocity[:, 1:] if prepend else velocity

    def _transformer_call(self, latents: torch.Tensor, rotary) -> torch.Tensor:
        batch = latents.shape[0]
        return self.transformer(
            hidden_states=latents,
            encoder_hidden_states=self.prompt_embeds.to(latents).expand(batch, -1, -1),
            timestep=torch.full((batch,), TIMESTEP, device=latents.device, dtype=torch.long),
            ofs=latents.new_full((batch,), OFS) if self.transformer.config.ofs_embed_dim else None,
            image_rotary_emb=rotary,
            return_dict=False,
        )[0]

    def _attention_backends(self) -> contextlib.ExitStack:
        stack = contextlib.ExitStack()
        if self.attention_backends:
            from torch.nn.attention import sdpa_kernel

            stack.enter_context(sdpa_kernel(self.attention_backends, set_priority=True))
        kernel = flash_attention_4() if self.flash_attention_4 else None
        if kernel is not None:
            stack.enter_context(FlashAttention4(kernel))
        return stack

    def rotary_embeddings(self, height: int, width: int, frames: int):
        """Rotary position embeddings for the actual (tile) latent size, or None if unused.

        As in the release, the position grid is the larger of the base grid (the config's sample
        size) and the tile's, so frames larger than the base grid run whole; the sliced positions
        are 0..n-1 either way, so the base size does not change the result."""
        config = self.transformer.config
        if not config.use_rotary_positional_embeddings:
            return None
        patch, patch_t = config.patch_size, config.patch_size_t or 1
        grid = (height // patch, width // patch)
        base = (config.sample_height // patch, config.sample_width // patch)
        cos, sin = get_3d_rotary_pos_embed(
            embed_dim=config.attention_head_dim,
            crops_coords=None,
            grid_size=grid,
            temporal_size=(frames + patch_t - 1) // patch_t,
            grid_type="slice",
            max_size=(max(base[0], grid[0]), max(base[1], grid[1])),
            device=self.device,
        )
        return cos.to(self.dtype), sin.to(self.dtype)

    # 5. Decode ---------------------------------------------------------------------------------

    def decode(self, x0: torch.Tensor) -> torch.Tensor:
        """(T, 3, H, W) in [0, 1] from (1, F', 16, h, w) latents."""
        latents = (x0 / self.scaling_factor).permute(0, 2, 1, 3, 4).to(self.dtype)
        self.apply_vae_tiling(*(side * plan.SPATIAL_COMPRESSION for side in latents.shape[-2:]))
        video = self.vae.decode(latents).sample
        return ((video[0].float() + 1.0) / 2.0).clamp(0.0, 1.0).permute(1, 0, 2, 3)

    def vae_tiling_for(self, height: int, width: int) -> vae_tiling.VaeTiling:
        """The VAE tiling used for `height` x `width` output frames."""
        if self.fixed_vae_tiling is not None:
            return self.fixed_vae_tiling
        vae = self.vae
        frames = max(vae.num_sample_frames_batch_size, 4 * vae.num_latent_frames_batch_size) + 3
        channels = vae.config.block_out_channels[0]
        return vae_tiling.choose_vae_tiling(height, width, self.vae_tile_pixels, channels, frames)

    def apply_vae_tiling(self, height: int, width: int) -> None:
        tiling = self.vae_tiling_for(height, width)
        if tiling.tiled:
            self.vae.enable_tiling(
                tile_sample_min_height=tiling.height,
                tile_sample_min_width=tiling.width,
                tile_overlap_factor_height=vae_tiling.ROW_OVERLAP,
                tile_overlap_factor_width=vae_tiling.COLUMN_OVERLAP,
            )
        else:
            self.vae.disable_tiling()

    def call_costs(self) -> memory.CallCosts:
        """Device bytes per unit of work for this model (see _memory.CallCosts)."""
        config = self.transformer.config
        vae = self.vae
        return memory.CallCosts.for_model(
            inner_dim=config.num_attention_heads * config.attention_head_dim,
            vae_channels=vae.config.block_out_channels[0],
            vae_frames=max(vae.num_sample_frames_batch_size, 4 * vae.num_latent_frames_batch_size)
            + 3,
            dtype_bytes=torch.finfo(self.dtype).bits // 8,
        )

    @contextlib.contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        if not self.record_timings:
            yield
            return
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        start = time.perf_counter()
        yield
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        setattr(self.timings, stage, getattr(self.timings, stage) + time.perf_counter() - start)
