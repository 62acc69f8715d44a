/* CreateInstance/DestroyInstance: the instance's handles and lock, hung on its property set. */
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "params.h"

SvInstance *sv_instance(OfxImageEffectHandle effect) {
    OfxPropertySetHandle props;
    void *data = NULL;
    if (!SV_OK(sv_host.effects->getPropertySet(effect, &props))) return NULL;
    if (!SV_OK(sv_host.props->propGetPointer(props, kOfxPropInstanceData, 0, &data))) return NULL;
    return (SvInstance *)data;
}

static int get_param(OfxParamSetHandle set, const char *name, OfxParamHandle *out) {
    return SV_OK(sv_host.params->paramGetHandle(set, name, out, NULL));
}

static int get_params(OfxImageEffectHandle effect, SvInstance *inst) {
    OfxParamSetHandle set;
    if (!SV_OK(sv_host.effects->getParamSet(effect, &set))) return 0;
    return get_param(set, SV_PARAM_SCALE, &inst->p_scale) &&
           get_param(set, SV_PARAM_MODE, &inst->p_mode) &&
           get_param(set, SV_PARAM_ENGINE, &inst->p_engine) &&
           get_param(set, SV_PARAM_SERVER, &inst->p_server) &&
           get_param(set, SV_PARAM_KEYS, &inst->p_keys) &&
           get_param(set, SV_PARAM_KEY_FOLDER, &inst->p_key_folder) &&
           get_param(set, SV_PARAM_PROVIDER, &inst->p_provider) &&
           get_param(set, SV_PARAM_WINDOW, &inst->p_window) &&
           get_param(set, SV_PARAM_TIMEOUT, &inst->p_timeout) &&
           get_param(set, SV_PARAM_ON_FAILURE, &inst->p_on_failure) &&
           get_param(set, SV_PARAM_REFRESH_COUNT, &inst->p_refresh_count);
}

static int get_clips(OfxImageEffectHandle effect, SvInstance *inst) {
    return SV_OK(sv_host.effects->clipGetHandle(effect, kOfxImageEffectSimpleSourceClipName,
                                                &inst->source, NULL)) &&
           SV_OK(sv_host.effects->clipGetHandle(effect, kOfxImageEffectOutputClipName,
                                                &inst->output, NULL));
}

static void free_instance(SvInstance *inst) {
    if (inst->server_lock) sv_host.threads->mutexDestroy(inst->server_lock);
    sv_memo_free(inst->memo);
    free(inst);
}

OfxStatus sv_create_instance(OfxImageEffectHandle effect) {
    SvInstance *inst = calloc(1, sizeof *inst);
    if (inst == NULL) return kOfxStatErrMemory;
    inst->effect = effect;
    OfxPropertySetHandle props;
    int ok = get_params(effect, inst) && get_clips(effect, inst) &&
             SV_OK(sv_host.threads->mutexCreate(&inst->server_lock, 0)) &&
             SV_OK(sv_host.effects->getPropertySet(effect, &props)) &&
             SV_OK(sv_host.props->propSetPointer(props, kOfxPropInstanceData, 0, inst));
    if (!ok) {
        free_instance(inst);
        return kOfxStatFailed;
    }
    return kOfxStatOK;
}

OfxStatus sv_destroy_instance(OfxImageEffectHandle effect) {
    SvInstance *inst = sv_instance(effect);
    if (inst == NULL) return kOfxStatErrBadHandle;
    OfxPropertySetHandle props;
    if (SV_OK(sv_host.effects->getPropertySet(effect, &props)))
        sv_host.props->propSetPointer(props, kOfxPropInstanceData, 0, NULL);
    free_instance(inst);
    return kOfxStatOK;
}

/* Refresh pressed: one more press counted in the secret parameter, which the host then sees
 * change (and drops its cached frames) and which every request's cache key holds. */
OfxStatus sv_instance_changed(OfxImageEffectHandle effect, OfxPropertySetHandle in) {
    SvInstance *inst = sv_instance(effect);
    char *name = NULL;
    int count = 0;
    if (inst == NULL || !SV_OK(sv_host.props->propGetString(in, kOfxPropName, 0, &name)) ||
        name == NULL || strcmp(name, SV_PARAM_REFRESH) != 0)
        return kOfxStatReplyDefault;
    if (!SV_OK(sv_host.params->paramGetValue(inst->p_refresh_count, &count)) ||
        !SV_OK(sv_host.params->paramSetValue(inst->p_refresh_count, count + 1)))
        return kOfxStatFailed;
    return kOfxStatOK;
}
