"""WideGroupNorm computes nn.GroupNorm's function, and replaces it in place."""

import pytest
import torch
from tiny_model import tiny_vae

from sparkvsr.engines.sparkvsr._group_norm import WideGroupNorm, use_wide_group_norm
from sparkvsr.engines.sparkvsr._row_affine import row_affine, use_row_affine_bias


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


def test_convolutions_adding_their_bias_by_rows_keep_their_output():
    model = torch.nn.Sequential(torch.nn.Conv3d(3, 8, 3, padding=1), torch.nn.Conv3d(8, 4, 1))
    x = torch.randn(2, 3, 4, 6, 5, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        before = model(x)
        assert use_row_affine_bias(model) == 2
        torch.testing.assert_close(model(x), before, rtol=1e-5, atol=1e-6)


@pytest.mark.gpu
@pytest.mark.parametrize("shape", [(1, 128, 11, 68, 120), (2, 3, 5, 7, 9), (1, 16, 4097)])
def test_the_row_kernel_computes_the_broadcast_scale_and_shift(shape):
    generator = torch.Generator(device="cuda").manual_seed(shape[1])
    x = torch.randn(shape, device="cuda", generator=generator).bfloat16()
    scale = torch.randn(shape[0], shape[1], device="cuda", generator=generator)
    shift = torch.randn(shape[1], device="cuda", generator=generator)
    view = (-1, shape[1]) + (1,) * (len(shape) - 2)
    want = (x.float() * scale.reshape(view) + shift.reshape(view)).bfloat16()
    # The kernel fuses multiply and add (one float32 rounding, not two): 1 bf16 ulp at most.
    torch.testing.assert_close(row_affine(x, scale, shift), want, rtol=2**-7, atol=1e-5)
    biased = (x.float() + shift.reshape(view)).bfloat16()
    assert row_affine(x, None, shift, out=x) is x  # in place, as the convolutions use it
    torch.testing.assert_close(x, biased, rtol=0, atol=0)
