"""The OFX declarations against the standard's values: layouts the ABI fixes (for a 64-bit host),
and every constant the header defines (read from the header itself) against the standard's
headers (ofx_standard.py), since hosts match names and values byte for byte."""

from __future__ import annotations

import ctypes
import json
import re
import subprocess

from ofx_host import OfxPluginStruct
from ofx_standard import STANDARD

from sparkvsr_openfx import source_dir

PTR = 8
LAYOUT = {
    "sizeof OfxHost": 2 * PTR,
    "offsetof OfxHost.host": 0,
    "offsetof OfxHost.fetchSuite": PTR,
    "sizeof OfxPlugin": 48,
    "offsetof OfxPlugin.pluginApi": 0,
    "offsetof OfxPlugin.apiVersion": 8,
    "offsetof OfxPlugin.pluginIdentifier": 16,
    "offsetof OfxPlugin.pluginVersionMajor": 24,
    "offsetof OfxPlugin.pluginVersionMinor": 28,
    "offsetof OfxPlugin.setHost": 32,
    "offsetof OfxPlugin.mainEntry": 40,
    "sizeof OfxRectI": 16,
    "sizeof OfxRectD": 32,
    "sizeof OfxPointD": 16,
    "sizeof OfxRangeD": 16,
    # Suites: the standard's member lists (18, 13, 18, 2, 9, 1 and 3 functions).
    "sizeof OfxPropertySuiteV1": 18 * PTR,
    "offsetof OfxPropertySuiteV1.propGetPointer": 8 * PTR,
    "offsetof OfxPropertySuiteV1.propGetDimension": 17 * PTR,
    "sizeof OfxImageEffectSuiteV1": 13 * PTR,
    "offsetof OfxImageEffectSuiteV1.clipGetImage": 5 * PTR,
    "offsetof OfxImageEffectSuiteV1.abort": 8 * PTR,
    "offsetof OfxImageEffectSuiteV1.imageMemoryUnlock": 12 * PTR,
    "sizeof OfxParameterSuiteV1": 18 * PTR,
    "offsetof OfxParameterSuiteV1.paramGetValueAtTime": 5 * PTR,
    "offsetof OfxParameterSuiteV1.paramEditEnd": 17 * PTR,
    "sizeof OfxMemorySuiteV1": 2 * PTR,
    "sizeof OfxMultiThreadSuiteV1": 9 * PTR,
    "offsetof OfxMultiThreadSuiteV1.mutexCreate": 4 * PTR,
    "offsetof OfxMultiThreadSuiteV1.mutexTryLock": 8 * PTR,
    "sizeof OfxMessageSuiteV1": PTR,
    "sizeof OfxMessageSuiteV2": 3 * PTR,
    "offsetof OfxMessageSuiteV2.clearPersistentMessage": 2 * PTR,
    "pointer size": PTR,
}


DEFINE = re.compile(r"^#define (kOfx\w+) ", re.MULTILINE)


def header_constants() -> set[str]:
    return set(DEFINE.findall((source_dir() / "include" / "ofx_api.h").read_text()))


def dumped(ofx_build) -> dict:
    return json.loads(
        subprocess.run(
            [str(ofx_build / "ofx_abi_dump")], capture_output=True, text=True, check=True
        ).stdout
    )


def test_layouts_match_the_standard(ofx_build):
    layout = {k: v for k, v in dumped(ofx_build).items() if not k.startswith("kOfx")}
    assert layout == LAYOUT


def test_every_constant_of_the_header_has_the_standards_value(ofx_build):
    constants = {k: v for k, v in dumped(ofx_build).items() if k.startswith("kOfx")}
    assert set(constants) == header_constants() and len(constants) >= 82
    unknown = sorted(set(constants) - set(STANDARD))
    assert not unknown, f"not in the standard (else add its value to ofx_standard.py): {unknown}"
    assert constants == {name: STANDARD[name] for name in constants}


def test_constants_are_defined_only_in_the_header():
    sources = (source_dir() / "src").glob("*.[ch]")
    assert [p.name for p in sources if DEFINE.search(p.read_text())] == []


def test_the_binary_exports_one_image_effect(plugin_binary):
    lib = ctypes.CDLL(plugin_binary)
    lib.OfxGetPlugin.restype = ctypes.POINTER(OfxPluginStruct)
    assert lib.OfxGetNumberOfPlugins() == 1
    plugin = lib.OfxGetPlugin(0).contents
    assert plugin.pluginApi == b"OfxImageEffectPluginAPI" and plugin.apiVersion == 1
    assert plugin.pluginIdentifier == b"org.sparkvsr.upscale"
    assert (plugin.pluginVersionMajor, plugin.pluginVersionMinor) == (1, 0)
    assert not lib.OfxGetPlugin(1)
    assert ctypes.sizeof(OfxPluginStruct) == LAYOUT["sizeof OfxPlugin"]
