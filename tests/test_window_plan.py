import dataclasses

import numpy as np
import pytest

from sparkvsr.engines import FLOW_ENGINE_INFO, SPARKVSR_ENGINE_INFO
from sparkvsr.specs import FrameLayout, JobSpec
from sparkvsr.window_plan import (
    ChunkPlan,
    chunk_weights,
    keyframes_for_independence,
    plan_chunks,
    plan_windows,
    weights_of_chunk,
    window_chains,
    window_groups,
    window_seed,
)

# An engine whose windows continue the finished frame before them (a recursive filter).
CHAINED_INFO = dataclasses.replace(
    FLOW_ENGINE_INFO, name="chained", window_dependency="until_keyframe_on_first_frame"
)


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


def _spec(frames, keys=(), length=None, overlap=None, engine="flow"):
    return JobSpec(
        frames,
        FrameLayout(8, 8),
        engine=engine,
        keyframe_indices=keys,
        chunk_length=length,
        chunk_overlap=overlap,
    )


def test_windows_carry_the_chunks_weights_keyframes_in_reach_and_seeds():
    spec = _spec(40, keys=(0, 30), length=8, overlap=2)
    windows = plan_windows(spec, FLOW_ENGINE_INFO, seed=7)
    assert [w.frames for w in windows] == list(plan_chunks(40, 8, 2))
    for window, weights in zip(windows, chunk_weights(plan_chunks(40, 8, 2))):
        assert np.array_equal(window.weights, weights)
    # Flow's reach is 48 frames: both keyframes guide every window.
    assert all(w.keyframes == (0, 30) for w in windows)
    assert [w.seed for w in windows] == [window_seed(7, i) for i in range(len(windows))]
    assert len({w.seed for w in windows}) == len(windows)
    assert window_seed(7, 1) != window_seed(8, 1)


def test_flow_windows_are_independent():
    windows = plan_windows(_spec(32, keys=(0, 16, 21), length=8, overlap=2), FLOW_ENGINE_INFO)
    assert all(not w.depends_on for w in windows)
    assert window_chains(windows) == tuple((i,) for i in range(len(windows)))


def test_chained_windows_chain_until_a_keyframe_sits_on_a_first_frame():
    windows = plan_windows(_spec(32, keys=(0, 16, 21), length=8, overlap=0), CHAINED_INFO)
    assert [w.depends_on for w in windows] == [(), (0,), (), (2,)]
    assert window_chains(windows) == ((0, 1), (2, 3))


def test_sparkvsr_windows_depend_only_without_a_keyframe_inside():
    spec = _spec(130, keys=(10, 100), engine="sparkvsr")
    windows = plan_windows(spec, SPARKVSR_ENGINE_INFO)
    assert [w.frames.start for w in windows] == [0, 40, 81]
    assert [w.depends_on for w in windows] == [(), (0,), ()]
    # No overlap, nothing carried: independent.
    spec = _spec(147, keys=(10,), length=49, overlap=0, engine="sparkvsr")
    assert all(not w.depends_on for w in plan_windows(spec, SPARKVSR_ENGINE_INFO))


def test_a_window_depends_on_every_window_covering_the_frame_before_it():
    windows = plan_windows(_spec(30, length=10, overlap=7), CHAINED_INFO)
    for window in windows[1:]:
        before = window.frames.start - 1
        assert window.depends_on == tuple(
            w.index for w in windows[: window.index] if before in w.frames
        )


def test_groups_keep_chains_whole():
    windows = plan_windows(_spec(64, keys=(0, 16, 40), length=8, overlap=0), CHAINED_INFO)
    chains = window_chains(windows)
    assert chains == ((0, 1), (2, 3, 4), (5, 6, 7))
    assert window_groups(windows, 2) == chains
    assert window_groups(windows, 5) == ((0, 1, 2, 3, 4), (5, 6, 7))
    assert sum(window_groups(windows, 1), ()) == tuple(range(8))


@pytest.mark.parametrize(
    "info, spec",
    [
        (CHAINED_INFO, _spec(50, keys=(3,), length=8, overlap=0)),
        (SPARKVSR_ENGINE_INFO, _spec(300, keys=(2, 44), engine="sparkvsr")),
    ],
)
def test_keyframe_every_chunk_makes_every_window_independent(info, spec):
    added = keyframes_for_independence(spec, info)
    assert added and not set(added) & set(spec.keyframe_indices)
    keys = tuple(sorted(spec.keyframe_indices + added))
    assert all(b - a >= info.min_keyframe_gap for a, b in zip(keys, keys[1:]))
    spec = _spec(spec.frame_count, keys, spec.chunk_length, spec.chunk_overlap, spec.engine)
    assert all(not w.depends_on for w in plan_windows(spec, info))


@pytest.mark.parametrize("frames, length, overlap", [(50, 8, 2), (200, 49, 8), (20, 17, 8)])
def test_a_lazy_plan_matches_the_whole_plan(frames, length, overlap):
    plan = ChunkPlan(frames, length, overlap)
    whole = plan_chunks(frames, length, overlap)
    assert tuple(plan) == whole
    for i, weights in enumerate(chunk_weights(whole)):
        np.testing.assert_allclose(weights_of_chunk(plan, i), weights, atol=1e-7)


def test_a_huge_plan_costs_nothing_until_its_chunks_are_read():
    plan = ChunkPlan(10**15, 49, 8)
    assert len(plan) > 10**13 and plan[-1].stop == 10**15


def test_a_huge_window_plan_costs_nothing_until_its_windows_are_read():
    plan = plan_windows(_spec(10**15, keys=(10,), length=49, overlap=8), SPARKVSR_ENGINE_INFO)
    assert len(plan) > 10**13 and plan[-1].frames.stop == 10**15
    assert plan[-1].depends_on == (len(plan) - 2,) and plan[-1].shared == (8, 0)
