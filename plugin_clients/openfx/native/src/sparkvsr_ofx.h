/* The SparkVSR Upscale effect's internal interface: instance data, settings, and the actions'
 * modules.
 *
 * The modules call one another one way only (tests/openfx/test_ofx_modules.py checks it):
 *   entry.c    -> describe.c, instance.c, geometry.c, render.c, platform (the dispatcher)
 *   render.c   -> geometry.c, instance.c, params.c, memo.c, gateway.c, pixels.c, platform
 *   geometry.c -> instance.c, params.c         describe.c -> params.c      instance.c -> memo.c
 *   gateway.c  -> http.c, pixels.c, platform   http.c -> http_reply.c, platform
 * and the plug-in's modules -> host.c (the host's suites); host.c, memo.c, http_reply.c and the
 * platform module (platform_posix.c or platform_win32.c) call none of them.
 */
#ifndef SPARKVSR_OFX_H
#define SPARKVSR_OFX_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"

#define SV_MESSAGE_LEN 512
#define SV_TEXT_LEN 1024

typedef enum { SV_MODE_RESTORE = 0, SV_MODE_UPSCALE = 1 } SvMode;
typedef enum { SV_KEYS_NONE = 0, SV_KEYS_FOLDER = 1, SV_KEYS_PROVIDER = 2 } SvKeySource;
/* The "On failure" choice, in its options' order. */
typedef enum {
    SV_FAIL_IN_FINAL = 0, /* pass through in the viewer, fail a final render */
    SV_FAIL_ALWAYS = 1,
    SV_PASS_ALWAYS = 2
} SvOnFailure;

/* Everything a render needs from the parameters, read and checked at one time. */
typedef struct SvSettings {
    int scale; /* 2, 3 or 4, "auto" resolved */
    SvMode mode;
    char engine[64];
    char host[64];
    int port;
    SvKeySource key_source;
    char key_folder[SV_TEXT_LEN];
    char provider[64];
    int window;      /* frames per engine window */
    int timeout_s;   /* longest wait for the server */
    int refresh;     /* presses of Refresh: part of every cache key */
} SvSettings;

typedef struct SvMemo SvMemo; /* memo.h */

/* Per-instance data, hung on the instance's kOfxPropInstanceData. */
typedef struct SvInstance {
    OfxImageEffectHandle effect;
    OfxImageClipHandle source, output;
    OfxParamHandle p_scale, p_mode, p_engine, p_server, p_keys, p_key_folder, p_provider,
        p_window, p_timeout, p_on_failure, p_refresh_count;
    OfxMutexHandle server_lock; /* one window request in flight per instance */
    SvMemo *memo;               /* the windows sent last; read and written under server_lock */
} SvInstance;

/* A frame range [first, last] in host time. */
typedef struct SvWindow { int first, last; } SvWindow;

/* describe.c */
OfxStatus sv_describe(OfxImageEffectHandle effect);
OfxStatus sv_describe_in_context(OfxImageEffectHandle effect);

/* instance.c, params.c */
OfxStatus sv_create_instance(OfxImageEffectHandle effect);
OfxStatus sv_destroy_instance(OfxImageEffectHandle effect);
OfxStatus sv_instance_changed(OfxImageEffectHandle effect, OfxPropertySetHandle in);
SvInstance *sv_instance(OfxImageEffectHandle effect);
int sv_read_settings(const SvInstance *inst, OfxTime time, SvSettings *out, char *why,
                     size_t why_len);
SvOnFailure sv_read_on_failure(const SvInstance *inst, OfxTime time);
int sv_auto_scale(const SvInstance *inst, OfxTime time);

/* geometry.c */
int sv_window_at(const SvInstance *inst, OfxTime time, int length, SvWindow *out);
OfxStatus sv_get_rod(OfxImageEffectHandle effect, OfxPropertySetHandle in,
                     OfxPropertySetHandle out);
OfxStatus sv_frames_needed(OfxImageEffectHandle effect, OfxPropertySetHandle in,
                           OfxPropertySetHandle out);
OfxStatus sv_clip_preferences(OfxImageEffectHandle effect, OfxPropertySetHandle out);

/* render.c */
OfxStatus sv_render(OfxImageEffectHandle effect, OfxPropertySetHandle in);

#endif
