"""The pipeline's rules, on a tiny random model of the real classes, run on the CPU."""

import math

import pytest
import torch

from sparkvsr.engines.sparkvsr import _plan as plan
from sparkvsr.errors import InvalidInputError


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


class Spy:
    """Records what the transformer and the VAE decoder are given and return."""

    def __init__(self, pipeline):
        self.inputs, self.outputs, self.decoded = [], [], []
        pipeline.transformer.register_forward_hook(self._transformer, with_kwargs=True)
        pipeline.vae.decoder.register_forward_pre_hook(self._decoder)

    def _transformer(self, module, args, kwargs, output):
        self.inputs.append(kwargs["hidden_states"].clone())
        self.outputs.append(output[0].clone())

    def _decoder(self, module, args):
        self.decoded.append(args[0].clone())


@pytest.mark.parametrize("frames, expected", [(1, 1), (2, 9), (9, 9), (10, 17), (49, 49)])
def test_frame_counts_pad_to_8k_plus_1(frames, expected):
    assert plan.padded_frame_count(frames) == expected


def test_odd_sizes_are_padded_then_cropped_back(pipeline):
    frames = torch.rand(5, 3, 10, 14)  # 5 frames -> 9; 10x14 -> 12x16
    video = pipeline.prepare_video(frames)
    assert tuple(video.shape) == (1, 3, 9, 48, 64)
    assert torch.all(video[0, :, 5:] == video[0, :, 4:5])  # the last frame repeated
    assert video[0, :, :, 44:, :].max() < -0.99  # zero padding (bottom), x4
    out = pipeline(frames, generator=seeded())
    assert tuple(out.shape) == (5, 3, 40, 56) and 0 <= out.min() and out.max() <= 1


def test_keyframes_land_in_their_latent_slots_and_odd_latents_get_a_prepended_frame(pipeline):
    spy = Spy(pipeline)
    frames = torch.rand(9, 3, 8, 8)  # 9 frames -> 3 latent frames: odd
    pipeline(frames, {0: torch.rand(3, 32, 32), 5: torch.rand(3, 32, 32)}, 1.0, seeded())
    hidden = spy.inputs[0]
    assert hidden.shape[1] == 4 and hidden.shape[2] == 32  # 3 latents + prepended copy; 16 + 16
    assert torch.equal(hidden[:, 0], hidden[:, 1])  # the copy of latent frame 0, all channels
    reference = hidden[0, 1:, 16:]
    used = [bool(reference[i].abs().sum() > 0) for i in range(3)]
    assert used == [True, True, False]  # frames 0 and 5 -> slots 0 and 1
    assert spy.outputs[0].shape[1] == 4  # and the copy is dropped after the pass
    assert spy.decoded[0].shape[2] == 3


def test_keyframes_sharing_a_slot_are_rejected(pipeline):
    with pytest.raises(InvalidInputError, match="at least 4 frames apart"):
        pipeline(torch.rand(9, 3, 8, 8), {4: torch.rand(3, 32, 32), 6: torch.rand(3, 32, 32)})


def test_x0_follows_v_prediction_at_timestep_399(pipeline):
    assert pipeline.alpha_sqrt**2 == pytest.approx(0.393544, abs=1e-6)  # the base config's
    spy = Spy(pipeline)
    captured = {}
    original_encode = pipeline.encode

    def encode(video, generator):
        latents = original_encode(video, generator)
        captured.setdefault("lr", latents)
        return latents

    pipeline.encode = encode
    pipeline(torch.rand(9, 3, 8, 8), generator=seeded())
    z, v = captured["lr"][0].double(), spy.outputs[0][0, 1:].double()  # drop the prepended copy
    a = 0.393544
    expected = (math.sqrt(a) * z - math.sqrt(1 - a) * v) / 0.7
    decoded = spy.decoded[0][0].permute(1, 0, 2, 3).double()
    torch.testing.assert_close(decoded, expected, rtol=1e-4, atol=1e-4)


def test_guidance_one_is_one_pass_and_zero_is_blind(pipeline):
    frames, keys = torch.rand(9, 3, 8, 8), {0: torch.rand(3, 32, 32)}
    spy = Spy(pipeline)
    guided = pipeline(frames, keys, 1.0, seeded())
    assert len(spy.inputs) == 1 and spy.inputs[0].shape[0] == 1
    blind = pipeline(frames, {}, 1.0, seeded())
    zero = pipeline(frames, keys, 0.0, seeded())
    torch.testing.assert_close(zero, blind)
    assert not torch.allclose(guided, blind)
    pipeline(frames, keys, 1.5, seeded())
    assert spy.inputs[-1].shape[0] == 2  # with and without keyframes, in one batch


def test_the_same_seed_gives_the_same_frames(pipeline):
    frames = torch.rand(9, 3, 8, 8)
    first = pipeline(frames, generator=seeded(3))
    assert torch.equal(first, pipeline(frames, generator=seeded(3)))
    assert not torch.equal(first, pipeline(frames, generator=seeded(4)))
