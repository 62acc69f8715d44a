"""What a render that cannot run returns: a final render (a background host, or a render the
host marks non-interactive) fails with the reason posted; the viewer's frame passes through."""

from __future__ import annotations

import numpy as np
import pytest
from ofx_host import FAILED, OK
from ofx_instance import EffectInstance
from test_ofx_effect import free_port

PASS_IN_VIEWER, ALWAYS_FAIL, ALWAYS_PASS = 0, 1, 2


def unserved(host, frames, **params) -> EffectInstance:
    """An effect whose Server is a loopback port nothing listens on."""
    effect = EffectInstance(host, frames)
    effect.set(**{"server": f"127.0.0.1:{free_port()}", "window": 2, **params})
    return effect


def test_a_background_host_fails_the_render_with_the_message(host, host_frames):
    host.props.values["OfxImageEffectHostPropIsBackground"] = [1]  # read at Load
    effect = unserved(host, host_frames)
    status, _ = effect.render(3)  # even a render the host calls interactive
    assert status == FAILED
    kind, text = effect.message()
    assert kind == "OfxMessageError"
    assert "no SparkVSR server" in text and "The render fails" in text
    effect.destroy()


def test_a_non_interactive_render_fails_and_the_viewer_passes_through(host, host_frames):
    effect = unserved(host, host_frames)
    status, _ = effect.render(3, interactive=False)
    assert status == FAILED and "The render fails" in effect.message()[1]
    status, frame = effect.render(3, interactive=True)
    assert status == OK and np.array_equal(frame, host_frames[3])
    assert "passes through" in effect.message()[1]
    effect.destroy()


def test_a_bad_parameter_fails_a_final_render_naming_it(host, host_frames):
    effect = unserved(host, host_frames, window=0)
    status, _ = effect.render(1, interactive=False)
    assert status == FAILED and "Window 0" in effect.message()[1]
    effect.destroy()


@pytest.mark.parametrize(
    ("choice", "interactive", "expected"),
    [(ALWAYS_FAIL, True, FAILED), (ALWAYS_PASS, False, OK), (PASS_IN_VIEWER, True, OK)],
)
def test_on_failure_chooses(host, host_frames, choice, interactive, expected):
    effect = unserved(host, host_frames, onFailure=choice)
    status, frame = effect.render(4, interactive=interactive)
    assert status == expected
    if expected == OK:
        assert np.array_equal(frame, host_frames[4])
    effect.destroy()


def test_a_token_too_long_to_send_is_named_not_cut_short(host, host_frames, monkeypatch):
    """A shortened token would only fail later as a wrong one, with no hint why."""
    monkeypatch.setenv("SPARKVSR_TOKEN", "t" * 501)
    effect = unserved(host, host_frames)
    status, _ = effect.render(3, interactive=False)
    assert status == FAILED and "SPARKVSR_TOKEN is longer than 500" in effect.message()[1]
    effect.destroy()
