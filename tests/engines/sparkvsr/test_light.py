"""The diffusion engine's encoding of scene-linear light: into [0, 1] and back, exactly enough
for half floats, and no change at all for display-referred windows."""

from __future__ import annotations

import numpy as np

from sparkvsr.engines.sparkvsr._light import decode_light, encode_light, light_range


def test_scene_linear_light_goes_into_the_models_range_and_back():
    images = np.linspace(-0.5, 16.0, 4097, dtype=np.float32).reshape(1, 17, 241, 1)
    low, high = light_range(images)
    assert (low, high) == (-0.5, 16.0)
    encoded = encode_light(images, low, high)
    assert encoded.min() == 0.0 and abs(float(encoded.max()) - 1.0) < 1e-6
    assert np.all(np.diff(encoded.ravel()) > 0)  # order kept: no two values merge
    decoded = decode_light(encoded, low, high)
    # Within half float's precision (11 significant bits) of every value.
    np.testing.assert_allclose(decoded, images, rtol=2**-11, atol=1e-4)


def test_display_referred_windows_pass_unchanged():
    images = np.random.default_rng(0).random((2, 4, 4, 3), dtype=np.float32)
    low, high = light_range(images, images[:1] * 0.5)
    assert (low, high) == (0.0, 1.0)
    assert encode_light(images, low, high) is images
    assert decode_light(images, low, high) is images


def test_mid_grey_keeps_more_codes_than_a_linear_rescale():
    low, high = -0.5, 16.0
    grey = np.float32([[0.18]])
    assert encode_light(grey, low, high) > (0.18 - low) / (high - low) * 3


def test_infinities_and_nan_stay_in_their_pixels():
    images = np.linspace(-0.5, 4.0, 64, dtype=np.float32).reshape(1, 4, 16, 1)
    odd = (0, 1, slice(5, 8), 0)
    images[odd] = [np.inf, -np.inf, np.nan]
    low, high = light_range(images)
    assert (low, high) == (-0.5, 4.0)  # the finite samples' range
    decoded = decode_light(encode_light(images, low, high), low, high)
    assert np.isfinite(decoded).all()
    np.testing.assert_allclose(decoded[odd], [4.0, -0.5, -0.5], atol=1e-5)
    finite = np.isfinite(images)
    np.testing.assert_allclose(decoded[finite], images[finite], rtol=2**-11, atol=1e-4)
    display = np.float32([[[[0.25], [np.nan]]]])
    assert light_range(display) == (0.0, 1.0)
    np.testing.assert_array_equal(encode_light(display, 0.0, 1.0), [[[[0.25], [0.0]]]])
