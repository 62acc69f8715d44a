"""The fused spatial norm (and SiLU folded into the norms) computes what diffusers' modules do.
Its Triton kernel runs here under Triton's interpreter (TRITON_INTERPRET=1), on the CPU."""

import pytest
import torch
import torch.nn.functional as F
from tiny_model import tiny_vae

from sparkvsr.engines.sparkvsr import _row_affine, _spatial_norm
from sparkvsr.engines.sparkvsr._group_norm import WideGroupNorm, use_wide_group_norm
from sparkvsr.engines.sparkvsr._spatial_norm import fused_spatial_norm, use_fused_norms

pytest.importorskip("triton")
from diffusers.models.autoencoders.autoencoder_kl_cogvideox import (  # noqa: E402
    CogVideoXSpatialNorm3D,
)


@pytest.fixture
def interpreter(monkeypatch):
    """Triton kernels built afresh under the interpreter, so CPU tensors run through them."""
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    monkeypatch.setattr(_spatial_norm, "_compiled", None)
    monkeypatch.setattr(_row_affine, "_compiled", None)
    yield
    # Later tests must not reuse kernels built for the interpreter.
    monkeypatch.setattr(_spatial_norm, "_compiled", None)
    monkeypatch.setattr(_row_affine, "_compiled", None)


def _random_spatial_norm(channels, groups, seed):
    torch.manual_seed(seed)
    norm = CogVideoXSpatialNorm3D(channels, 16, groups=groups)
    with torch.no_grad():
        for parameter in norm.parameters():
            parameter.copy_(torch.randn_like(parameter) * 0.5 + 0.1)
    return norm


@pytest.mark.parametrize(
    "channels, groups, frames, latent_frames, size, latent_size",
    [
        (32, 32, 5, 3, (6, 10), (3, 5)),  # odd frames: the first frame maps apart
        (48, 16, 4, 2, (8, 6), (4, 3)),  # a partial channel block, even frames
        (32, 8, 1, 1, (5, 7), (5, 7)),  # one frame, no upsampling
        (32, 32, 9, 3, (12, 20), (3, 5)),  # 4x spatial, odd frames from fewer latents
    ],
)
def test_the_kernel_computes_the_spatial_norm_then_silu(
    interpreter, channels, groups, frames, latent_frames, size, latent_size
):
    norm = _random_spatial_norm(channels, groups, seed=channels + frames)
    generator = torch.Generator().manual_seed(frames)
    f = torch.randn(2, channels, frames, *size, generator=generator) * 2 + 0.7
    zq = torch.randn(2, 16, latent_frames, *latent_size, generator=generator)
    with torch.no_grad():
        want, _ = norm(f, zq)
        norm.silu = True
        got, cache = fused_spatial_norm(norm, f, zq)
    assert cache == {} and _spatial_norm._compiled is not None  # the kernel ran
    torch.testing.assert_close(got, F.silu(want), rtol=1e-4, atol=1e-5)


def test_group_norm_with_silu_in_one_pass(interpreter):
    native = torch.nn.GroupNorm(4, 16, eps=1e-6)
    with torch.no_grad():
        native.weight.normal_()
        native.bias.normal_()
    wide = WideGroupNorm(4, 16, eps=1e-6)
    wide.load_state_dict(native.state_dict())
    wide.silu = True
    x = torch.randn(1, 16, 3, 5, 7, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(wide(x), F.silu(native(x)), rtol=1e-4, atol=1e-5)


def test_the_vae_gives_the_same_frames_and_latents_with_fused_norms(interpreter):
    torch.manual_seed(0)
    vae = tiny_vae().eval()
    generator = torch.Generator().manual_seed(0)
    latents = torch.randn(1, vae.config.latent_channels, 3, 6, 8, generator=generator)
    video = torch.rand(1, 3, 9, 32, 48, generator=generator) * 2 - 1
    with torch.no_grad():
        frames, encoded = vae.decode(latents).sample, vae.encode(video).latent_dist.mode()
        use_wide_group_norm(vae)
        folded = use_fused_norms(vae)
        # Every resnet block's two norms and the encoder's and decoder's output norms.
        resnets = sum(type(m).__name__ == "CogVideoXResnetBlock3D" for m in vae.modules())
        assert folded == 2 * resnets + 2
        assert not any(type(m) is torch.nn.SiLU for m in vae.modules())
        fused_frames = vae.decode(latents).sample
        fused_encoded = vae.encode(video).latent_dist.mode()
    assert _spatial_norm._compiled is not None and _row_affine._compiled is not None
    torch.testing.assert_close(fused_frames, frames, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(fused_encoded, encoded, rtol=1e-4, atol=1e-4)


def test_without_triton_the_folded_silu_still_applies():
    """CPU tensors outside the interpreter take the modules' own path, SiLU added."""
    torch.manual_seed(0)
    vae = tiny_vae().eval()
    latents = torch.randn(1, vae.config.latent_channels, 3, 6, 8)
    with torch.no_grad():
        frames = vae.decode(latents).sample
        use_wide_group_norm(vae)
        use_fused_norms(vae)
        torch.testing.assert_close(vae.decode(latents).sample, frames, rtol=1e-4, atol=1e-4)
