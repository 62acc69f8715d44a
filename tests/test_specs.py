import numpy as np
import pytest

from sparkvsr.errors import InvalidInputError
from sparkvsr.specs import FrameLayout, FrameRange, JobSpec

LAYOUT = FrameLayout(32, 16)


def test_layout_derives_sizes_and_scaling():
    layout = FrameLayout(32, 16, 4, 16, "bottom_up")
    assert layout.shape == (16, 32, 4)
    assert layout.nbytes == 32 * 16 * 4 * 2
    assert layout.scaled(4) == FrameLayout(128, 64, 4, 16, "bottom_up")
    assert FrameLayout.of(np.zeros((16, 32, 3), np.uint16)) == FrameLayout(32, 16, 3, 16)


def test_half_float_layouts_carry_scene_linear_light():
    layout = FrameLayout.of(np.zeros((16, 32, 4), np.float16))
    assert layout == FrameLayout(32, 16, 4, 16, sample_format="float")
    assert (layout.dtype, layout.depth, layout.max_value) == (np.dtype("<f2"), "half", 1)
    assert layout.scaled(2).sample_format == "float"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"channels": 2}, "channels must be 1, 3 or 4"),
        ({"bit_depth": 10}, "bit_depth must be 8 or 16"),
        ({"row_order": "sideways"}, "row_order must be one of"),
        ({"sample_format": "int"}, "sample_format must be one of"),
        ({"sample_format": "float"}, "float samples are 16-bit"),
    ],
)
def test_layout_rejects_bad_values_naming_them(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        FrameLayout(32, 16, **kwargs)


def test_job_spec_rejects_keyframe_out_of_range():
    with pytest.raises(InvalidInputError, match=r"keyframe 70 is out of range: the clip has 64"):
        JobSpec(64, LAYOUT, keyframe_indices=(0, 70))


def test_job_spec_rejects_unsorted_keyframes():
    with pytest.raises(InvalidInputError, match="sorted and unique"):
        JobSpec(64, LAYOUT, keyframe_indices=(8, 4))


def test_frame_range_is_half_open():
    frames = FrameRange(10, 20)
    assert len(frames) == 10 and 10 in frames and 20 not in frames
    with pytest.raises(InvalidInputError):
        FrameRange(5, 5)
