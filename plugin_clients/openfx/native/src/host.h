/* The host's suites, fetched at Load, and the thin wrappers every module uses to reach them. */
#ifndef SPARKVSR_HOST_H
#define SPARKVSR_HOST_H

#include <stddef.h>

#include "ofx_api.h"

#define SV_PLUGIN_ID "org.sparkvsr.upscale"
/* Every host call returns a status; this names the test. */
#define SV_OK(status) ((status) == kOfxStatOK)

/* The host's suites. Set once by setHost/Load and read-only afterwards: the only data outside an
 * instance, and the standard's way for a plug-in to reach its host. */
typedef struct SvHost {
    OfxHost *host;
    const OfxPropertySuiteV1 *props;
    const OfxImageEffectSuiteV1 *effects;
    const OfxParameterSuiteV1 *params;
    const OfxMemorySuiteV1 *memory;
    const OfxMultiThreadSuiteV1 *threads;
    const OfxMessageSuiteV2 *messages2; /* either of these, or neither */
    const OfxMessageSuiteV1 *messages1;
    int host_multires;
    int host_background; /* kOfxImageEffectHostPropIsBackground: a render farm, no viewer */
} SvHost;

extern SvHost sv_host;

void sv_set_host(OfxHost *host);
OfxStatus sv_load(void);
void sv_message(OfxImageEffectHandle effect, const char *type, const char *text);
void sv_clear_message(OfxImageEffectHandle effect);
void *sv_alloc(OfxImageEffectHandle effect, size_t bytes);
void sv_free(void *data);
int sv_aborted(OfxImageEffectHandle effect);

#endif
