/* Time and space: engine windows, frames needed, region of definition, clip preferences. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sparkvsr_ofx.h"

/* Windows tile host time from frame 0, [k*length, (k+1)*length), cut to the source clip's frame
 * range: a frame's window, and so its pixels, do not depend on where the clip starts (trimming
 * its head changes only the window the cut falls in). */
int sv_window_at(const SvInstance *inst, OfxTime time, int length, SvWindow *out) {
    OfxPropertySetHandle props;
    double range[2];
    if (!SV_OK(sv_host.effects->clipGetPropertySet(inst->source, &props)) ||
        !SV_OK(sv_host.props->propGetDoubleN(props, kOfxImageEffectPropFrameRange, 2, range)))
        return 0;
    int first = (int)floor(range[0]), last = (int)floor(range[1]);
    int frame = (int)floor(time + 0.5);
    if (frame < first) frame = first;
    if (frame > last) frame = last;
    int start = (int)floor((double)frame / length) * length; /* frames before 0 too */
    out->first = start > first ? start : first;
    out->last = start + length - 1 < last ? start + length - 1 : last;
    return 1;
}

static int read_time_and_settings(OfxImageEffectHandle effect, OfxPropertySetHandle in,
                                  SvInstance **inst, OfxTime *time, SvSettings *settings) {
    char why[SV_MESSAGE_LEN];
    *inst = sv_instance(effect);
    return *inst != NULL && SV_OK(sv_host.props->propGetDouble(in, kOfxPropTime, 0, time)) &&
           sv_read_settings(*inst, *time, settings, why, sizeof why);
}

OfxStatus sv_get_rod(OfxImageEffectHandle effect, OfxPropertySetHandle in,
                     OfxPropertySetHandle out) {
    SvInstance *inst;
    OfxTime time;
    SvSettings settings;
    if (!read_time_and_settings(effect, in, &inst, &time, &settings)) return kOfxStatReplyDefault;
    if (settings.mode != SV_MODE_UPSCALE || !sv_host.host_multires) return kOfxStatReplyDefault;
    OfxRectD rod;
    if (!SV_OK(sv_host.effects->clipGetRegionOfDefinition(inst->source, time, &rod)))
        return kOfxStatFailed;
    double scaled[4] = {rod.x1 * settings.scale, rod.y1 * settings.scale,
                        rod.x2 * settings.scale, rod.y2 * settings.scale};
    if (!SV_OK(sv_host.props->propSetDoubleN(out, kOfxImageEffectPropRegionOfDefinition, 4,
                                             scaled)))
        return kOfxStatFailed;
    return kOfxStatOK;
}

OfxStatus sv_frames_needed(OfxImageEffectHandle effect, OfxPropertySetHandle in,
                           OfxPropertySetHandle out) {
    SvInstance *inst = sv_instance(effect);
    OfxTime time;
    int length = 16;
    if (inst == NULL || !SV_OK(sv_host.props->propGetDouble(in, kOfxPropTime, 0, &time)))
        return kOfxStatFailed;
    /* Bad parameters still need frames: the render then passes the current one through. */
    if (!SV_OK(sv_host.params->paramGetValueAtTime(inst->p_window, time, &length)) ||
        length < 1 || length > 1024)
        length = 1;
    SvWindow window;
    if (!sv_window_at(inst, time, length, &window)) return kOfxStatFailed;
    double range[2] = {window.first, window.last};
    char name[64];
    snprintf(name, sizeof name, "%s%s", kOfxImageClipPropFrameRangePrefix,
             kOfxImageEffectSimpleSourceClipName);
    if (!SV_OK(sv_host.props->propSetDoubleN(out, name, 2, range))) return kOfxStatFailed;
    return kOfxStatOK;
}

OfxStatus sv_clip_preferences(OfxImageEffectHandle effect, OfxPropertySetHandle out) {
    (void)effect;
    const char *clips[] = {kOfxImageEffectSimpleSourceClipName, kOfxImageEffectOutputClipName};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", kOfxImageClipPropComponentsPrefix, clips[i]);
        if (!SV_OK(sv_host.props->propSetString(out, name, 0, kOfxImageComponentRGBA)))
            return kOfxStatFailed;
    }
    return kOfxStatOK;
}
