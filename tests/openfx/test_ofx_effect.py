"""The effect in the test host without a server: description, windows, region of definition,
bad parameters, an absent or silent server and the host's abort."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest
from ofx_host import OK, OfxTestHost
from ofx_instance import EffectInstance, describe


def test_describes_a_temporal_filter_with_its_parameters(host):
    descriptor = describe(host)
    props = descriptor.props.values
    assert props["OfxImageEffectPropSupportedContexts"] == [b"OfxImageEffectContextFilter"]
    assert props["OfxImageEffectPropSupportedPixelDepths"] == [
        b"OfxBitDepthByte",
        b"OfxBitDepthShort",
        b"OfxBitDepthFloat",
    ]
    assert props["OfxImageEffectPropTemporalClipAccess"] == [1]
    assert set(descriptor.clips) == {"Source", "Output"}
    defaults = {name: p.props.get("OfxParamPropDefault") for name, p in descriptor.params.items()}
    assert defaults == {
        "sourceScale": 3,
        "mode": 0,
        "engine": b"flow",
        "server": b"127.0.0.1:50052",
        "keyframes": 0,
        "keyframeFolder": b"",
        "provider": b"local",
        "window": 16,
        "timeout": 300,
        "onFailure": 0,
        "refresh": None,  # a push button has no value
        "refreshCount": 0,
    }
    assert descriptor.params["refresh"].kind == "OfxParamTypePushButton"
    assert descriptor.params["refreshCount"].props.get("OfxParamPropSecret") == 1
    scale = descriptor.params["sourceScale"].props.values["OfxParamPropChoiceOption"]
    assert scale == [b"Auto", b"2", b"3", b"4"]


def test_frames_needed_are_the_window_holding_the_time(host, host_frames):
    effect = EffectInstance(host, host_frames, first_frame=100)
    effect.set(window=4)
    for t, window in ((100, [100, 103]), (103.0, [100, 103]), (106, [104, 107]), (109, [108, 109])):
        assert effect.frames_needed(t) == window
    assert effect.clip_preferences.values["OfxImageClipPropComponents_Output"] == [
        b"OfxImageComponentRGBA"
    ]
    effect.destroy()


@pytest.mark.parametrize("multires", [True, False])
def test_upscale_mode_enlarges_the_region_where_the_host_allows(
    plugin_binary, host_frames, multires
):
    host = OfxTestHost(plugin_binary, multires=multires)
    effect = EffectInstance(host, host_frames)
    height, width = host_frames.shape[1:3]
    assert effect.region_of_definition(0) == (0, 0, width, height)
    effect.set(mode=1, sourceScale=1)  # "2"
    factor = 2 if multires else 1
    assert effect.region_of_definition(0) == (0, 0, width * factor, height * factor)
    status, frame = effect.render(0)
    assert status == OK
    if not multires:
        assert np.array_equal(frame, host_frames[0])
        assert "Upscale needs a host" in effect.message()[1]
    effect.destroy()


def test_auto_scale_reads_the_project_size(host, host_frames):
    height, width = host_frames.shape[1:3]
    effect = EffectInstance(host, host_frames, project_size=(width * 3, height * 3))
    effect.set(mode=1, sourceScale=0)
    assert effect.region_of_definition(0) == (0, 0, width * 3, height * 3)
    effect.destroy()


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"server": "nowhere"}, "Server 'nowhere'"),
        ({"server": "127.0.0.1:99999"}, "Server"),
        ({"server": "192.168.1.5:50052"}, "must be on this machine"),
        ({"engine": "flow; rm"}, "Engine 'flow; rm'"),
        ({"window": 0}, "Window 0"),
        ({"timeout": 0}, "Timeout 0"),
        ({"sourceScale": 7}, "Source scale"),
        ({"sourceScale": 0}, "Source scale Auto"),
        (
            {"keyframes": 1, "keyframeFolder": "/no/such/folder"},
            "Keyframe folder '/no/such/folder'",
        ),
        ({"keyframes": 2, "provider": ""}, "Provider ''"),
    ],
)
def test_bad_parameters_pass_the_frame_through_and_say_which(host, host_frames, values, named):
    effect = EffectInstance(host, host_frames)
    effect.set(**values)
    status, frame = effect.render(2)
    assert status == OK
    assert np.array_equal(frame, host_frames[2])
    kind, text = effect.message()
    assert kind == "OfxMessageError" and named in text and "passes through" in text
    effect.destroy()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_a_server_the_frame_passes_through_with_the_reason(host, host_frames):
    effect = EffectInstance(host, host_frames.astype(np.float32) / 255)
    effect.set(server=f"127.0.0.1:{free_port()}")
    status, frame = effect.render(5)
    assert status == OK
    assert np.array_equal(frame, host_frames[5].astype(np.float32) / 255)  # bit for bit
    assert "no SparkVSR server" in effect.message()[1]
    effect.destroy()


class SilentServer:
    """Accepts connections and reads requests, never answers: a hung server."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._open.append(connection)

    def close(self):
        for s in [self.listener, *self._open]:
            s.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


def test_a_silent_server_times_out(host, host_frames, silent_server):
    effect = EffectInstance(host, host_frames)
    effect.set(server=f"127.0.0.1:{silent_server.port}", timeout=1, window=2)
    started = time.monotonic()
    status, frame = effect.render(1)
    assert time.monotonic() - started < 5
    assert status == OK and np.array_equal(frame, host_frames[1])
    assert "did not answer within 1 s" in effect.message()[1]
    effect.destroy()


def test_abort_while_waiting_for_the_server_returns_promptly(host, host_frames, silent_server):
    effect = EffectInstance(host, host_frames)
    effect.set(server=f"127.0.0.1:{silent_server.port}", window=2)
    deadline = time.monotonic() + 0.5
    host.abort_check = lambda: time.monotonic() > deadline
    status, _ = effect.render(1)
    assert status == OK and time.monotonic() - deadline < 2
    assert silent_server.accepted == 1
    assert effect.message() is None  # an aborted render is discarded, not reported
    effect.destroy()
