"""The test host is as strict as the OpenFX standard: the real plug-in's actions come in the
standard's order, and a plug-in that breaks a rule (here one written in Python against the same
C suites) gets the standard's status and the breach is reported."""

from __future__ import annotations

import ctypes as C
import types

import numpy as np
import pytest
from ofx_host import OK, OfxTestHost
from ofx_instance import EffectInstance
from ofx_properties import ERR_BAD_HANDLE, ERR_UNKNOWN, ERR_VALUE, FAILED, REPLY_DEFAULT
from ofx_suites import OfxPluginStruct

ENTRY = dict(OfxPluginStruct._fields_)["mainEntry"]


def test_a_render_is_a_sequence_of_one_frame_after_is_identity(host, host_frames):
    effect = EffectInstance(host, host_frames)
    effect.set(server="127.0.0.1:1")  # nothing listens: the frame passes through
    host.actions.clear()
    status, frame = effect.render(3)
    assert status == OK and np.array_equal(frame, host_frames[3])
    assert host.actions[-4:] == [
        "OfxImageEffectActionIsIdentity",
        "OfxImageEffectActionBeginSequenceRender",
        "OfxImageEffectActionRender",
        "OfxImageEffectActionEndSequenceRender",
    ]
    effect.destroy()


def test_the_plug_in_frees_its_memory_by_unload(plugin_binary, host_frames):
    host = OfxTestHost(plugin_binary)
    effect = EffectInstance(host, host_frames)
    effect.set(server="127.0.0.1:1")
    effect.render(0)
    assert host.allocations or host.live_instances  # the instance holds host memory
    host.unload()  # destroys the instance left alive, then Unload
    assert host.errors == [] and host.allocations == {} and not host.live_instances


@pytest.fixture
def python_plugin(plugin_binary, host_frames):
    """A host with an instance described by the real plug-in, then driven by `plug(main)`: a
    plug-in written in Python whose main entry calls the host's suites through ctypes."""
    host = OfxTestHost(plugin_binary)
    effect = EffectInstance(host, host_frames)
    effect.destroy()
    host.unload()

    def plug(main):
        entry = ENTRY(lambda action, handle, ins, outs: main(action.decode(), handle, ins, outs))
        host.plugin = types.SimpleNamespace(mainEntry=entry)
        host.loaded = False
        return host

    return host, effect, plug


def suite(host, name):
    return host._suites[(name, 1)]


def fetch_source(host, handle, time) -> tuple[int, C.c_void_p]:
    effects = suite(host, "OfxImageEffectSuite")
    clip, image = C.c_void_p(), C.c_void_p()
    assert effects.clipGetHandle(handle, b"Source", C.byref(clip), None) == OK
    return effects.clipGetImage(clip, time, None, C.byref(image)), image


def test_a_fetch_outside_the_frames_needed_fails(python_plugin):
    host, effect, plug = python_plugin
    statuses = []

    def main(action, handle, ins, outs):
        if action == "OfxImageEffectActionRender":
            for time in (2.0, 7.0):  # frames needed: [2, 2] (the default)
                status, image = fetch_source(host, handle, time)
                statuses.append(status)
                if status == OK:
                    suite(host, "OfxImageEffectSuite").clipReleaseImage(image)
        return REPLY_DEFAULT

    plug(main)
    effect.render(2)
    assert statuses == [OK, FAILED]
    assert host.errors == ["clipGetImage: Source fetched at 7.0, outside frames needed [(2, 2)]"]


def test_an_image_kept_past_its_action_is_reported(python_plugin):
    host, effect, plug = python_plugin

    def main(action, handle, ins, outs):
        if action == "OfxImageEffectActionRender":
            fetch_source(host, handle, 4.0)  # never released
        return REPLY_DEFAULT

    plug(main)
    effect.render(4)
    assert host.errors == ["OfxImageEffectActionRender: 1 image(s) not released"]
    assert host.open_images() == 0  # the host took it back


def test_memory_not_freed_by_unload_is_reported(python_plugin):
    host, effect, plug = python_plugin
    memory = suite(host, "OfxMemorySuite")

    def main(action, handle, ins, outs):
        if action == "OfxActionLoad":
            block = C.c_void_p()
            assert memory.memoryAlloc(None, 100, C.byref(block)) == OK
            assert memory.memoryFree(C.c_void_p(block.value + 8)) == ERR_BAD_HANDLE
        return OK

    plug(main)
    host.action("OfxActionLoad", None)
    host.loaded = True
    host.unload()
    assert host.errors[-1] == "1 memory block(s), 100 bytes, not freed"
    assert "not from memoryAlloc" in host.errors[0]


@pytest.mark.parametrize("read_only_status", [ERR_VALUE, ERR_UNKNOWN])
def test_typed_and_read_only_property_access(plugin_binary, read_only_status):
    host = OfxTestHost(plugin_binary, read_only_status=read_only_status)
    props = suite(host, "OfxPropertySuite")
    handle = host.host.host  # the host descriptor: read-only to the plug-in
    value, number = C.c_int(), C.c_double()
    name = b"OfxImageEffectPropSupportsMultiResolution"  # an int
    assert props.propGetInt(handle, name, 0, C.byref(value)) == OK and value.value == 1
    assert props.propGetDouble(handle, name, 0, C.byref(number)) == ERR_UNKNOWN
    assert props.propGetInt(handle, b"OfxNoSuchProperty", 0, C.byref(value)) == ERR_UNKNOWN
    assert props.propSetInt(handle, name, 0, 0) == read_only_status
    assert host.errors == [
        f"propGetDouble: {name.decode()} is int, accessed as double",
        f"propSetInt: {name.decode()} is read-only",
    ]
