/* The host's suites, fetched at Load, and the thin wrappers over them. */
#include "host.h"

SvHost sv_host;

void sv_set_host(OfxHost *host) { sv_host.host = host; }

static const void *fetch(const char *name, int version) {
    if (sv_host.host == NULL || sv_host.host->fetchSuite == NULL) return NULL;
    return sv_host.host->fetchSuite(sv_host.host->host, name, version);
}

OfxStatus sv_load(void) {
    sv_host.props = fetch(kOfxPropertySuite, 1);
    sv_host.effects = fetch(kOfxImageEffectSuite, 1);
    sv_host.params = fetch(kOfxParameterSuite, 1);
    sv_host.memory = fetch(kOfxMemorySuite, 1);
    sv_host.threads = fetch(kOfxMultiThreadSuite, 1);
    /* Messages are optional: a host without them still renders, it just cannot be told why. */
    sv_host.messages2 = fetch(kOfxMessageSuite, 2);
    sv_host.messages1 = sv_host.messages2 ? NULL : fetch(kOfxMessageSuite, 1);
    if (!sv_host.props || !sv_host.effects || !sv_host.params || !sv_host.memory ||
        !sv_host.threads)
        return kOfxStatErrMissingHostFeature;
    /* Both optional: a host that does not say has neither (and a viewer). */
    int multires = 0, background = 0;
    sv_host.host_multires = SV_OK(sv_host.props->propGetInt(
                                sv_host.host->host, kOfxImageEffectPropSupportsMultiResolution, 0,
                                &multires)) &&
                            multires;
    sv_host.host_background = SV_OK(sv_host.props->propGetInt(
                                  sv_host.host->host, kOfxImageEffectHostPropIsBackground, 0,
                                  &background)) &&
                              background;
    return kOfxStatOK;
}

void sv_message(OfxImageEffectHandle effect, const char *type, const char *text) {
    if (sv_host.messages2) {
        sv_host.messages2->setPersistentMessage(effect, type, SV_PLUGIN_ID, "%s", text);
    } else if (sv_host.messages1) {
        sv_host.messages1->message(effect, type, SV_PLUGIN_ID, "%s", text);
    }
}

void sv_clear_message(OfxImageEffectHandle effect) {
    if (sv_host.messages2) sv_host.messages2->clearPersistentMessage(effect);
}

void *sv_alloc(OfxImageEffectHandle effect, size_t bytes) {
    void *data = NULL;
    if (!SV_OK(sv_host.memory->memoryAlloc(effect, bytes, &data))) return NULL;
    return data;
}

void sv_free(void *data) {
    if (data) sv_host.memory->memoryFree(data);
}

int sv_aborted(OfxImageEffectHandle effect) { return sv_host.effects->abort(effect) != 0; }
