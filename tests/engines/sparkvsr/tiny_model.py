"""A tiny randomly initialised SparkVSR checkpoint: the release's classes, config keys and folder
layout at toy sizes, saved and loaded through the real loader."""

from __future__ import annotations

from pathlib import Path

import torch
from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel
from safetensors.torch import save_file

from sparkvsr.engines.sparkvsr import EMPTY_PROMPT_FILE
from sparkvsr.engines.sparkvsr._release import SCHEDULER_CONFIG, TRANSFORMER_CONFIG, VAE_CONFIG

TEXT_DIM = 16


def tiny_transformer() -> CogVideoXTransformer3DModel:
    """The release's transformer config with toy widths and depth."""
    toy = dict(
        num_attention_heads=2,
        attention_head_dim=16,
        time_embed_dim=16,
        ofs_embed_dim=16,
        text_embed_dim=TEXT_DIM,
        num_layers=1,
        sample_width=64,
        sample_height=64,
    )
    return CogVideoXTransformer3DModel(**{**TRANSFORMER_CONFIG, **toy})


def tiny_vae() -> AutoencoderKLCogVideoX:
    toy = dict(
        block_out_channels=(8, 8, 16, 16),
        layers_per_block=1,
        norm_num_groups=4,
        sample_height=64,
        sample_width=64,
    )
    return AutoencoderKLCogVideoX(**{**VAE_CONFIG, **toy})


def base_schedule() -> CogVideoXDPMScheduler:
    """The noise schedule of CogVideoX1.5-5B-I2V's scheduler config."""
    return CogVideoXDPMScheduler(**SCHEDULER_CONFIG)


def save_tiny_checkpoint(folder: Path, seed: int = 0) -> Path:
    """Writes transformer/, vae/, scheduler/ and the cached empty-prompt embedding."""
    torch.manual_seed(seed)
    tiny_transformer().save_pretrained(folder / "transformer")
    tiny_vae().save_pretrained(folder / "vae")
    base_schedule().save_pretrained(folder / "scheduler")
    prompt = torch.randn(1, 226, TEXT_DIM, generator=torch.Generator().manual_seed(seed))
    save_file({"prompt_embeds": prompt}, str(folder / EMPTY_PROMPT_FILE))
    return folder
