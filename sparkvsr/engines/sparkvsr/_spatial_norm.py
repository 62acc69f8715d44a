"""The VAE decoder's spatial norm and the SiLU after it in one pass over the activations.

diffusers' CogVideoXSpatialNorm3D upsamples the latents `zq` (nearest) to the activation's size,
runs two 1x1x1 convolutions on them (conv_y, conv_b: 16 -> C channels), normalises the
activation, and computes norm * conv_y + conv_b; the resnet block then applies SiLU. Each step
writes a full-size C-channel tensor that the next reads: about 14 passes over activations of
up to tens of millions of values per channel row, on a chip where the decoder is bound by memory.
Here the group statistics come from WideGroupNorm's reductions, and one Triton kernel reads the
activation once, computes both 1x1 convolutions from the small latent tensor (a 16-deep matrix
product per tile of positions), and writes silu(norm * y + b) once. Float32 throughout, rounded
once (the original rounds to bf16 after each step). CPU tensors take the original path.
"""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F

from sparkvsr.engines.sparkvsr._group_norm import WideGroupNorm, channel_affine
from sparkvsr.engines.sparkvsr._row_affine import on_device, triton_runs

_CHANNELS_PER_PROGRAM = 32
_POSITIONS_PER_PROGRAM = 128


def fused_spatial_norm(self, f: torch.Tensor, zq: torch.Tensor, conv_cache=None):
    """CogVideoXSpatialNorm3D.forward (bound to the module), followed by SiLU when the module's
    `silu` is set. Its 1x1x1 convolutions keep no cache (a 1-frame kernel needs none)."""
    silu = getattr(self, "silu", False)
    if not (triton_runs(f) and f.is_contiguous() and zq.shape[1] == 16):
        out, cache = type(self).forward(self, f, zq, conv_cache)
        return (F.silu(out) if silu else out), cache
    scale, shift = channel_affine(self.norm_layer, f)
    n, channels, frames, height, width = f.shape
    zq = zq.contiguous()
    maps = [
        _nearest_frames(zq.shape[2], frames, f.device),
        _nearest(zq.shape[3], height, f.device),
        _nearest(zq.shape[4], width, f.device),
    ]
    weights = [
        (conv.conv.weight.reshape(channels, -1).to(zq.dtype).contiguous(), conv.conv.bias.float())
        for conv in (self.conv_y, self.conv_b)
    ]
    out = torch.empty_like(f)
    positions = frames * height * width
    grid = (
        triton_cdiv(positions, _POSITIONS_PER_PROGRAM),
        triton_cdiv(channels, _CHANNELS_PER_PROGRAM),
        n,
    )
    with on_device(f):
        _kernel()[grid](
            f, zq, out, scale.contiguous(), shift.contiguous(),
            weights[0][0], weights[0][1], weights[1][0], weights[1][1], *maps,
            channels, frames, height, width, *zq.shape[2:],
            silu, zq.dtype == torch.float32, zq.shape[1],
            _CHANNELS_PER_PROGRAM, _POSITIONS_PER_PROGRAM,
        )  # fmt: skip
    return out, {}


def triton_cdiv(a: int, b: int) -> int:
    return (a + b - 1) // b


def _nearest(source: int, size: int, device) -> torch.Tensor:
    """The source index F.interpolate(mode="nearest") reads for each of `size` outputs, by its
    own rule (asked of it on an index ramp)."""
    ramp = torch.arange(source, dtype=torch.float32).reshape(1, 1, source)
    index = F.interpolate(ramp, size=size, mode="nearest").reshape(size)
    return index.to(device=device, dtype=torch.int32)


def _nearest_frames(source: int, frames: int, device) -> torch.Tensor:
    """As _nearest along time, with the spatial norm's rule: an odd frame count > 1 maps its
    first frame to the first latent frame and the rest to the rest."""
    if frames > 1 and frames % 2 == 1:
        rest = _nearest(source - 1, frames - 1, device) + 1
        return torch.cat([torch.zeros(1, dtype=torch.int32, device=device), rest])
    return _nearest(source, frames, device)


_compiled = None


def _kernel():
    """The Triton kernel, built on first use (Triton is imported only where it runs)."""
    global _compiled
    if _compiled is None:
        import triton
        import triton.language as tl

        @triton.jit
        def spatial_norm_kernel(
            f, z, out, scale, shift, wy, by, wb, bb, t_map, h_map, w_map,
            channels, frames, height, width, z_frames, z_height, z_width,
            silu: tl.constexpr, float32: tl.constexpr, z_channels: tl.constexpr,
            block_c: tl.constexpr, block_p: tl.constexpr,
        ):  # fmt: skip
            sample = tl.program_id(2).to(tl.int64)
            area = height * width
            positions = frames * area
            z_positions = z_frames * z_height * z_width
            pos = tl.program_id(0) * block_p + tl.arange(0, block_p)
            pos_ok = pos < positions
            t = pos // area
            h = (pos // width) % height
            w = pos % width
            z_pos = (
                tl.load(t_map + t, mask=pos_ok, other=0) * (z_height * z_width)
                + tl.load(h_map + h, mask=pos_ok, other=0) * z_width
                + tl.load(w_map + w, mask=pos_ok, other=0)
            )
            k = tl.arange(0, z_channels)
            z_base = z + sample * z_channels * z_positions
            zv = tl.load(
                z_base + k[:, None].to(tl.int64) * z_positions + z_pos[None, :],
                mask=pos_ok[None, :],
                other=0.0,
            )
            ch = tl.program_id(1) * block_c + tl.arange(0, block_c)
            ch_ok = ch < channels
            w_offsets = ch[:, None] * z_channels + k[None, :]
            wyv = tl.load(wy + w_offsets, mask=ch_ok[:, None], other=0.0)
            wbv = tl.load(wb + w_offsets, mask=ch_ok[:, None], other=0.0)
            if float32:  # full float32 products, not the tensor cores' tf32
                y = tl.dot(wyv, zv, input_precision="ieee")
                b = tl.dot(wbv, zv, input_precision="ieee")
            else:
                y = tl.dot(wyv, zv)
                b = tl.dot(wbv, zv)
            y += tl.load(by + ch, mask=ch_ok, other=0.0)[:, None]
            b += tl.load(bb + ch, mask=ch_ok, other=0.0)[:, None]
            row = sample * channels + ch
            offsets = row[:, None].to(tl.int64) * positions + pos[None, :]
            ok = ch_ok[:, None] & pos_ok[None, :]
            x = tl.load(f + offsets, mask=ok, other=0.0).to(tl.float32)
            x = x * tl.load(scale + row, mask=ch_ok, other=0.0)[:, None]
            x += tl.load(shift + row, mask=ch_ok, other=0.0)[:, None]
            value = x * y + b
            if silu:
                value = value / (1.0 + tl.exp(-value))  # SiLU
            tl.store(out + offsets, value.to(out.dtype.element_ty), mask=ok)

        _compiled = spatial_norm_kernel
    return _compiled


def use_fused_norms(vae: torch.nn.Module) -> int:
    """Runs every spatial norm of `vae` through the fused kernel, and folds the SiLU that
    follows each norm (resnet blocks, encoder and decoder outputs) into that norm's pass:
    WideGroupNorms and spatial norms get `silu` set, the activation becomes an identity. Needs
    use_wide_group_norm first. Returns how many activations were folded."""
    for module in vae.modules():
        if type(module).__name__ == "CogVideoXSpatialNorm3D":
            module.forward = types.MethodType(fused_spatial_norm, module)
    folded = 0
    for module in vae.modules():
        for act_name, norm_names in (
            ("nonlinearity", ("norm1", "norm2")),
            ("conv_act", ("norm_out",)),
        ):
            norms = [getattr(module, name, None) for name in norm_names]
            if type(getattr(module, act_name, None)) is torch.nn.SiLU and all(
                _takes_silu(norm) for norm in norms
            ):
                for norm in norms:
                    norm.silu = True
                setattr(module, act_name, torch.nn.Identity())
                folded += len(norms)
    return folded


def _takes_silu(norm) -> bool:
    return isinstance(norm, WideGroupNorm) or type(norm).__name__ == "CogVideoXSpatialNorm3D"
