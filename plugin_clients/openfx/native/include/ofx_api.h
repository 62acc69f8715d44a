/* The part of the OpenFX 1.4 image effect API this plug-in uses, declared from the published
 * standard (openeffects.org; the standard is BSD-licensed). Names and string values are the ones
 * the standard fixes, because hosts match them byte for byte; the layout of every struct is
 * checked below with static assertions, since a host and a plug-in built by different compilers
 * meet only through these layouts. */
#ifndef SPARKVSR_OFX_API_H
#define SPARKVSR_OFX_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define OFX_EXPORT __declspec(dllexport)
#else
#define OFX_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Core types ---------------------------------------------------------------------------- */

typedef int OfxStatus;
typedef double OfxTime;

/* Opaque handles: the host owns what they point to. */
typedef struct OfxPropertySetOpaque *OfxPropertySetHandle;
typedef struct OfxImageEffectOpaque *OfxImageEffectHandle;
typedef struct OfxImageClipOpaque *OfxImageClipHandle;
typedef struct OfxParamSetOpaque *OfxParamSetHandle;
typedef struct OfxParamOpaque *OfxParamHandle;
typedef struct OfxMutexOpaque *OfxMutexHandle;
typedef struct OfxImageMemoryOpaque *OfxImageMemoryHandle;

typedef struct OfxPointI { int x, y; } OfxPointI;
typedef struct OfxPointD { double x, y; } OfxPointD;
typedef struct OfxRangeI { int min, max; } OfxRangeI;
typedef struct OfxRangeD { double min, max; } OfxRangeD;
typedef struct OfxRectI { int x1, y1, x2, y2; } OfxRectI;
typedef struct OfxRectD { double x1, y1, x2, y2; } OfxRectD;
typedef struct OfxRGBAColourB { unsigned char r, g, b, a; } OfxRGBAColourB;
typedef struct OfxRGBAColourS { unsigned short r, g, b, a; } OfxRGBAColourS;
typedef struct OfxRGBAColourF { float r, g, b, a; } OfxRGBAColourF;

/* What the host hands the plug-in in setHost: its description and the way to its suites. */
typedef struct OfxHost {
    OfxPropertySetHandle host;
    const void *(*fetchSuite)(OfxPropertySetHandle host, const char *suiteName, int suiteVersion);
} OfxHost;

typedef OfxStatus (*OfxPluginEntryPoint)(const char *action, const void *handle,
                                         OfxPropertySetHandle inArgs,
                                         OfxPropertySetHandle outArgs);

/* One plug-in as the binary describes it (OfxGetPlugin returns these). */
typedef struct OfxPlugin {
    const char *pluginApi;
    int apiVersion;
    const char *pluginIdentifier;
    unsigned int pluginVersionMajor;
    unsigned int pluginVersionMinor;
    void (*setHost)(OfxHost *host);
    OfxPluginEntryPoint mainEntry;
} OfxPlugin;

/* ---- Status codes --------------------------------------------------------------------------- */

#define kOfxStatOK 0
#define kOfxStatFailed 1
#define kOfxStatErrFatal 2
#define kOfxStatErrUnknown 3
#define kOfxStatErrMissingHostFeature 4
#define kOfxStatErrUnsupported 5
#define kOfxStatErrExists 6
#define kOfxStatErrFormat 7
#define kOfxStatErrMemory 8
#define kOfxStatErrBadHandle 9
#define kOfxStatErrBadIndex 10
#define kOfxStatErrValue 11
#define kOfxStatReplyYes 12
#define kOfxStatReplyNo 13
#define kOfxStatReplyDefault 14

/* ---- Suites --------------------------------------------------------------------------------- */

#define kOfxPropertySuite "OfxPropertySuite"
#define kOfxImageEffectSuite "OfxImageEffectSuite"
#define kOfxParameterSuite "OfxParameterSuite"
#define kOfxMemorySuite "OfxMemorySuite"
#define kOfxMultiThreadSuite "OfxMultiThreadSuite"
#define kOfxMessageSuite "OfxMessageSuite"

typedef struct OfxPropertySuiteV1 {
    OfxStatus (*propSetPointer)(OfxPropertySetHandle, const char *, int, void *);
    OfxStatus (*propSetString)(OfxPropertySetHandle, const char *, int, const char *);
    OfxStatus (*propSetDouble)(OfxPropertySetHandle, const char *, int, double);
    OfxStatus (*propSetInt)(OfxPropertySetHandle, const char *, int, int);
    OfxStatus (*propSetPointerN)(OfxPropertySetHandle, const char *, int, void *const *);
    OfxStatus (*propSetStringN)(OfxPropertySetHandle, const char *, int, const char *const *);
    OfxStatus (*propSetDoubleN)(OfxPropertySetHandle, const char *, int, const double *);
    OfxStatus (*propSetIntN)(OfxPropertySetHandle, const char *, int, const int *);
    OfxStatus (*propGetPointer)(OfxPropertySetHandle, const char *, int, void **);
    OfxStatus (*propGetString)(OfxPropertySetHandle, const char *, int, char **);
    OfxStatus (*propGetDouble)(OfxPropertySetHandle, const char *, int, double *);
    OfxStatus (*propGetInt)(OfxPropertySetHandle, const char *, int, int *);
    OfxStatus (*propGetPointerN)(OfxPropertySetHandle, const char *, int, void **);
    OfxStatus (*propGetStringN)(OfxPropertySetHandle, const char *, int, char **);
    OfxStatus (*propGetDoubleN)(OfxPropertySetHandle, const char *, int, double *);
    OfxStatus (*propGetIntN)(OfxPropertySetHandle, const char *, int, int *);
    OfxStatus (*propReset)(OfxPropertySetHandle, const char *);
    OfxStatus (*propGetDimension)(OfxPropertySetHandle, const char *, int *);
} OfxPropertySuiteV1;

typedef struct OfxImageEffectSuiteV1 {
    OfxStatus (*getPropertySet)(OfxImageEffectHandle, OfxPropertySetHandle *);
    OfxStatus (*getParamSet)(OfxImageEffectHandle, OfxParamSetHandle *);
    OfxStatus (*clipDefine)(OfxImageEffectHandle, const char *, OfxPropertySetHandle *);
    OfxStatus (*clipGetHandle)(OfxImageEffectHandle, const char *, OfxImageClipHandle *,
                               OfxPropertySetHandle *);
    OfxStatus (*clipGetPropertySet)(OfxImageClipHandle, OfxPropertySetHandle *);
    OfxStatus (*clipGetImage)(OfxImageClipHandle, OfxTime, const OfxRectD *,
                              OfxPropertySetHandle *);
    OfxStatus (*clipReleaseImage)(OfxPropertySetHandle);
    OfxStatus (*clipGetRegionOfDefinition)(OfxImageClipHandle, OfxTime, OfxRectD *);
    int (*abort)(OfxImageEffectHandle);
    OfxStatus (*imageMemoryAlloc)(OfxImageEffectHandle, size_t, OfxImageMemoryHandle *);
    OfxStatus (*imageMemoryFree)(OfxImageMemoryHandle);
    OfxStatus (*imageMemoryLock)(OfxImageMemoryHandle, void **);
    OfxStatus (*imageMemoryUnlock)(OfxImageMemoryHandle);
} OfxImageEffectSuiteV1;

/* paramGetValue and friends are variadic in the standard: the value pointers follow. */
typedef struct OfxParameterSuiteV1 {
    OfxStatus (*paramDefine)(OfxParamSetHandle, const char *, const char *, OfxPropertySetHandle *);
    OfxStatus (*paramGetHandle)(OfxParamSetHandle, const char *, OfxParamHandle *,
                                OfxPropertySetHandle *);
    OfxStatus (*paramSetGetPropertySet)(OfxParamSetHandle, OfxPropertySetHandle *);
    OfxStatus (*paramGetPropertySet)(OfxParamHandle, OfxPropertySetHandle *);
    OfxStatus (*paramGetValue)(OfxParamHandle, ...);
    OfxStatus (*paramGetValueAtTime)(OfxParamHandle, OfxTime, ...);
    OfxStatus (*paramGetDerivative)(OfxParamHandle, OfxTime, ...);
    OfxStatus (*paramGetIntegral)(OfxParamHandle, OfxTime, OfxTime, ...);
    OfxStatus (*paramSetValue)(OfxParamHandle, ...);
    OfxStatus (*paramSetValueAtTime)(OfxParamHandle, OfxTime, ...);
    OfxStatus (*paramGetNumKeys)(OfxParamHandle, unsigned int *);
    OfxStatus (*paramGetKeyTime)(OfxParamHandle, unsigned int, OfxTime *);
    OfxStatus (*paramGetKeyIndex)(OfxParamHandle, OfxTime, int, int *);
    OfxStatus (*paramDeleteKey)(OfxParamHandle, OfxTime);
    OfxStatus (*paramDeleteAllKeys)(OfxParamHandle);
    OfxStatus (*paramCopy)(OfxParamHandle, OfxParamHandle, OfxTime, const OfxRangeD *);
    OfxStatus (*paramEditBegin)(OfxParamSetHandle, const char *);
    OfxStatus (*paramEditEnd)(OfxParamSetHandle);
} OfxParameterSuiteV1;

typedef struct OfxMemorySuiteV1 {
    OfxStatus (*memoryAlloc)(void *, size_t, void **);
    OfxStatus (*memoryFree)(void *);
} OfxMemorySuiteV1;

typedef OfxStatus (*OfxThreadFunctionV1)(unsigned int, unsigned int, void *);

typedef struct OfxMultiThreadSuiteV1 {
    OfxStatus (*multiThread)(OfxThreadFunctionV1, unsigned int, void *);
    OfxStatus (*multiThreadNumCPUs)(unsigned int *);
    OfxStatus (*multiThreadIndex)(unsigned int *);
    int (*multiThreadIsSpawnedThread)(void);
    OfxStatus (*mutexCreate)(OfxMutexHandle *, int);
    OfxStatus (*mutexDestroy)(const OfxMutexHandle);
    OfxStatus (*mutexLock)(const OfxMutexHandle);
    OfxStatus (*mutexUnLock)(const OfxMutexHandle);
    OfxStatus (*mutexTryLock)(const OfxMutexHandle);
} OfxMultiThreadSuiteV1;

/* message and setPersistentMessage are printf-like; this plug-in always passes "%s". */
typedef struct OfxMessageSuiteV1 {
    OfxStatus (*message)(void *, const char *, const char *, const char *, ...);
} OfxMessageSuiteV1;

typedef struct OfxMessageSuiteV2 {
    OfxStatus (*message)(void *, const char *, const char *, const char *, ...);
    OfxStatus (*setPersistentMessage)(void *, const char *, const char *, const char *, ...);
    OfxStatus (*clearPersistentMessage)(void *);
} OfxMessageSuiteV2;

/* ---- Actions -------------------------------------------------------------------------------- */

#define kOfxActionLoad "OfxActionLoad"
#define kOfxActionUnload "OfxActionUnload"
#define kOfxActionDescribe "OfxActionDescribe"
#define kOfxActionCreateInstance "OfxActionCreateInstance"
#define kOfxActionDestroyInstance "OfxActionDestroyInstance"
#define kOfxImageEffectActionDescribeInContext "OfxImageEffectActionDescribeInContext"
#define kOfxImageEffectActionGetClipPreferences "OfxImageEffectActionGetClipPreferences"
#define kOfxImageEffectActionGetRegionOfDefinition "OfxImageEffectActionGetRegionOfDefinition"
#define kOfxImageEffectActionGetFramesNeeded "OfxImageEffectActionGetFramesNeeded"
#define kOfxImageEffectActionIsIdentity "OfxImageEffectActionIsIdentity"
#define kOfxImageEffectActionRender "OfxImageEffectActionRender"

/* ---- Properties and their values ------------------------------------------------------------ */

#define kOfxImageEffectPluginApi "OfxImageEffectPluginAPI"
#define kOfxImageEffectPluginApiVersion 1

#define kOfxPropName "OfxPropName"
#define kOfxPropLabel "OfxPropLabel"
#define kOfxPropTime "OfxPropTime"
#define kOfxPropInstanceData "OfxPropInstanceData"
#define kOfxImageEffectPluginPropGrouping "OfxImageEffectPluginPropGrouping"
#define kOfxImageEffectPropSupportedContexts "OfxImageEffectPropSupportedContexts"
#define kOfxImageEffectContextFilter "OfxImageEffectContextFilter"
#define kOfxImageEffectPropContext "OfxImageEffectPropContext"
#define kOfxImageEffectPropSupportedPixelDepths "OfxImageEffectPropSupportedPixelDepths"
#define kOfxImageEffectPropSupportedComponents "OfxImageEffectPropSupportedComponents"
#define kOfxImageEffectPropSupportsMultiResolution "OfxImageEffectPropSupportsMultiResolution"
#define kOfxImageEffectPropSupportsTiles "OfxImageEffectPropSupportsTiles"
#define kOfxImageEffectPropTemporalClipAccess "OfxImageEffectPropTemporalClipAccess"
#define kOfxImageEffectPluginRenderThreadSafety "OfxImageEffectPluginRenderThreadSafety"
#define kOfxImageEffectRenderFullySafe "OfxImageEffectRenderFullySafe"
#define kOfxImageEffectPluginPropHostFrameThreading "OfxImageEffectPluginPropHostFrameThreading"
#define kOfxImageEffectPropFrameRange "OfxImageEffectPropFrameRange"
#define kOfxImageEffectPropProjectSize "OfxImageEffectPropProjectSize"
#define kOfxImageEffectPropRenderScale "OfxImageEffectPropRenderScale"
#define kOfxImageEffectPropRenderWindow "OfxImageEffectPropRenderWindow"
#define kOfxImageEffectPropRegionOfDefinition "OfxImageEffectPropRegionOfDefinition"
#define kOfxImageEffectPropPixelDepth "OfxImageEffectPropPixelDepth"
#define kOfxImageEffectPropComponents "OfxImageEffectPropComponents"
#define kOfxImageEffectSimpleSourceClipName "Source"
#define kOfxImageEffectOutputClipName "Output"
#define kOfxImageComponentRGBA "OfxImageComponentRGBA"
#define kOfxBitDepthByte "OfxBitDepthByte"
#define kOfxBitDepthShort "OfxBitDepthShort"
#define kOfxBitDepthFloat "OfxBitDepthFloat"
/* Fields: how the effect renders and fetches interlaced material. */
#define kOfxImageEffectPluginPropFieldRenderTwiceAlways "OfxImageEffectPluginPropFieldRenderTwiceAlways"
#define kOfxImageClipPropFieldExtraction "OfxImageClipPropFieldExtraction"
#define kOfxImageFieldBoth "OfxFieldBoth"
#define kOfxImagePropData "OfxImagePropData"
#define kOfxImagePropBounds "OfxImagePropBounds"
#define kOfxImagePropRowBytes "OfxImagePropRowBytes"
/* GetClipPreferences and GetFramesNeeded answer in properties named prefix + clip name. */
#define kOfxImageClipPropComponentsPrefix "OfxImageClipPropComponents_"
#define kOfxImageClipPropFrameRangePrefix "OfxImageClipPropFrameRange_"

#define kOfxParamTypeInteger "OfxParamTypeInteger"
#define kOfxParamTypeChoice "OfxParamTypeChoice"
#define kOfxParamTypeString "OfxParamTypeString"
#define kOfxParamPropDefault "OfxParamPropDefault"
#define kOfxParamPropHint "OfxParamPropHint"
#define kOfxParamPropMin "OfxParamPropMin"
#define kOfxParamPropMax "OfxParamPropMax"
#define kOfxParamPropChoiceOption "OfxParamPropChoiceOption"
#define kOfxParamPropAnimates "OfxParamPropAnimates"
#define kOfxParamPropStringMode "OfxParamPropStringMode"
#define kOfxParamStringIsSingleLine "OfxParamStringIsSingleLine"
#define kOfxParamStringIsDirectoryPath "OfxParamStringIsDirectoryPath"

#define kOfxMessageError "OfxMessageError"
#define kOfxMessageWarning "OfxMessageWarning"

/* Final renders, render scale and the Refresh button (issue #25's render behaviours). */
#define kOfxActionInstanceChanged "OfxActionInstanceChanged"
#define kOfxPropChangeReason "OfxPropChangeReason"
#define kOfxChangeUserEdited "OfxChangeUserEdited"
#define kOfxImageEffectPropInteractiveRenderStatus "OfxImageEffectPropInteractiveRenderStatus"
#define kOfxImageEffectHostPropIsBackground "OfxImageEffectHostPropIsBackground"
#define kOfxParamTypePushButton "OfxParamTypePushButton"
#define kOfxParamPropSecret "OfxParamPropSecret"

/* ---- Layouts the ABI fixes ------------------------------------------------------------------ */

#if defined(__cplusplus)
#define OFX_STATIC_ASSERT static_assert
#else
#define OFX_STATIC_ASSERT _Static_assert
#endif

#define OFX_PTR sizeof(void *)
OFX_STATIC_ASSERT(sizeof(OfxStatus) == 4, "OfxStatus is a 32-bit int");
OFX_STATIC_ASSERT(sizeof(OfxTime) == 8, "OfxTime is a double");
OFX_STATIC_ASSERT(sizeof(OfxPointI) == 8 && sizeof(OfxPointD) == 16, "points");
OFX_STATIC_ASSERT(sizeof(OfxRangeI) == 8 && sizeof(OfxRangeD) == 16, "ranges");
OFX_STATIC_ASSERT(sizeof(OfxRectI) == 16 && offsetof(OfxRectI, y2) == 12, "OfxRectI");
OFX_STATIC_ASSERT(sizeof(OfxRectD) == 32 && offsetof(OfxRectD, y2) == 24, "OfxRectD");
OFX_STATIC_ASSERT(sizeof(OfxRGBAColourB) == 4 && sizeof(OfxRGBAColourS) == 8 &&
                      sizeof(OfxRGBAColourF) == 16,
                  "pixels are packed RGBA");
OFX_STATIC_ASSERT(sizeof(OfxHost) == 2 * OFX_PTR && offsetof(OfxHost, fetchSuite) == OFX_PTR,
                  "OfxHost");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, apiVersion) == OFX_PTR, "OfxPlugin.apiVersion");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, pluginIdentifier) == 2 * OFX_PTR,
                  "OfxPlugin.pluginIdentifier");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, pluginVersionMajor) == 3 * OFX_PTR,
                  "OfxPlugin.pluginVersionMajor");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, pluginVersionMinor) == 3 * OFX_PTR + 4,
                  "OfxPlugin.pluginVersionMinor");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, setHost) == 3 * OFX_PTR + 8, "OfxPlugin.setHost");
OFX_STATIC_ASSERT(offsetof(OfxPlugin, mainEntry) == 4 * OFX_PTR + 8, "OfxPlugin.mainEntry");
OFX_STATIC_ASSERT(sizeof(OfxPlugin) == 5 * OFX_PTR + 8, "OfxPlugin");
/* Suites are tables of function pointers: the member count fixes the size, the order the
 * offsets (checked for the members whose position is easiest to get wrong). */
OFX_STATIC_ASSERT(sizeof(OfxPropertySuiteV1) == 18 * OFX_PTR, "OfxPropertySuiteV1");
OFX_STATIC_ASSERT(offsetof(OfxPropertySuiteV1, propGetPointer) == 8 * OFX_PTR,
                  "OfxPropertySuiteV1.propGetPointer");
OFX_STATIC_ASSERT(offsetof(OfxPropertySuiteV1, propGetDimension) == 17 * OFX_PTR,
                  "OfxPropertySuiteV1.propGetDimension");
OFX_STATIC_ASSERT(sizeof(OfxImageEffectSuiteV1) == 13 * OFX_PTR, "OfxImageEffectSuiteV1");
OFX_STATIC_ASSERT(offsetof(OfxImageEffectSuiteV1, clipGetImage) == 5 * OFX_PTR,
                  "OfxImageEffectSuiteV1.clipGetImage");
OFX_STATIC_ASSERT(offsetof(OfxImageEffectSuiteV1, abort) == 8 * OFX_PTR,
                  "OfxImageEffectSuiteV1.abort");
OFX_STATIC_ASSERT(sizeof(OfxParameterSuiteV1) == 18 * OFX_PTR, "OfxParameterSuiteV1");
OFX_STATIC_ASSERT(offsetof(OfxParameterSuiteV1, paramGetValueAtTime) == 5 * OFX_PTR,
                  "OfxParameterSuiteV1.paramGetValueAtTime");
OFX_STATIC_ASSERT(sizeof(OfxMemorySuiteV1) == 2 * OFX_PTR, "OfxMemorySuiteV1");
OFX_STATIC_ASSERT(sizeof(OfxMultiThreadSuiteV1) == 9 * OFX_PTR, "OfxMultiThreadSuiteV1");
OFX_STATIC_ASSERT(offsetof(OfxMultiThreadSuiteV1, mutexCreate) == 4 * OFX_PTR,
                  "OfxMultiThreadSuiteV1.mutexCreate");
OFX_STATIC_ASSERT(offsetof(OfxMultiThreadSuiteV1, mutexTryLock) == 8 * OFX_PTR,
                  "OfxMultiThreadSuiteV1.mutexTryLock");
OFX_STATIC_ASSERT(sizeof(OfxMessageSuiteV1) == OFX_PTR, "OfxMessageSuiteV1");
OFX_STATIC_ASSERT(sizeof(OfxMessageSuiteV2) == 3 * OFX_PTR, "OfxMessageSuiteV2");

/* ---- What a plug-in binary exports ---------------------------------------------------------- */

OFX_EXPORT int OfxGetNumberOfPlugins(void);
OFX_EXPORT OfxPlugin *OfxGetPlugin(int nth);

#ifdef __cplusplus
}
#endif

#endif
