import numpy as np
import pytest

from sparkvsr.demo import camera_clip, degrade, psnr, sample_photo
from sparkvsr.engines import ChunkKeyframe, EngineChunk, load_engine
from sparkvsr.engines.flow import FlowEngine, FlowSettings, blind_base
from sparkvsr.errors import InvalidInputError
from sparkvsr.pipeline import from_unit_float, run_job, to_unit_float
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame


@pytest.fixture(scope="module")
def moving_clip():
    truth = camera_clip(sample_photo("motorcycle"), (256, 160), 20, seed=2)
    return truth, degrade(truth, 4)


def upscale(truth, low, keyframes):
    spec = JobSpec(len(low), FrameLayout.of(low[0]), keyframe_indices=tuple(keyframes))
    items = [Keyframe(k, truth[k]) for k in keyframes] + [
        SourceFrame(i, f) for i, f in enumerate(low)
    ]
    return np.stack([o.image for o in run_job(spec, load_engine("flow"), items)])


def test_a_keyframe_reproduces_itself(moving_clip):
    truth, low = moving_clip
    out = upscale(truth, low, [0, 10])
    assert psnr(out[10], truth[10]) > 45
    assert psnr(out[0], truth[0]) > 45


@pytest.mark.parametrize("kind", ["bicubic", "sharp"])
def test_without_keyframes_the_output_is_the_blind_base(moving_clip, kind):
    truth, low = moving_clip
    spec = JobSpec(len(low), FrameLayout.of(low[0]))
    engine = FlowEngine(FlowSettings(blind_base=kind))
    out = [f.image for f in run_job(spec, engine, [SourceFrame(i, f) for i, f in enumerate(low)])]
    base = [from_unit_float(blind_base(to_unit_float(f, 8), 4, kind), 8) for f in low]
    np.testing.assert_array_equal(np.stack(out), np.stack(base))


def test_the_sharp_base_beats_bicubic_without_keyframes(moving_clip):
    truth, low = moving_clip
    sharp = [from_unit_float(blind_base(to_unit_float(f, 8), 4, "sharp"), 8) for f in low]
    cubic = [from_unit_float(blind_base(to_unit_float(f, 8), 4, "bicubic"), 8) for f in low]
    gains = [psnr(s, t) - psnr(c, t) for s, c, t in zip(sharp, cubic, truth)]
    assert np.mean(gains) > 0


def test_bad_settings_name_the_allowed_values():
    with pytest.raises(
        InvalidInputError, match=r"blind_base must be one of \('bicubic', 'sharp'\)"
    ):
        FlowSettings(blind_base="magic")


def test_keyframe_detail_improves_nearby_frames_over_bicubic(moving_clip):
    truth, low = moving_clip
    out = upscale(truth, low, [0, 19])
    base = upscale(truth, low, [])
    gains = [psnr(o, t) - psnr(b, t) for o, b, t in zip(out[1:19], base[1:19], truth[1:19])]
    assert np.mean(gains) > 0.5
    assert min(gains) > -0.1


def test_zero_confidence_falls_back_to_the_blind_base():
    # A keyframe of unrelated content: flow and photometric checks must reject its detail.
    rng = np.random.default_rng(0)
    frame = rng.random((1, 24, 32, 3), dtype=np.float32)
    stranger = rng.random((96, 128, 3), dtype=np.float32)
    chunk = EngineChunk(
        frame, (ChunkKeyframe(3, stranger, rng.random((24, 32, 3), dtype=np.float32)),), 4
    )
    out = FlowEngine().upscale_chunk(chunk)[0]
    np.testing.assert_array_equal(out, blind_base(frame[0], 4, FlowSettings().blind_base))


def test_detail_never_crosses_a_scene_cut():
    first = camera_clip(sample_photo("motorcycle"), (256, 160), 8, seed=2)
    second = camera_clip(sample_photo("rocket"), (256, 160), 8, seed=4)
    truth = np.concatenate([first, second])
    low = degrade(truth, 4)
    out = upscale(truth, low, [0, 6])  # keyframes only in the first shot, one 2 frames from the cut
    base = upscale(truth, low, [])
    np.testing.assert_array_equal(out[8:], base[8:])
    assert psnr(out[7], truth[7]) > psnr(base[7], truth[7]) + 1  # before the cut they do help


def test_results_are_deterministic(moving_clip):
    truth, low = moving_clip
    np.testing.assert_array_equal(upscale(truth, low, [5]), upscale(truth, low, [5]))


def test_a_farther_keyframe_on_the_same_side_changes_nothing(moving_clip):
    # Only the nearest keyframe before and after a frame guide it.
    truth, low = moving_clip
    both, nearest = upscale(truth, low, [0, 4]), upscale(truth, low, [4])
    np.testing.assert_array_equal(both[5:], nearest[5:])
    assert not np.array_equal(both[1:4], nearest[1:4])


def test_keyframes_in_another_shot_leave_the_blind_base_untouched():
    # Neither detail nor the blur measured on a keyframe crosses a cut, even when it is the
    # only keyframe in reach.
    first = camera_clip(sample_photo("motorcycle"), (256, 160), 6, seed=2)
    second = camera_clip(sample_photo("rocket"), (256, 160), 6, seed=4)
    truth = np.concatenate([first, second])
    low = degrade(truth, 4, blur_sigma=1.0)
    out, base = upscale(truth, low, [8]), upscale(truth, low, [])
    np.testing.assert_array_equal(out[:6], base[:6])
    assert psnr(out[7], truth[7]) > psnr(base[7], truth[7]) + 1


def test_frames_upscaled_side_by_side_match_one_at_a_time(moving_clip):
    truth, low = moving_clip
    frames = np.stack([to_unit_float(f, 8) for f in low[:4]])
    keys = (ChunkKeyframe(-2, to_unit_float(truth[0], 8), to_unit_float(low[0], 8)),)
    chunk = EngineChunk(frames, keys, 4)
    serial = FlowEngine(FlowSettings(workers=1)).upscale_chunk(chunk)
    np.testing.assert_array_equal(FlowEngine(FlowSettings(workers=4)).upscale_chunk(chunk), serial)
