/* A minimal HTTP/1.1 POST over loopback that never waits past its deadline or its caller's
 * abort. Knows nothing of OpenFX: the caller passes the abort check. */
#ifndef SPARKVSR_HTTP_H
#define SPARKVSR_HTTP_H

#include <stddef.h>

#include "http_reply.h"

typedef enum { SV_DONE = 0, SV_FAILED = 1, SV_ABORTED = 2 } SvOutcome;

/* Asked between short waits; nonzero stops the request. `aborted` NULL: never. */
typedef struct SvAbortCheck {
    int (*aborted)(void *context);
    void *context;
} SvAbortCheck;

/* Where to send, and the longest wait for the reply once the request is sent. */
typedef struct SvHttpServer {
    const char *host; /* numeric IPv4 */
    int port;
    int timeout_s;
} SvHttpServer;

/* POSTs `body` (JSON) to `path`; on SV_DONE `reply` holds the status and body (the caller frees
 * reply->body). On SV_FAILED `why` says what happened. */
SvOutcome sv_http_post(const SvHttpServer *server, const char *path, const char *body,
                       SvAbortCheck abort_check, SvHttpReply *reply, char *why, size_t why_len);

#endif
