/* Prints, as JSON, the sizes, offsets and constants ofx_api.h declares, so a test can hold them
 * against the OpenFX standard's values. */
#include <stddef.h>
#include <stdio.h>

#include "ofx_api.h"

#define SIZE(type) printf("  \"sizeof %s\": %zu,\n", #type, sizeof(type))
#define OFFSET(type, member) \
    printf("  \"offsetof %s.%s\": %zu,\n", #type, #member, offsetof(type, member))

static void text(const char *name, const char *value) { printf("  \"%s\": \"%s\",\n", name, value); }
static void number(const char *name, int value) { printf("  \"%s\": %d,\n", name, value); }

/* Every constant the header defines (the list is generated from it by CMake): strings print as
 * strings, status codes and versions as numbers. */
#define CONSTANT(name) _Generic((name), char *: text, default: number)(#name, name);

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
#include "ofx_constants.inc"
    printf("  \"pointer size\": %zu\n}\n", sizeof(void *));
    return 0;
}
