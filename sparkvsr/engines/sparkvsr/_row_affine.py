"""Per-channel scale and shift of NCDHW activations in one vectorised pass.

PyTorch adds a convolution's bias, and applies GroupNorm's per-channel scale and shift, through
its broadcasting elementwise kernel: no vector loads, an offset computed per element. In the
CogVideoX VAE decoder on an H200 the bias adds alone were 19% of the GPU time (709 calls, 0.6 ms
each; benchmarks/NOTES_sparkvsr_gpu.md). Here each channel's (sample, channel) row is contiguous,
so a Triton kernel streams it with the row's two scalars in registers. CPU tensors (tests) take
the same arithmetic through PyTorch.
"""

from __future__ import annotations

import contextlib
import os
import types

import torch
import torch.nn.functional as F

_BLOCK = 4096


def row_affine(
    x: torch.Tensor,
    scale: torch.Tensor | None,
    shift: torch.Tensor,
    out: torch.Tensor | None = None,
    silu: bool = False,
) -> torch.Tensor:
    """x * scale + shift, per (sample, channel) row of a contiguous (N, C, ...) tensor, computed
    in float32 and rounded once; `scale` None means 1; `silu` applies SiLU to the result. `out`
    may be `x` (in place)."""
    rows = x.shape[0] * x.shape[1]
    if not (triton_runs(x) and x.is_contiguous()):
        shape = (-1, x.shape[1]) + (1,) * (x.dim() - 2)
        value = x.float() * (1 if scale is None else scale.reshape(shape)) + shift.reshape(shape)
        value = F.silu(value) if silu else value
        return value.to(x.dtype) if out is None else out.copy_(value)
    out = torch.empty_like(x) if out is None else out
    length = x.numel() // rows
    shift = _per_row(shift, rows)
    scale = shift if scale is None else _per_row(scale, rows)
    grid = ((length + _BLOCK - 1) // _BLOCK, rows)
    with on_device(x):
        _kernel()[grid](x, out, scale, shift, length, scale is not shift, silu, _BLOCK)
    return out


def triton_runs(x: torch.Tensor) -> bool:
    """Whether the Triton kernels take `x`: CUDA tensors, and CPU ones under Triton's
    interpreter (TRITON_INTERPRET=1, how the kernels are checked without a GPU)."""
    return x.is_cuda or os.environ.get("TRITON_INTERPRET") == "1"


def on_device(x: torch.Tensor):
    """Triton launches on the current device: make it the tensor's (one engine per GPU)."""
    return torch.cuda.device(x.device) if x.is_cuda else contextlib.nullcontext()


def _per_row(values: torch.Tensor, rows: int) -> torch.Tensor:
    """(C,) or (N, C) values as one float32 value per (sample, channel) row."""
    values = values.float().reshape(1, -1)
    return values.expand(rows // values.shape[1], -1).reshape(rows).contiguous()


_compiled = None


def _kernel():
    """The Triton kernel, built on first use (Triton is imported only on CUDA)."""
    global _compiled
    if _compiled is None:
        import triton
        import triton.language as tl

        @triton.jit
        def row_affine_kernel(
            x,
            out,
            scale,
            shift,
            length,
            has_scale: tl.constexpr,
            silu: tl.constexpr,
            block: tl.constexpr,
        ):
            row = tl.program_id(1).to(tl.int64)
            offsets = tl.program_id(0) * block + tl.arange(0, block)
            mask = offsets < length
            value = tl.load(x + row * length + offsets, mask=mask).to(tl.float32)
            if has_scale:
                value = value * tl.load(scale + row)
            value = value + tl.load(shift + row)
            if silu:
                value = value / (1.0 + tl.exp(-value))  # SiLU
            tl.store(out + row * length + offsets, value.to(out.dtype.element_ty), mask=mask)

        _compiled = row_affine_kernel
    return _compiled


def _conv_then_bias(self, input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None):
    """nn.Conv3d's _conv_forward with the bias added by row_affine, in place."""
    output = F.conv3d(input, weight, None, self.stride, self.padding, self.dilation, self.groups)
    return output if bias is None else row_affine(output, None, bias, out=output)


def use_row_affine_bias(module: torch.nn.Module) -> int:
    """Makes every zero-padded nn.Conv3d with a bias inside `module` add it with row_affine;
    returns how many."""
    count = 0
    for conv in module.modules():
        if isinstance(conv, torch.nn.Conv3d) and conv.bias is not None:
            if conv.padding_mode == "zeros":
                conv._conv_forward = types.MethodType(_conv_then_bias, conv)
                count += 1
    return count
