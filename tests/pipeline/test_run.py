import numpy as np
import pytest
from helpers import BilinearEngine

from sparkvsr.engines import EngineChunk
from sparkvsr.errors import EngineError, InvalidInputError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

LOW = FrameLayout(16, 12)


def frames(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, 12, 16, 3), dtype=np.uint8)


class ChunkOffsetEngine(BilinearEngine):
    """Adds a different brightness per chunk: a hard cut between chunks would show as a step."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        self.calls += 1
        return super().upscale_chunk(chunk) + np.float32(0.1 * (self.calls % 2))


def test_frames_come_out_in_order_and_each_once():
    low = frames(30)
    spec = JobSpec(30, LOW, scale=2, engine="bilinear")
    out = list(run_job(spec, BilinearEngine(), [SourceFrame(i, f) for i, f in enumerate(low)]))
    assert [o.index for o in out] == list(range(30))
    assert out[0].image.shape == (24, 32, 3) and out[0].image.dtype == np.uint8


def test_overlapping_chunks_blend_without_a_step():
    flat = np.full((40, 12, 16, 3), 100, dtype=np.uint8)
    spec = JobSpec(40, LOW, scale=2, engine="bilinear", chunk_length=10, chunk_overlap=4)
    items = [SourceFrame(i, f) for i, f in enumerate(flat)]
    means = [o.image.astype(float).mean() for o in run_job(spec, ChunkOffsetEngine(), items)]
    steps = np.abs(np.diff(means))
    # The chunk offset is 25.5 grey levels; spread over a 4-frame ramp no step exceeds ~a third.
    assert steps.max() < 25.5 / 2.5
    assert np.ptp(means) > 20  # the offsets are really there


def test_keyframe_images_may_arrive_after_their_frames():
    low, high = frames(12), np.zeros((12, 24, 32, 3), np.uint8)
    spec = JobSpec(12, LOW, scale=2, engine="bilinear", keyframe_indices=(0, 8))
    items = [SourceFrame(i, f) for i, f in enumerate(low)] + [
        Keyframe(8, high[8]),
        Keyframe(0, high[0]),
    ]
    assert len(list(run_job(spec, BilinearEngine(), items))) == 12


def test_keyframe_of_wrong_size_names_the_frame():
    spec = JobSpec(8, LOW, scale=2, engine="bilinear", keyframe_indices=(4,))
    items = [Keyframe(4, np.zeros((12, 16, 3), np.uint8))] + [
        SourceFrame(i, f) for i, f in enumerate(frames(8))
    ]
    with pytest.raises(
        InvalidInputError, match=r"keyframe image 4 is 16x12x3 uint8; expected 32x24x3"
    ):
        list(run_job(spec, BilinearEngine(), items))


def test_keyframes_closer_than_the_engine_allows_are_rejected():
    spec = JobSpec(20, LOW, scale=2, engine="bilinear", keyframe_indices=(4, 6))
    with pytest.raises(InvalidInputError, match="keyframes 4 and 6 are 2 frames apart.*at least 4"):
        list(run_job(spec, BilinearEngine(), []))


def test_missing_frames_and_extra_frames_are_errors():
    spec = JobSpec(10, LOW, scale=2, engine="bilinear")
    with pytest.raises(InvalidInputError, match="ended after 6 of 10 frames"):
        list(run_job(spec, BilinearEngine(), [SourceFrame(i, f) for i, f in enumerate(frames(6))]))
    with pytest.raises(InvalidInputError, match="past the job's 10 frames"):
        list(run_job(spec, BilinearEngine(), [SourceFrame(i, f) for i, f in enumerate(frames(11))]))


def test_a_keyframe_that_never_comes_fails_before_reading_everything():
    count = 400
    spec = JobSpec(count, LOW, scale=2, engine="bilinear", keyframe_indices=(0,))
    pulled = []

    def source():
        for i, f in enumerate(frames(count)):
            pulled.append(i)
            yield SourceFrame(i, f)

    with pytest.raises(InvalidInputError, match="waiting for the keyframe image of frame 0"):
        list(run_job(spec, BilinearEngine(), source()))
    assert len(pulled) < 100  # lookahead is bounded, not the whole clip


def test_malformed_engine_output_is_an_engine_error():
    class Broken(BilinearEngine):
        def upscale_chunk(self, chunk):
            return super().upscale_chunk(chunk)[:, :4]

    spec = JobSpec(4, LOW, scale=2, engine="bilinear")
    with pytest.raises(EngineError, match="returned float32"):
        list(run_job(spec, Broken(), [SourceFrame(i, f) for i, f in enumerate(frames(4))]))


def test_sixteen_bit_frames_stay_sixteen_bit():
    low = np.random.default_rng(0).integers(0, 65536, (4, 12, 16, 3), dtype=np.uint16)
    spec = JobSpec(4, FrameLayout(16, 12, 3, 16), scale=2, engine="bilinear")
    out = list(run_job(spec, BilinearEngine(), [SourceFrame(i, f) for i, f in enumerate(low)]))
    assert out[0].image.dtype == np.uint16
