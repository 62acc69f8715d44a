/* A minimal HTTP/1.1 POST over loopback that never waits past its deadline or a host abort. */
#ifndef SPARKVSR_HTTP_H
#define SPARKVSR_HTTP_H

#include <stddef.h>

#include "sparkvsr_ofx.h"

typedef enum { SV_DONE = 0, SV_FAILED = 1, SV_ABORTED = 2 } SvOutcome;

typedef struct SvHttpReply {
    int status;
    char *body; /* malloc'd, NUL-terminated; the caller frees it */
} SvHttpReply;

SvOutcome sv_http_post(const SvSettings *settings, const char *path, const char *body,
                       OfxImageEffectHandle effect, SvHttpReply *reply, char *why,
                       size_t why_len);

#endif
