/* Parsing an HTTP/1.1 reply: a pure function over the bytes received so far, every length
 * checked, so a reply cut short, oversized or malformed is refused, never read past. */
#ifndef SPARKVSR_HTTP_REPLY_H
#define SPARKVSR_HTTP_REPLY_H

#include <stddef.h>

/* Limits on what the gateway sends (small JSON replies): anything larger is refused. */
#define SV_HTTP_MAX_HEAD 16384
#define SV_HTTP_MAX_BODY (1u << 20)

typedef enum {
    SV_REPLY_INCOMPLETE = 0, /* more bytes are needed (and the connection is still open) */
    SV_REPLY_COMPLETE = 1,   /* a whole reply: status and body are set */
    SV_REPLY_BAD = 2         /* malformed, too large, or cut short: `why` says which */
} SvReplyState;

typedef struct SvHttpReply {
    int status;
    char *body; /* malloc'd, NUL-terminated; the caller frees it */
    size_t body_len;
} SvHttpReply;

/* Parses `len` bytes of a reply. `closed`: the server has closed the connection, so no more
 * bytes come (a reply without Content-Length or chunking ends there; any other reply that is
 * not whole yet is cut short). Sets `reply` only when it returns SV_REPLY_COMPLETE. */
SvReplyState sv_http_parse_reply(const char *raw, size_t len, int closed, SvHttpReply *reply,
                                 char *why, size_t why_len);

#endif
