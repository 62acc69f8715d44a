"""GroupNorm for the CogVideoX VAE's huge, few-group activations.

PyTorch's GroupNorm kernel reduces each (sample, group) row inside one thread block. The VAE runs
one sample with 32 groups of up to tens of millions of values, so the statistics keep 32 of an
H100's 132 multiprocessors busy: 35% of the decoder's time (benchmarks/NOTES_sparkvsr_gpu.md).
The generic reduction kernel splits long rows across the whole grid, so the statistics come from
it here, followed by one scale-and-shift per channel.
"""

from __future__ import annotations

import torch

from sparkvsr.engines.sparkvsr._row_affine import row_affine


class WideGroupNorm(torch.nn.GroupNorm):
    """nn.GroupNorm with statistics from grid-wide reductions; same parameters and results up
    to rounding (float32 statistics and scale-and-shift, rounded once to the input's dtype).
    `silu` applies the activation that follows the norm in the VAE in the same pass."""

    silu = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale, shift = channel_affine(self, x)
        # One pass over x; batch norm's inference kernel (float math) measured 1.9x slower here,
        # PyTorch's broadcasting addcmul about 2x slower than row_affine's contiguous rows.
        return row_affine(x.contiguous(), scale, shift, silu=self.silu)


def channel_affine(norm: torch.nn.GroupNorm, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, C) float32 scale and shift per (sample, channel) that apply `norm` to `x`:
    norm(x) = x * scale + shift."""
    n, channels = x.shape[:2]
    groups = x.reshape(n, norm.num_groups, -1)
    count = groups.shape[-1]
    mean = groups.mean(-1, dtype=torch.float32)
    mean_square = torch.linalg.vector_norm(groups, 2, -1, dtype=torch.float32).square() / count
    rstd = torch.rsqrt((mean_square - mean.square()).clamp_min(0) + norm.eps)
    per_group = channels // norm.num_groups
    scale = rstd.repeat_interleave(per_group, dim=1)
    shift = -mean.repeat_interleave(per_group, dim=1) * scale
    if norm.affine:
        scale = scale * norm.weight.float()
        shift = shift * norm.weight.float() + norm.bias.float()
    return scale, shift


def use_wide_group_norm(module: torch.nn.Module) -> int:
    """Replaces every nn.GroupNorm inside `module` by a WideGroupNorm sharing its parameters;
    returns how many were replaced."""
    replaced = 0
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is torch.nn.GroupNorm:
                wide = WideGroupNorm(child.num_groups, child.num_channels, child.eps, child.affine)
                if child.affine:
                    wide.weight, wide.bias = child.weight, child.bias
                setattr(parent, name, wide)
                replaced += 1
    return replaced
