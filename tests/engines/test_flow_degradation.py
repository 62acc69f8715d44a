import numpy as np
import pytest

from sparkvsr.demo import camera_clip, degrade, sample_photo
from sparkvsr.engines.flow._degradation import back_project, measure_blur
from sparkvsr.engines.flow._degradation import degrade as engine_degrade
from sparkvsr.engines.flow._image import resize_flow, upscale
from sparkvsr.engines.flow._settings import FlowSettings
from sparkvsr.errors import InvalidInputError
from sparkvsr.pipeline import to_unit_float


@pytest.fixture(scope="module")
def photo():
    return camera_clip(sample_photo("astronaut"), (256, 192), 1, seed=1)[0]


@pytest.mark.parametrize("sigma", [0.0, 1.0, 1.5])
def test_the_blur_that_made_a_source_is_measured_on_its_keyframe(photo, sigma):
    low = to_unit_float(degrade(photo[None], 4, blur_sigma=sigma)[0], 8)
    measured, noise_power = measure_blur(to_unit_float(photo, 8), low, 4)
    assert measured == pytest.approx(sigma, abs=0.25)
    assert noise_power < (1 / 255) ** 2  # only 8-bit rounding is left


def test_the_noise_of_a_source_is_measured_and_not_put_back(photo):
    truth = to_unit_float(photo, 8)
    clean = engine_degrade(truth, 4, 1.0)
    noisy = clean + np.random.default_rng(0).normal(0, 0.02, clean.shape).astype(np.float32)
    assert measure_blur(truth, noisy, 4)[1] == pytest.approx(0.02**2, rel=0.3)
    start = upscale(clean, 4)
    aware = back_project(start, noisy, 4, 1.0, iterations=1, noise_power=0.02**2)
    unaware = back_project(start, noisy, 4, 1.0, iterations=1)
    assert np.abs(aware - truth).mean() < np.abs(unaware - truth).mean()


def test_back_projection_makes_the_output_degrade_to_its_source(photo):
    truth = to_unit_float(photo, 8)
    low = engine_degrade(truth, 4, 1.0)
    start = upscale(low, 4)
    corrected = back_project(start, low, 4, 1.0, iterations=2)

    def mismatch(image):
        return np.abs(engine_degrade(image, 4, 1.0) - low).mean()

    assert mismatch(corrected) < 0.5 * mismatch(start)
    assert np.abs(corrected - truth).mean() < np.abs(start - truth).mean()


def test_flow_resized_to_another_shape_scales_its_vectors():
    flow = np.full((10, 20, 2), 1.5, dtype=np.float32)
    big = resize_flow(flow, (40, 80))
    assert big.shape == (40, 80, 2)
    np.testing.assert_allclose(big, 6.0)


@pytest.mark.parametrize(
    "field, value",
    [
        ("flow_upsampling", 0),
        ("back_projection_iterations", -1),
        ("temporal_falloff", 0),
        ("workers", 0),
    ],
)
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(InvalidInputError, match=field):
        FlowSettings(**{field: value})
