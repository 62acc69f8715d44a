/* HTTP/1.1 reply parsing (RFC 9112): status line, the framing headers, and a body framed by
 * Content-Length, chunked transfer coding or the connection's close. Every index is checked
 * against the bytes received before it is read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"

#define NOT_FOUND ((size_t)-1)
#define MAX_CHUNK_LINE 1024

#define BAD(...) (snprintf(why, why_len, __VA_ARGS__), SV_REPLY_BAD)

/* What the headers say about the body's framing. */
typedef struct Framing {
    int status;
    int chunked;
    size_t content_length; /* NOT_FOUND: none given */
    size_t head_len;       /* status line and headers, with the blank line ending them */
} Framing;

static size_t find(const char *raw, size_t len, size_t from, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = from; n <= len && i <= len - n; i++)
        if (memcmp(raw + i, needle, n) == 0) return i;
    return NOT_FOUND;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int same_text(const char *a, size_t a_len, const char *b) {
    if (a_len != strlen(b)) return 0;
    for (size_t i = 0; i < a_len; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

static int hex_value(char c) {
    if (digit(c)) return c - '0';
    c = (char)lower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A decimal length: digits only, at most SV_HTTP_MAX_BODY (so no overflow). 0 if malformed,
 * -1 if too large. */
static int parse_length(const char *text, size_t len, size_t *out) {
    size_t value = 0;
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        if (!digit(text[i])) return 0;
        value = value * 10 + (size_t)(text[i] - '0');
        if (value > SV_HTTP_MAX_BODY) return -1;
    }
    *out = value;
    return 1;
}

/* "HTTP/1.x NNN" then a space or the line's end. */
static int parse_status_line(const char *raw, size_t line_len) {
    if (line_len < 12 || memcmp(raw, "HTTP/1.", 7) != 0 || !digit(raw[7]) || raw[8] != ' ')
        return -1;
    if (!digit(raw[9]) || !digit(raw[10]) || !digit(raw[11])) return -1;
    if (line_len > 12 && raw[12] != ' ') return -1;
    return (raw[9] - '0') * 100 + (raw[10] - '0') * 10 + (raw[11] - '0');
}

/* One "name: value" line of the head, read for the framing headers. */
static SvReplyState header_line(const char *line, size_t len, Framing *f, char *why,
                                size_t why_len) {
    size_t colon = find(line, len, 0, ":");
    if (colon == NOT_FOUND || colon == 0 || line[0] == ' ' || line[0] == '\t')
        return BAD("the server's reply has a malformed header line");
    size_t start = colon + 1, end = len;
    while (start < end && (line[start] == ' ' || line[start] == '\t')) start++;
    while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
    if (same_text(line, colon, "content-length")) {
        size_t length = 0;
        int parsed = parse_length(line + start, end - start, &length);
        if (parsed < 0) return BAD("the server's reply is over %u bytes", SV_HTTP_MAX_BODY);
        if (parsed == 0 || (f->content_length != NOT_FOUND && f->content_length != length))
            return BAD("the server's reply has a malformed Content-Length");
        f->content_length = length;
    } else if (same_text(line, colon, "transfer-encoding")) {
        if (!same_text(line + start, end - start, "chunked"))
            return BAD("the server's reply uses a transfer coding other than chunked");
        f->chunked = 1;
    }
    return SV_REPLY_COMPLETE;
}

static SvReplyState parse_head(const char *raw, size_t len, int closed, Framing *f, char *why,
                               size_t why_len) {
    size_t blank = find(raw, len < SV_HTTP_MAX_HEAD ? len : SV_HTTP_MAX_HEAD, 0, "\r\n\r\n");
    if (blank == NOT_FOUND) {
        if (len >= SV_HTTP_MAX_HEAD)
            return BAD("the server's reply headers exceed %d bytes", SV_HTTP_MAX_HEAD);
        if (closed) return BAD("the server closed the connection before its reply's headers");
        return SV_REPLY_INCOMPLETE;
    }
    size_t line_end = find(raw, blank + 2, 0, "\r\n");
    f->status = parse_status_line(raw, line_end);
    if (f->status < 200) return BAD("the server's reply is not HTTP/1.x with a final status");
    f->content_length = NOT_FOUND;
    for (size_t at = line_end + 2; at < blank + 2;) {
        size_t next = find(raw, blank + 2, at, "\r\n");
        SvReplyState state = header_line(raw + at, next - at, f, why, why_len);
        if (state != SV_REPLY_COMPLETE) return state;
        at = next + 2;
    }
    f->head_len = blank + 4;
    if (f->chunked && f->content_length != NOT_FOUND)
        return BAD("the server's reply has both Content-Length and chunked coding");
    return SV_REPLY_COMPLETE;
}

/* A chunk-size line: hex digits, an optional extension, CRLF. Sets *size and *line_len. */
static SvReplyState chunk_size(const char *at, size_t left, size_t room, size_t *size,
                               size_t *line_len, char *why, size_t why_len) {
    size_t end = find(at, left < MAX_CHUNK_LINE ? left : MAX_CHUNK_LINE, 0, "\r\n");
    if (end == NOT_FOUND)
        return left >= MAX_CHUNK_LINE ? BAD("the server's reply has a malformed chunk size")
                                      : SV_REPLY_INCOMPLETE;
    size_t value = 0, digits = 0;
    for (; digits < end && hex_value(at[digits]) >= 0; digits++) {
        value = value * 16 + (size_t)hex_value(at[digits]);
        if (value > room) return BAD("the server's reply is over %u bytes", SV_HTTP_MAX_BODY);
    }
    if (digits == 0 || (digits < end && at[digits] != ';' && at[digits] != ' ' &&
                        at[digits] != '\t'))
        return BAD("the server's reply has a malformed chunk size");
    *size = value;
    *line_len = end + 2;
    return SV_REPLY_COMPLETE;
}

/* Walks a chunked body: checks it and measures it into *total, copying the data into `out`
 * when given. Sets *end to the bytes it spans with its trailers. */
static SvReplyState walk_chunks(const char *body, size_t len, char *out, size_t *total,
                                size_t *end, char *why, size_t why_len) {
    size_t at = 0, size = 0, line = 0;
    *total = 0;
    for (;;) {
        SvReplyState state = chunk_size(body + at, len - at, SV_HTTP_MAX_BODY - *total, &size,
                                        &line, why, why_len);
        if (state != SV_REPLY_COMPLETE) return state;
        at += line;
        if (size == 0) break;
        if (len - at < size + 2) return SV_REPLY_INCOMPLETE;
        if (body[at + size] != '\r' || body[at + size + 1] != '\n')
            return BAD("a chunk of the server's reply is longer than its size says");
        if (out) memcpy(out + *total, body + at, size);
        *total += size;
        at += size + 2;
    }
    for (;;) { /* trailer fields, then the blank line */
        size_t next = find(body, len, at, "\r\n");
        if (next == NOT_FOUND)
            return len - at > SV_HTTP_MAX_HEAD ? BAD("the server's reply trailers are too long")
                                               : SV_REPLY_INCOMPLETE;
        if (next == at) break;
        at = next + 2;
    }
    *end = at + 2;
    return SV_REPLY_COMPLETE;
}

/* Where the body lies in `rest` and how long it is once decoded; SV_REPLY_COMPLETE when whole. */
static SvReplyState frame_body(const Framing *f, const char *rest, size_t left, int closed,
                               size_t *body_len, char *why, size_t why_len) {
    size_t end = left;
    SvReplyState state = SV_REPLY_COMPLETE;
    if (f->status == 204 || f->status == 304) {
        *body_len = 0, end = 0;
    } else if (f->chunked) {
        state = walk_chunks(rest, left, NULL, body_len, &end, why, why_len);
    } else if (f->content_length != NOT_FOUND) {
        *body_len = end = f->content_length;
        if (left < end) state = SV_REPLY_INCOMPLETE;
    } else {
        *body_len = left;
        if (left > SV_HTTP_MAX_BODY) return BAD("the server's reply is over %u bytes",
                                                SV_HTTP_MAX_BODY);
        if (!closed) state = SV_REPLY_INCOMPLETE;
    }
    if (state == SV_REPLY_INCOMPLETE && closed)
        return BAD("the server closed the connection mid-reply (%zu bytes of body received)",
                   left);
    if (state == SV_REPLY_COMPLETE && left > end)
        return BAD("the server's reply runs %zu bytes past its end", left - end);
    return state;
}

SvReplyState sv_http_parse_reply(const char *raw, size_t len, int closed, SvHttpReply *reply,
                                 char *why, size_t why_len) {
    Framing f = {0};
    SvReplyState state = parse_head(raw, len, closed, &f, why, why_len);
    if (state != SV_REPLY_COMPLETE) return state;
    const char *rest = raw + f.head_len;
    size_t left = len - f.head_len, body_len = 0, end = 0;
    state = frame_body(&f, rest, left, closed, &body_len, why, why_len);
    if (state != SV_REPLY_COMPLETE) return state;
    char *body = malloc(body_len + 1);
    if (body == NULL) return BAD("out of memory for the server's reply");
    if (f.chunked) walk_chunks(rest, left, body, &body_len, &end, why, why_len);
    else memcpy(body, rest, body_len);
    body[body_len] = '\0';
    reply->status = f.status;
    reply->body = body;
    reply->body_len = body_len;
    return SV_REPLY_COMPLETE;
}
