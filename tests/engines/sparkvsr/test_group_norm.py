"""WideGroupNorm computes nn.GroupNorm's function, and replaces it in place."""

import pytest
import torch
from tiny_model import tiny_vae

from sparkvsr.engines.sparkvsr._group_norm import WideGroupNorm, use_wide_group_norm


@pytest.mark.parametrize("shape", [(1, 64, 3, 10, 12), (2, 32, 7, 9), (1, 8, 5)])
def test_wide_group_norm_matches_group_norm(shape):
    generator = torch.Generator().manual_seed(shape[1])
    x = torch.randn(shape, generator=generator) * 3 + 1.5  # an offset, as activations have
    native = torch.nn.GroupNorm(8, shape[1], eps=1e-6)
    with torch.no_grad():
        native.weight.copy_(torch.randn(shape[1], generator=generator))
        native.bias.copy_(torch.randn(shape[1], generator=generator))
    wide = WideGroupNorm(8, shape[1], eps=1e-6)
    wide.load_state_dict(native.state_dict())
    with torch.no_grad():
        want, got, got16 = native(x), wide(x), wide.bfloat16()(x.bfloat16()).float()
    assert (torch.linalg.norm(got - want) / torch.linalg.norm(want)).item() < 1e-5
    # In bf16 the two differ by rounding only.
    assert (torch.linalg.norm(got16 - want) / torch.linalg.norm(want)).item() < 1e-2


def test_replacement_shares_parameters_and_keeps_the_model_s_output():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3),
        torch.nn.GroupNorm(4, 16),
        torch.nn.SiLU(),
        torch.nn.Sequential(torch.nn.GroupNorm(2, 16, affine=False)),
    )
    x = torch.randn(1, 3, 12, 12)
    before = model(x)
    weight = model[1].weight
    assert use_wide_group_norm(model) == 2
    assert type(model[1]) is WideGroupNorm and model[1].weight is weight
    assert type(model[3][0]) is WideGroupNorm
    with torch.no_grad():
        torch.testing.assert_close(model(x), before, rtol=1e-4, atol=1e-5)
    model(x).sum().backward()  # differentiable too
    assert weight.grad is not None


def test_the_vae_gives_the_same_frames_with_wide_group_norm():
    vae = tiny_vae().eval()
    latents = torch.randn(
        1, vae.config.latent_channels, 3, 6, 8, generator=torch.Generator().manual_seed(0)
    )
    with torch.no_grad():
        before = vae.decode(latents).sample
        assert use_wide_group_norm(vae) > 0
        after = vae.decode(latents).sample
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-4)
