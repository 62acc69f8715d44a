"""Render scale and the window grid against a real server's gateway: a viewer at half size gets
the full-size result shrunk, scales Restore cannot serve fail so the host renders at full size,
and a frame's pixels do not depend on where its clip starts."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from expected import expected_frame
from ofx_host import FAILED, OK
from ofx_instance import EffectInstance

WINDOW = 4


def on_server(host, frames, gateway_url, first_frame=0, **params) -> EffectInstance:
    effect = EffectInstance(host, frames, first_frame=first_frame)
    effect.set(server=gateway_url.removeprefix("http://"), window=WINDOW, **params)
    return effect


def halved(frames: np.ndarray) -> np.ndarray:
    """The frames as a host hands them at render scale 0.5."""
    return np.stack(
        [cv2.resize(f, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for f in frames]
    )


@pytest.mark.slow
def test_render_scale_one_half_restores_at_half_size(host, host_frames, gateway_url):
    frames = halved(host_frames)
    effect = on_server(host, frames, gateway_url)
    status, frame = effect.render(5, render_scale=0.5)
    assert status == OK and effect.message() is None, effect.message()
    expected = expected_frame(frames, 5, 4, "restore", WINDOW, shrink=2)
    assert frame.shape == frames.shape[1:] and np.array_equal(frame, expected)
    effect.destroy()


@pytest.mark.parametrize(
    ("render_scale", "params"),
    [(1 / 3, {}), (0.5, {"sourceScale": 2}), (0.5, {"mode": 1, "sourceScale": 1})],
)
def test_render_scales_it_cannot_serve_fail_even_in_the_viewer(
    host, host_frames, gateway_url, render_scale, params
):
    # 1/3 with source scale 4, 1/2 with source scale 3, and Upscale: Natron reads the failure as
    # "render at full size"; a success would show the unprocessed source.
    effect = on_server(host, host_frames, gateway_url, onFailure=2, **params)
    status, _ = effect.render(2, interactive=True, render_scale=render_scale)
    assert status == FAILED
    assert "render scale" in effect.message()[1]
    effect.destroy()


@pytest.mark.slow
def test_trimming_the_clips_head_changes_no_frame_past_the_cut_window(
    host, host_frames, gateway_url
):
    # The clip at host frames 100..109; trimmed, it starts at 102. Windows of 4 tile host time:
    # [100, 103] is cut to [102, 103]; [104, 107] and [108, 109] are the same in both.
    frames = np.ascontiguousarray(host_frames[:, ::-1, ::-1])  # windows no other test ran
    whole = on_server(host, frames, gateway_url, first_frame=100)
    trimmed = on_server(host, frames[2:], gateway_url, first_frame=102)
    for time in (104, 107, 109):
        status, whole_frame = whole.render(time)
        assert status == OK and whole.message() is None, whole.message()
        status, trimmed_frame = trimmed.render(time)
        assert status == OK and np.array_equal(trimmed_frame, whole_frame)
    assert trimmed.frames_needed(102) == [102, 103]
    expected = expected_frame(frames[2:], 103, 4, "restore", WINDOW, first=102)
    assert np.array_equal(trimmed.render(103)[1], expected)
    whole.destroy()
    trimmed.destroy()


def test_a_frame_past_the_clips_ends_renders_as_the_edge_frame(host, host_frames, gateway_url):
    # A host that holds a clip's edge frames (Nuke's Read node, by default) renders the effect
    # before and after them too: a final render there must neither fail nor fetch frames
    # outside those GetFramesNeeded declared (the strict host reports any).
    effect = on_server(host, host_frames, gateway_url, first_frame=100)
    last = 100 + len(host_frames) - 1
    for time, edge in ((last + 2, last), (98, 100)):
        assert effect.frames_needed(time) == effect.frames_needed(edge)
        status, frame = effect.render(time, interactive=False)
        assert status == OK and effect.message() is None, effect.message()
        assert np.array_equal(frame, effect.render(edge, interactive=False)[1])
    effect.destroy()
