/* Entry points and action dispatch: the one module that uses every other. */
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "sparkvsr_ofx.h"

/* A live handover file is written, then waited on for at most the Timeout parameter's maximum
 * (3600 s): one last written twice that long ago was left by a host that crashed mid-render. */
#define SV_HANDOVER_STALE_S (2 * 3600)

static OfxStatus load(void) {
    OfxStatus status = sv_load();
    if (status == kOfxStatOK) sv_handover_sweep(SV_HANDOVER_STALE_S);
    return status;
}

static OfxStatus dispatch(const char *action, OfxImageEffectHandle effect,
                          OfxPropertySetHandle in, OfxPropertySetHandle out) {
    if (strcmp(action, kOfxActionLoad) == 0) return load();
    if (strcmp(action, kOfxActionUnload) == 0) return kOfxStatOK;
    if (strcmp(action, kOfxActionDescribe) == 0) return sv_describe(effect);
    if (strcmp(action, kOfxImageEffectActionDescribeInContext) == 0)
        return sv_describe_in_context(effect);
    if (strcmp(action, kOfxActionCreateInstance) == 0) return sv_create_instance(effect);
    if (strcmp(action, kOfxActionDestroyInstance) == 0) return sv_destroy_instance(effect);
    if (strcmp(action, kOfxImageEffectActionGetClipPreferences) == 0)
        return sv_clip_preferences(effect, out);
    if (strcmp(action, kOfxImageEffectActionGetRegionOfDefinition) == 0)
        return sv_get_rod(effect, in, out);
    if (strcmp(action, kOfxImageEffectActionGetFramesNeeded) == 0)
        return sv_frames_needed(effect, in, out);
    if (strcmp(action, kOfxImageEffectActionRender) == 0) return sv_render(effect, in);
    if (strcmp(action, kOfxActionInstanceChanged) == 0) return sv_instance_changed(effect, in);
    return kOfxStatReplyDefault;
}

static OfxStatus main_entry(const char *action, const void *handle, OfxPropertySetHandle in,
                            OfxPropertySetHandle out) {
    if (action == NULL) return kOfxStatErrBadHandle;
    /* Every action but Load/Unload needs the suites that Load fetched. */
    int lifecycle = strcmp(action, kOfxActionLoad) == 0 || strcmp(action, kOfxActionUnload) == 0;
    if (!lifecycle && sv_host.props == NULL) return kOfxStatErrMissingHostFeature;
    return dispatch(action, (OfxImageEffectHandle)handle, in, out);
}

static OfxPlugin plugin = {
    kOfxImageEffectPluginApi, kOfxImageEffectPluginApiVersion, SV_PLUGIN_ID, 1, 0, sv_set_host,
    main_entry,
};

OFX_EXPORT int OfxGetNumberOfPlugins(void) { return 1; }

OFX_EXPORT OfxPlugin *OfxGetPlugin(int nth) { return nth == 0 ? &plugin : NULL; }
