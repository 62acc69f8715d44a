"""FlashAttention 4 (the `flash-attn-4` package, CuTe DSL kernels for Hopper and Blackwell) for
the transformer's attention, where it is installed.

At 4K the transformer is attention over 226,800 tokens, 48 heads of 64; cuDNN's SDPA reaches
about 420 TFLOP/s of an H100's ~790 there. diffusers' CogVideoX attention processor calls
F.scaled_dot_product_attention itself, so the call is redirected for the duration of a
transformer pass by a torch function mode: calls the kernel supports (no mask, no dropout, not
causal, bf16/fp16 on CUDA) go to flash_attn_func, the rest to SDPA as before.
"""

from __future__ import annotations

import functools
import logging

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

logger = logging.getLogger(__name__)


@functools.cache
def flash_attention_4():
    """flash_attn.cute.flash_attn_func, or None where the package (or a Hopper or Blackwell
    GPU) is missing."""
    if not torch.cuda.is_available() or torch.cuda.get_device_capability()[0] not in (9, 10):
        return None
    try:
        from flash_attn.cute import flash_attn_func
    except Exception as error:  # optional (`flash-attn-4`); a broken install must not stop a job
        logger.info("FlashAttention 4 unavailable (%s); SDPA is used", error)
        return None
    return flash_attn_func


class FlashAttention4(TorchFunctionMode):
    """Within it, F.scaled_dot_product_attention calls that FlashAttention 4 takes run there."""

    def __init__(self, kernel):
        super().__init__()
        self.kernel = kernel

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.scaled_dot_product_attention and _supported(*args, **kwargs):
            query, key, value = args[:3]
            # (B, H, S, D) -> the kernel's (B, S, H, D): the processor's q/k/v are transposed
            # views of (B, S, H, D) projections, so these are free.
            out, _ = self.kernel(
                query.transpose(1, 2),
                key.transpose(1, 2),
                value.transpose(1, 2),
                softmax_scale=kwargs.get("scale"),
            )
            return out.transpose(1, 2)
        return func(*args, **kwargs)


def _supported(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, **rest
):
    return (
        attn_mask is None
        and dropout_p == 0.0
        and not is_causal
        and not rest
        and query.is_cuda
        and query.dtype in (torch.bfloat16, torch.float16)
        and query.dim() == key.dim() == value.dim() == 4
        and query.shape[-1] % 8 == 0
        and query.shape[-1] <= 256
    )
