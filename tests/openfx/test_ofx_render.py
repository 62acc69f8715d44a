"""The effect against a real server's gateway: every rendered frame equals the library's
in-process result for its window, one job per window, concurrent renders, the three depths."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from conftest import in_depth
from expected import expected_frame
from gateway_proxy import RecordingProxy
from ofx_host import OK
from ofx_instance import EffectInstance

WINDOW = 4


@pytest.fixture
def proxy(gateway_url):
    proxy = RecordingProxy(gateway_url)
    yield proxy
    proxy.close()


def effect_on(host, frames, proxy, **params) -> EffectInstance:
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=WINDOW, **params)
    return effect


def assert_rendered(effect, frames, time, scale=4, mode="restore"):
    status, frame = effect.render(time)
    assert status == OK
    assert effect.message() is None, effect.message()
    expected = expected_frame(frames, time, scale, mode, WINDOW)
    assert frame.dtype == expected.dtype and frame.shape == expected.shape
    assert np.array_equal(frame, expected)


@pytest.mark.slow
@pytest.mark.parametrize("depth", ["8", "16", "float"])
def test_every_frame_equals_the_library_for_its_window(host, host_frames, proxy, depth):
    frames = in_depth(host_frames, depth)
    effect = effect_on(host, frames, proxy)
    for time in (5, 0, 9, 3):  # any order, across windows [0, 3], [4, 7], [8, 9]
        assert_rendered(effect, frames, time)
    effect.destroy()


@pytest.mark.slow
def test_one_job_per_window_whatever_renders_and_order(host, host_frames, proxy):
    # Mirrored, so that no other test's windows are in the server's cache.
    effect = effect_on(host, np.ascontiguousarray(host_frames[:, :, ::-1]), proxy)
    for time in (2, 0, 3, 1, 9, 8, 2, 9, 1):
        assert effect.render(time)[0] == OK
    assert len(proxy.replies) == 2  # the instance remembers each window's output
    assert proxy.jobs() == 2  # windows [0, 3] and [8, 9]
    effect.destroy()


@pytest.mark.slow
def test_an_output_gone_before_the_effect_opens_it_is_asked_for_again(host, host_frames, proxy):
    def drop_the_first_output(reply):
        if len(proxy.replies) == 1:  # as if the server had needed its room meanwhile
            os.unlink(reply["outputPath"])

    proxy.before_reply = drop_the_first_output
    effect = effect_on(host, host_frames, proxy)
    assert_rendered(effect, host_frames, 1)
    assert len(proxy.replies) == 2 and proxy.jobs() == 2  # asked again, and run again
    effect.destroy()


@pytest.mark.slow
def test_scale_3_restores_a_frame_that_blocks_do_not_tile(host, host_frames, proxy):
    # 64 rows are 21 blocks of 3 and one row over: the top row repeats its neighbour's result.
    effect = effect_on(host, host_frames, proxy, sourceScale=2)
    assert_rendered(effect, host_frames, 6, scale=3)
    effect.destroy()


@pytest.mark.slow
def test_upscale_mode_returns_the_enlarged_frame(host, host_frames, proxy):
    frames = host_frames[:, ::4, ::4].copy()  # source-resolution frames, as Nuke hands them
    effect = effect_on(host, frames, proxy, mode=1, sourceScale=1)
    assert_rendered(effect, frames, 2, scale=2, mode="upscale")
    effect.destroy()


@pytest.mark.slow
def test_two_threads_render_at_once(host, host_frames, proxy):
    frames = np.ascontiguousarray(host_frames[:, ::-1])  # upside down: windows no test ran
    effect = effect_on(host, frames, proxy)
    results: dict[int, tuple[int, np.ndarray]] = {}

    def render(times):
        for time in times:
            results[time] = effect.render(time)

    threads = [threading.Thread(target=render, args=(t,)) for t in ((0, 5, 2), (1, 6, 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert host.messages == []  # a frame that passed through says why here
    for time, (status, frame) in results.items():
        assert status == OK
        assert np.array_equal(frame, expected_frame(frames, time, 4, "restore", WINDOW))
    assert proxy.jobs() == 2  # [0, 3] and [4, 7], each once although both threads asked
    effect.destroy()


@pytest.mark.slow
def test_scene_linear_float_frames_keep_their_light(host, host_frames, proxy):
    # Values from -0.5 to 16, as a linear compositing script holds them: nothing is clamped.
    frames = host_frames.astype(np.float32) / 255 * np.float32(16.5) - np.float32(0.5)
    effect = effect_on(host, np.ascontiguousarray(frames[:, ::-1]), proxy)
    frames = effect.effect.clips["Source"].frames
    for time in (1, 6):
        status, frame = effect.render(time)
        assert status == OK and effect.message() is None, effect.message()
        expected = expected_frame(frames, time, 4, "restore", WINDOW)
        # The library's own float result, within half float's precision (11 significant bits).
        np.testing.assert_allclose(frame, expected, rtol=2**-10, atol=1e-3)
        assert frame.max() > 4 and frame.min() < 0
    effect.destroy()
