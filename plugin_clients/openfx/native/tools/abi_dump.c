/* Prints, as JSON, the sizes, offsets and strings ofx_api.h declares, so a test can hold them
 * against the OpenFX standard's values. */
#include <stddef.h>
#include <stdio.h>

#include "ofx_api.h"

#define SIZE(type) printf("  \"sizeof %s\": %zu,\n", #type, sizeof(type))
#define OFFSET(type, member) \
    printf("  \"offsetof %s.%s\": %zu,\n", #type, #member, offsetof(type, member))
#define TEXT(name) printf("  \"%s\": \"%s\",\n", #name, name)
#define NUMBER(name) printf("  \"%s\": %d,\n", #name, (int)(name))

int main(void) {
    printf("{\n");
    SIZE(OfxHost); OFFSET(OfxHost, host); OFFSET(OfxHost, fetchSuite);
    SIZE(OfxPlugin); OFFSET(OfxPlugin, pluginApi); OFFSET(OfxPlugin, apiVersion);
    OFFSET(OfxPlugin, pluginIdentifier); OFFSET(OfxPlugin, pluginVersionMajor);
    OFFSET(OfxPlugin, pluginVersionMinor); OFFSET(OfxPlugin, setHost);
    OFFSET(OfxPlugin, mainEntry);
    SIZE(OfxRectI); SIZE(OfxRectD); SIZE(OfxPointD); SIZE(OfxRangeD);
    SIZE(OfxPropertySuiteV1); OFFSET(OfxPropertySuiteV1, propGetPointer);
    OFFSET(OfxPropertySuiteV1, propGetDimension);
    SIZE(OfxImageEffectSuiteV1); OFFSET(OfxImageEffectSuiteV1, clipGetImage);
    OFFSET(OfxImageEffectSuiteV1, abort); OFFSET(OfxImageEffectSuiteV1, imageMemoryUnlock);
    SIZE(OfxParameterSuiteV1); OFFSET(OfxParameterSuiteV1, paramGetValueAtTime);
    OFFSET(OfxParameterSuiteV1, paramEditEnd);
    SIZE(OfxMemorySuiteV1); SIZE(OfxMultiThreadSuiteV1);
    OFFSET(OfxMultiThreadSuiteV1, mutexCreate); OFFSET(OfxMultiThreadSuiteV1, mutexTryLock);
    SIZE(OfxMessageSuiteV1); SIZE(OfxMessageSuiteV2);
    OFFSET(OfxMessageSuiteV2, clearPersistentMessage);
    NUMBER(kOfxStatOK); NUMBER(kOfxStatFailed); NUMBER(kOfxStatErrMissingHostFeature);
    NUMBER(kOfxStatErrBadHandle); NUMBER(kOfxStatErrMemory); NUMBER(kOfxStatReplyDefault);
    NUMBER(kOfxImageEffectPluginApiVersion);
    TEXT(kOfxImageEffectPluginApi); TEXT(kOfxActionLoad); TEXT(kOfxActionDescribe);
    TEXT(kOfxActionCreateInstance); TEXT(kOfxActionDestroyInstance);
    TEXT(kOfxImageEffectActionDescribeInContext); TEXT(kOfxImageEffectActionGetClipPreferences);
    TEXT(kOfxImageEffectActionGetRegionOfDefinition); TEXT(kOfxImageEffectActionGetFramesNeeded);
    TEXT(kOfxImageEffectActionRender); TEXT(kOfxPropertySuite); TEXT(kOfxImageEffectSuite);
    TEXT(kOfxParameterSuite); TEXT(kOfxMemorySuite); TEXT(kOfxMultiThreadSuite);
    TEXT(kOfxMessageSuite); TEXT(kOfxPropLabel); TEXT(kOfxPropTime); TEXT(kOfxPropInstanceData);
    TEXT(kOfxImageEffectPropSupportedContexts); TEXT(kOfxImageEffectContextFilter);
    TEXT(kOfxImageEffectPropSupportedPixelDepths); TEXT(kOfxImageEffectPropTemporalClipAccess);
    TEXT(kOfxImageEffectPropSupportsMultiResolution); TEXT(kOfxImageEffectPropFrameRange);
    TEXT(kOfxImageEffectPropRenderWindow); TEXT(kOfxImageEffectPropRenderScale);
    TEXT(kOfxImageEffectPropRegionOfDefinition); TEXT(kOfxImageEffectPropPixelDepth);
    TEXT(kOfxImageEffectPropComponents); TEXT(kOfxImageComponentRGBA); TEXT(kOfxBitDepthByte);
    TEXT(kOfxBitDepthShort); TEXT(kOfxBitDepthFloat); TEXT(kOfxImagePropData);
    TEXT(kOfxImagePropBounds); TEXT(kOfxImagePropRowBytes);
    TEXT(kOfxImageClipPropFrameRangePrefix); TEXT(kOfxImageClipPropComponentsPrefix);
    TEXT(kOfxParamTypeChoice); TEXT(kOfxParamTypeString); TEXT(kOfxParamTypeInteger);
    TEXT(kOfxParamPropDefault); TEXT(kOfxParamPropChoiceOption); TEXT(kOfxMessageError);
    printf("  \"pointer size\": %zu\n}\n", sizeof(void *));
    return 0;
}
