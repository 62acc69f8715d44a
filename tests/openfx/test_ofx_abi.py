"""The OFX declarations against the standard's values: layouts the ABI fixes and the strings
hosts match byte for byte (values from the OpenFX 1.4 reference, for a 64-bit host)."""

from __future__ import annotations

import ctypes
import json
import subprocess

from ofx_host import OfxPluginStruct

PTR = 8
SPEC = {
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
    "kOfxStatOK": 0,
    "kOfxStatFailed": 1,
    "kOfxStatErrMissingHostFeature": 4,
    "kOfxStatErrMemory": 8,
    "kOfxStatErrBadHandle": 9,
    "kOfxStatReplyDefault": 14,
    "kOfxImageEffectPluginApiVersion": 1,
    "kOfxImageEffectPluginApi": "OfxImageEffectPluginAPI",
    "kOfxActionLoad": "OfxActionLoad",
    "kOfxActionDescribe": "OfxActionDescribe",
    "kOfxActionCreateInstance": "OfxActionCreateInstance",
    "kOfxActionDestroyInstance": "OfxActionDestroyInstance",
    "kOfxImageEffectActionDescribeInContext": "OfxImageEffectActionDescribeInContext",
    "kOfxImageEffectActionGetClipPreferences": "OfxImageEffectActionGetClipPreferences",
    "kOfxImageEffectActionGetRegionOfDefinition": "OfxImageEffectActionGetRegionOfDefinition",
    "kOfxImageEffectActionGetFramesNeeded": "OfxImageEffectActionGetFramesNeeded",
    "kOfxImageEffectActionRender": "OfxImageEffectActionRender",
    "kOfxPropertySuite": "OfxPropertySuite",
    "kOfxImageEffectSuite": "OfxImageEffectSuite",
    "kOfxParameterSuite": "OfxParameterSuite",
    "kOfxMemorySuite": "OfxMemorySuite",
    "kOfxMultiThreadSuite": "OfxMultiThreadSuite",
    "kOfxMessageSuite": "OfxMessageSuite",
    "kOfxPropLabel": "OfxPropLabel",
    "kOfxPropTime": "OfxPropTime",
    "kOfxPropInstanceData": "OfxPropInstanceData",
    "kOfxImageEffectPropSupportedContexts": "OfxImageEffectPropSupportedContexts",
    "kOfxImageEffectContextFilter": "OfxImageEffectContextFilter",
    "kOfxImageEffectPropSupportedPixelDepths": "OfxImageEffectPropSupportedPixelDepths",
    "kOfxImageEffectPropTemporalClipAccess": "OfxImageEffectPropTemporalClipAccess",
    "kOfxImageEffectPropSupportsMultiResolution": "OfxImageEffectPropSupportsMultiResolution",
    "kOfxImageEffectPropFrameRange": "OfxImageEffectPropFrameRange",
    "kOfxImageEffectPropRenderWindow": "OfxImageEffectPropRenderWindow",
    "kOfxImageEffectPropRenderScale": "OfxImageEffectPropRenderScale",
    "kOfxImageEffectPropRegionOfDefinition": "OfxImageEffectPropRegionOfDefinition",
    "kOfxImageEffectPropPixelDepth": "OfxImageEffectPropPixelDepth",
    "kOfxImageEffectPropComponents": "OfxImageEffectPropComponents",
    "kOfxImageComponentRGBA": "OfxImageComponentRGBA",
    "kOfxBitDepthByte": "OfxBitDepthByte",
    "kOfxBitDepthShort": "OfxBitDepthShort",
    "kOfxBitDepthFloat": "OfxBitDepthFloat",
    "kOfxImagePropData": "OfxImagePropData",
    "kOfxImagePropBounds": "OfxImagePropBounds",
    "kOfxImagePropRowBytes": "OfxImagePropRowBytes",
    "kOfxImageClipPropFrameRangePrefix": "OfxImageClipPropFrameRange_",
    "kOfxImageClipPropComponentsPrefix": "OfxImageClipPropComponents_",
    "kOfxParamTypeChoice": "OfxParamTypeChoice",
    "kOfxParamTypeString": "OfxParamTypeString",
    "kOfxParamTypeInteger": "OfxParamTypeInteger",
    "kOfxParamPropDefault": "OfxParamPropDefault",
    "kOfxParamPropChoiceOption": "OfxParamPropChoiceOption",
    "kOfxMessageError": "OfxMessageError",
    "pointer size": PTR,
}


def test_header_matches_the_standard(ofx_build):
    dumped = json.loads(
        subprocess.run(
            [str(ofx_build / "ofx_abi_dump")], capture_output=True, text=True, check=True
        ).stdout
    )
    assert {k: dumped.get(k) for k in SPEC} == SPEC
    assert set(dumped) == set(SPEC)


def test_the_binary_exports_one_image_effect(plugin_binary):
    lib = ctypes.CDLL(plugin_binary)
    lib.OfxGetPlugin.restype = ctypes.POINTER(OfxPluginStruct)
    assert lib.OfxGetNumberOfPlugins() == 1
    plugin = lib.OfxGetPlugin(0).contents
    assert plugin.pluginApi == b"OfxImageEffectPluginAPI" and plugin.apiVersion == 1
    assert plugin.pluginIdentifier == b"org.sparkvsr.upscale"
    assert (plugin.pluginVersionMajor, plugin.pluginVersionMinor) == (1, 0)
    assert not lib.OfxGetPlugin(1)
    assert ctypes.sizeof(OfxPluginStruct) == SPEC["sizeof OfxPlugin"]
