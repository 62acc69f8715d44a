/* The effect's parameters: one table that Describe defines and the instance reads. */
#ifndef SPARKVSR_PARAMS_H
#define SPARKVSR_PARAMS_H

#include "sparkvsr_ofx.h"

typedef enum { SV_PARAM_CHOICE, SV_PARAM_STRING, SV_PARAM_INT, SV_PARAM_BUTTON } SvParamKind;

typedef struct SvParamSpec {
    const char *name;
    SvParamKind kind;
    const char *label;
    const char *hint;
    const char *const *options; /* choices, NULL-terminated */
    int default_int, min, max;
    const char *default_text;
    int flags; /* SV_PARAM_DIRECTORY, SV_PARAM_SECRET */
} SvParamSpec;

#define SV_PARAM_DIRECTORY 1 /* a string that names a folder */
#define SV_PARAM_SECRET 2    /* kept by the host, never shown (the Refresh count) */

#define SV_PARAM_SCALE "sourceScale"
#define SV_PARAM_MODE "mode"
#define SV_PARAM_ENGINE "engine"
#define SV_PARAM_SERVER "server"
#define SV_PARAM_KEYS "keyframes"
#define SV_PARAM_KEY_FOLDER "keyframeFolder"
#define SV_PARAM_PROVIDER "provider"
#define SV_PARAM_WINDOW "window"
#define SV_PARAM_TIMEOUT "timeout"
#define SV_PARAM_ON_FAILURE "onFailure"
#define SV_PARAM_REFRESH "refresh"
#define SV_PARAM_REFRESH_COUNT "refreshCount"

extern const SvParamSpec sv_param_specs[];

#endif
