/* Describe and DescribeInContext: what the effect is, its clips and its parameters. */
#include <stddef.h>

#include "sparkvsr_ofx.h"
#include "params.h"

/* Sets each property in turn, stopping at the first the host refuses. */
#define TRY(call)                                                                              \
    do {                                                                                       \
        OfxStatus status_ = (call);                                                            \
        if (!SV_OK(status_)) return status_;                                                   \
    } while (0)

OfxStatus sv_describe(OfxImageEffectHandle effect) {
    const OfxPropertySuiteV1 *p = sv_host.props;
    OfxPropertySetHandle props;
    TRY(sv_host.effects->getPropertySet(effect, &props));
    TRY(p->propSetString(props, kOfxPropLabel, 0, "SparkVSR Upscale"));
    TRY(p->propSetString(props, kOfxImageEffectPluginPropGrouping, 0, "SparkVSR"));
    TRY(p->propSetString(props, kOfxImageEffectPropSupportedContexts, 0,
                         kOfxImageEffectContextFilter));
    TRY(p->propSetString(props, kOfxImageEffectPropSupportedPixelDepths, 0, kOfxBitDepthByte));
    TRY(p->propSetString(props, kOfxImageEffectPropSupportedPixelDepths, 1, kOfxBitDepthShort));
    TRY(p->propSetString(props, kOfxImageEffectPropSupportedPixelDepths, 2, kOfxBitDepthFloat));
    /* Multi-resolution lets the upscale mode give the output a larger region of definition. */
    TRY(p->propSetInt(props, kOfxImageEffectPropSupportsMultiResolution, 0, 1));
    /* The engine sees whole frames: a tile has no neighbours to carry detail from. */
    TRY(p->propSetInt(props, kOfxImageEffectPropSupportsTiles, 0, 0));
    TRY(p->propSetInt(props, kOfxImageEffectPropTemporalClipAccess, 0, 1));
    TRY(p->propSetString(props, kOfxImageEffectPluginRenderThreadSafety, 0,
                         kOfxImageEffectRenderFullySafe));
    TRY(p->propSetInt(props, kOfxImageEffectPluginPropHostFrameThreading, 0, 0));
    /* Fields: the engine works on whole frames and no parameter animates, so one render per
     * frame (not one per field, the standard's default) of the frame with both fields. */
    TRY(p->propSetInt(props, kOfxImageEffectPluginPropFieldRenderTwiceAlways, 0, 0));
    return kOfxStatOK;
}

static OfxStatus define_clip(OfxImageEffectHandle effect, const char *name, int temporal) {
    OfxPropertySetHandle clip;
    TRY(sv_host.effects->clipDefine(effect, name, &clip));
    TRY(sv_host.props->propSetString(clip, kOfxImageEffectPropSupportedComponents, 0,
                                     kOfxImageComponentRGBA));
    TRY(sv_host.props->propSetInt(clip, kOfxImageEffectPropSupportsTiles, 0, 0));
    if (temporal) TRY(sv_host.props->propSetInt(clip, kOfxImageEffectPropTemporalClipAccess, 0, 1));
    /* Whole interlaced frames, not the standard's default of line-doubled single fields. */
    TRY(sv_host.props->propSetString(clip, kOfxImageClipPropFieldExtraction, 0,
                                     kOfxImageFieldBoth));
    return kOfxStatOK;
}

static OfxStatus define_param(OfxParamSetHandle set, const char *type, const char *name,
                              const char *label, const char *hint, OfxPropertySetHandle *props) {
    TRY(sv_host.params->paramDefine(set, type, name, props));
    TRY(sv_host.props->propSetString(*props, kOfxPropLabel, 0, label));
    TRY(sv_host.props->propSetString(*props, kOfxParamPropHint, 0, hint));
    TRY(sv_host.props->propSetInt(*props, kOfxParamPropAnimates, 0, 0));
    return kOfxStatOK;
}

static OfxStatus define_choice(OfxParamSetHandle set, const SvParamSpec *spec) {
    OfxPropertySetHandle props;
    TRY(define_param(set, kOfxParamTypeChoice, spec->name, spec->label, spec->hint, &props));
    for (int i = 0; spec->options[i] != NULL; i++)
        TRY(sv_host.props->propSetString(props, kOfxParamPropChoiceOption, i, spec->options[i]));
    TRY(sv_host.props->propSetInt(props, kOfxParamPropDefault, 0, spec->default_int));
    return kOfxStatOK;
}

static OfxStatus define_string(OfxParamSetHandle set, const SvParamSpec *spec) {
    OfxPropertySetHandle props;
    TRY(define_param(set, kOfxParamTypeString, spec->name, spec->label, spec->hint, &props));
    TRY(sv_host.props->propSetString(props, kOfxParamPropDefault, 0, spec->default_text));
    const char *mode = spec->flags & SV_PARAM_DIRECTORY ? kOfxParamStringIsDirectoryPath
                                                        : kOfxParamStringIsSingleLine;
    TRY(sv_host.props->propSetString(props, kOfxParamPropStringMode, 0, mode));
    return kOfxStatOK;
}

/* A push button has no value: nothing to animate or default. */
static OfxStatus define_button(OfxParamSetHandle set, const SvParamSpec *spec) {
    OfxPropertySetHandle props;
    TRY(sv_host.params->paramDefine(set, kOfxParamTypePushButton, spec->name, &props));
    TRY(sv_host.props->propSetString(props, kOfxPropLabel, 0, spec->label));
    TRY(sv_host.props->propSetString(props, kOfxParamPropHint, 0, spec->hint));
    return kOfxStatOK;
}

static OfxStatus define_int(OfxParamSetHandle set, const SvParamSpec *spec) {
    OfxPropertySetHandle props;
    TRY(define_param(set, kOfxParamTypeInteger, spec->name, spec->label, spec->hint, &props));
    if (spec->flags & SV_PARAM_SECRET)
        TRY(sv_host.props->propSetInt(props, kOfxParamPropSecret, 0, 1));
    TRY(sv_host.props->propSetInt(props, kOfxParamPropDefault, 0, spec->default_int));
    TRY(sv_host.props->propSetInt(props, kOfxParamPropMin, 0, spec->min));
    TRY(sv_host.props->propSetInt(props, kOfxParamPropMax, 0, spec->max));
    return kOfxStatOK;
}

OfxStatus sv_describe_in_context(OfxImageEffectHandle effect) {
    TRY(define_clip(effect, kOfxImageEffectSimpleSourceClipName, 1));
    TRY(define_clip(effect, kOfxImageEffectOutputClipName, 0));
    OfxParamSetHandle set;
    TRY(sv_host.effects->getParamSet(effect, &set));
    for (const SvParamSpec *spec = sv_param_specs; spec->name != NULL; spec++) {
        if (spec->kind == SV_PARAM_CHOICE) TRY(define_choice(set, spec));
        if (spec->kind == SV_PARAM_STRING) TRY(define_string(set, spec));
        if (spec->kind == SV_PARAM_INT) TRY(define_int(set, spec));
        if (spec->kind == SV_PARAM_BUTTON) TRY(define_button(set, spec));
    }
    return kOfxStatOK;
}
