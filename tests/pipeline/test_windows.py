"""The window store seam of run_job: exact reuse, only what a changed keyframe reaches is
recomputed, windows that continue others stay exact; and the out-of-memory retry."""

import dataclasses

import numpy as np
import pytest
from helpers import KEYED_INFO, BilinearEngine, KeyedEngine, random_job

from sparkvsr.engines import load_engine
from sparkvsr.engines.flow import FlowEngine, FlowSettings
from sparkvsr.errors import DeviceOutOfMemoryError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import Keyframe
from sparkvsr.window_plan import plan_chunks


class DictWindows:
    def __init__(self):
        self.stored: dict[str, np.ndarray] = {}

    def load(self, key):
        return self.stored.get(key)

    def save(self, key, output):
        self.stored[key] = output.copy()


def images(spec, items, engine, **kw):
    return [frame.image for frame in run_job(spec, engine, items, **kw)]


def with_keyframe(items, index, seed):
    changed = np.random.default_rng(seed).integers(0, 256, items[0].image.shape, dtype=np.uint8)
    return [
        Keyframe(index, changed)
        if getattr(i, "index", None) == index and isinstance(i, Keyframe)
        else i
        for i in items
    ]


def test_a_changed_keyframe_recomputes_only_the_windows_that_hold_it():
    spec, items = random_job(count=60, keyframes=(0, 30), engine="keyed")
    windows, stages = DictWindows(), []
    first = KeyedEngine()
    images(spec, items, first, windows=windows)
    chunks = plan_chunks(60, 8, 2)
    assert first.runs == len(chunks)

    edited = with_keyframe(items, 30, seed=5)
    again = KeyedEngine()
    got = images(spec, edited, again, windows=windows, report=stages.append)
    holding = sum(1 for chunk in chunks if 30 in chunk)
    assert again.runs == holding  # 1 or 2 (an overlap), out of 10
    assert stages[-1] == f"reused {len(chunks) - holding} of {len(chunks)} windows"
    for a, b in zip(got, images(spec, edited, KeyedEngine())):  # the same as without the store
        np.testing.assert_array_equal(a, b)


def test_an_engine_reading_the_previous_output_gets_windows_keyed_by_it():
    # flow: chunks of 4, keyframes reach 48 frames, and each chunk reads the previous output.
    spec, items = random_job(count=80, size=(24, 16), keyframes=(0, 70), engine="flow")
    engine = load_engine("flow")
    windows = DictWindows()
    images(spec, items, engine, windows=windows)
    edited = with_keyframe(items, 70, seed=9)
    stages = []
    got = images(spec, edited, engine, windows=windows, report=stages.append)
    for a, b in zip(got, images(spec, edited, engine)):
        np.testing.assert_array_equal(a, b)
    # The windows out of the keyframe's reach before it are reused; from the first it reaches
    # on, every window's input state changed with it.
    unreached = sum(1 for chunk in plan_chunks(80, 4, 0) if chunk.stop + 48 <= 70)
    assert stages[-1] == f"reused {unreached} of 20 windows"


def test_windows_made_with_other_engine_settings_are_not_reused():
    spec, items = random_job(count=24, size=(24, 16), keyframes=(0,), engine="flow")
    windows, stages = DictWindows(), []
    images(spec, items, FlowEngine(FlowSettings(workers=2)), windows=windows)
    faster = FlowEngine(FlowSettings(workers=1))  # the same output, so the same windows
    images(spec, items, faster, windows=windows, report=stages.append)
    assert stages[-1] == "reused 6 of 6 windows"
    changed = FlowSettings(back_projection_iterations=0)
    reports = len(stages)
    got = images(spec, items, FlowEngine(changed), windows=windows, report=stages.append)
    assert len(stages) == reports and len(windows.stored) == 12  # none reused, six more kept
    for a, b in zip(got, images(spec, items, FlowEngine(changed))):
        np.testing.assert_array_equal(a, b)


class ChainedKeyedEngine(KeyedEngine):
    """KeyedEngine whose windows continue the finished frame before them."""

    info = dataclasses.replace(KEYED_INFO, window_dependency="until_keyframe_on_first_frame")


def test_windows_continuing_a_changed_window_are_keyed_by_what_they_continue():
    spec, items = random_job(count=60, keyframes=(0, 30), engine="keyed")
    windows = DictWindows()
    images(spec, items, ChainedKeyedEngine(), windows=windows)
    edited = with_keyframe(items, 30, seed=5)
    again = ChainedKeyedEngine()
    got = images(spec, edited, again, windows=windows)
    # The windows holding keyframe 30 changed, and so did the frames the window after them
    # continues: it runs again although it holds no keyframe. The ones after it continue
    # unchanged frames (this engine ignores them), so their keys, and outputs, are the same.
    holding = sum(1 for chunk in plan_chunks(60, 8, 2) if 30 in chunk)
    assert again.runs == holding + 1
    for a, b in zip(got, images(spec, edited, ChainedKeyedEngine())):
        np.testing.assert_array_equal(a, b)


class RunsOutOfMemoryOnce(BilinearEngine):
    def __init__(self, can_shrink=True):
        super().__init__()
        self.tile = 512 if can_shrink else None
        self.failed = False

    def upscale_chunk(self, chunk):
        if not self.failed:
            self.failed = True
            raise DeviceOutOfMemoryError("CUDA out of memory (tried to allocate 2 GiB)")
        return super().upscale_chunk(chunk)

    def use_less_memory(self):
        if self.tile is None:
            return None
        self.tile //= 2
        return f"tiles of {self.tile} px"


def test_out_of_memory_retries_the_window_with_smaller_tiles_and_says_so():
    spec, items = random_job(count=20)
    stages = []
    got = images(spec, items, RunsOutOfMemoryOnce(), report=stages.append)
    assert stages == ["out of device memory at frame 0; retrying with tiles of 256 px"]
    for a, b in zip(got, images(spec, items, BilinearEngine())):
        np.testing.assert_array_equal(a, b)


def test_out_of_memory_fails_the_job_when_the_engine_cannot_go_lower():
    spec, items = random_job(count=20)
    with pytest.raises(DeviceOutOfMemoryError, match="tried to allocate"):
        images(spec, items, RunsOutOfMemoryOnce(can_shrink=False))
