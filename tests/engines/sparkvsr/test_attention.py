"""Attention through FlashAttention 4's calling convention: the redirect hands the kernel
(B, S, H, D) views and gives the processor back SDPA's (B, H, S, D) result."""

import torch
import torch.nn.functional as F

from sparkvsr.engines.sparkvsr import _attention
from sparkvsr.engines.sparkvsr._attention import FlashAttention4


def _sequence_major_attention(q, k, v, softmax_scale=None):
    """A stand-in for flash_attn_func: (B, S, H, D) in, (output, log-sum-exp) out."""
    scale = softmax_scale or q.shape[-1] ** -0.5
    weights = torch.einsum("bshd,bthd->bhst", q, k).mul(scale).softmax(-1)
    return torch.einsum("bhst,bthd->bshd", weights, v), None


def test_the_transformer_gives_the_same_velocity_through_the_redirect(noiseless, monkeypatch):
    calls = []

    def kernel(q, k, v, softmax_scale=None):
        calls.append(q.shape)
        return _sequence_major_attention(q, k, v, softmax_scale)

    # The tiny model runs on the CPU, which the real kernel does not take.
    monkeypatch.setattr(
        _attention,
        "_supported",
        lambda *args, **kwargs: "attn_mask" not in kwargs or kwargs["attn_mask"] is None,
    )
    latents = torch.randn(1, 2, 32, 4, 6, generator=torch.Generator().manual_seed(0))
    want = noiseless.transformer_pass(latents)
    with FlashAttention4(kernel):
        got = noiseless.transformer_pass(latents)
    assert calls and all(len(shape) == 4 for shape in calls)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_calls_the_kernel_cannot_take_stay_with_sdpa():
    q = k = v = torch.randn(1, 2, 5, 8)
    mask = torch.ones(5, 5, dtype=torch.bool).tril()
    with FlashAttention4(lambda *args, **kwargs: 1 / 0):  # never called on the CPU
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
