import numpy as np
import pytest

from sparkvsr.window_plan import chunk_weights, plan_chunks


@pytest.mark.parametrize("frames", [1, 7, 8, 9, 49, 50, 97, 200, 201])
@pytest.mark.parametrize("length, overlap", [(8, 0), (8, 2), (49, 8), (17, 8)])
def test_chunks_cover_the_clip_with_full_length_and_enough_overlap(frames, length, overlap):
    chunks = plan_chunks(frames, length, overlap)
    assert chunks[0].start == 0 and chunks[-1].stop == frames
    for chunk in chunks:
        assert len(chunk) == min(length, frames)  # the last chunk is never short
    for before, after in zip(chunks, chunks[1:]):
        assert before.stop - after.start >= overlap
        assert after.start > before.start


@pytest.mark.parametrize("frames, length, overlap", [(50, 8, 2), (200, 49, 8), (20, 17, 8)])
def test_weights_sum_to_one_and_ramp_smoothly(frames, length, overlap):
    chunks = plan_chunks(frames, length, overlap)
    weights = chunk_weights(chunks)
    total = np.zeros(frames)
    for chunk, weight in zip(chunks, weights):
        assert np.all(weight > 0)
        total[chunk.start : chunk.stop] += weight
    np.testing.assert_allclose(total, 1.0, atol=1e-6)
    # Within an overlap the incoming chunk's weight rises monotonically.
    for i in range(1, len(chunks)):
        head = chunks[i - 1].stop - chunks[i].start
        assert np.all(np.diff(weights[i][:head]) > 0)


def test_no_overlap_means_weight_one():
    weights = chunk_weights(plan_chunks(16, 4, 0))
    assert all(np.all(w == 1.0) for w in weights)
