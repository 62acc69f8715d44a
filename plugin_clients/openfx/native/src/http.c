/* HTTP POST with a connect timeout, a reply deadline and the caller's abort checked every slice;
 * the reply is parsed by http_reply.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "platform.h"

#define SLICE_MS 50
#define CONNECT_TIMEOUT_S 3
/* Beyond this the reply is refused whatever its framing (chunk overhead included). */
#define MAX_RAW (SV_HTTP_MAX_HEAD + 2 * (size_t)SV_HTTP_MAX_BODY)

typedef enum { WAIT_READY, WAIT_TIMEOUT, WAIT_ABORTED, WAIT_ERROR } SvWait;

/* One request's connection and what it reports. */
typedef struct Exchange {
    const SvHttpServer *server;
    SvAbortCheck abort_check;
    SvSocket socket;
    int error; /* the system's code for the last WAIT_ERROR or SV_NET_ERROR */
    char *why;
    size_t why_len;
} Exchange;

static int aborted(const Exchange *x) {
    return x->abort_check.aborted != NULL && x->abort_check.aborted(x->abort_check.context);
}

/* Waits for the socket in short slices, asking about an abort between them. */
static SvWait wait_for(Exchange *x, int for_write, double deadline) {
    for (;;) {
        if (aborted(x)) return WAIT_ABORTED;
        if (sv_now_s() >= deadline) return WAIT_TIMEOUT;
        int ready = sv_socket_wait(x->socket, for_write, SLICE_MS, &x->error);
        if (ready > 0) return WAIT_READY;
        if (ready < 0) return WAIT_ERROR;
    }
}

/* Says why the server cannot be reached: refused (nothing listens), timed out or another
 * system error, each at once rather than as a timeout. */
static SvOutcome no_server(Exchange *x, const char *what) {
    const SvHttpServer *s = x->server;
    char text[128];
    if (sv_net_refused(x->error)) {
        snprintf(x->why, x->why_len,
                 "no SparkVSR server: connection refused at %s:%d: is `sparkvsr serve` running?",
                 s->host, s->port);
    } else {
        if (what == NULL) sv_net_describe(x->error, text, sizeof text);
        snprintf(x->why, x->why_len,
                 "no SparkVSR server at %s:%d (%s): is `sparkvsr serve` running?", s->host,
                 s->port, what ? what : text);
    }
    return SV_FAILED;
}

static SvOutcome connect_to(Exchange *x) {
    SvNetResult started = sv_socket_connect(x->server->host, x->server->port, &x->socket,
                                            &x->error);
    if (started == SV_NET_ERROR) return no_server(x, NULL);
    if (started == SV_NET_OK) return SV_DONE;
    SvWait waited = wait_for(x, 1, sv_now_s() + CONNECT_TIMEOUT_S);
    if (waited == WAIT_ABORTED) return SV_ABORTED;
    if (waited == WAIT_TIMEOUT) return no_server(x, "the connection timed out");
    if (waited == WAIT_READY) x->error = sv_socket_connect_error(x->socket);
    return x->error == 0 ? SV_DONE : no_server(x, NULL);
}

/* What a failure while talking to a connected server says. */
static SvOutcome exchange_failed(Exchange *x, SvWait waited) {
    char text[128];
    if (waited == WAIT_ABORTED) return SV_ABORTED;
    if (waited == WAIT_TIMEOUT) {
        snprintf(x->why, x->why_len, "the server at %s:%d did not answer within %d s",
                 x->server->host, x->server->port, x->server->timeout_s);
    } else {
        sv_net_describe(x->error, text, sizeof text);
        snprintf(x->why, x->why_len, "the connection to the server at %s:%d failed (%s)",
                 x->server->host, x->server->port, text);
    }
    return SV_FAILED;
}

static SvOutcome send_all(Exchange *x, const char *data, size_t len, double deadline) {
    while (len > 0) {
        SvWait waited = wait_for(x, 1, deadline);
        if (waited != WAIT_READY) return exchange_failed(x, waited);
        size_t sent = 0;
        if (sv_socket_send(x->socket, data, len, &sent, &x->error) == SV_NET_ERROR)
            return exchange_failed(x, WAIT_ERROR);
        data += sent, len -= sent;
    }
    return SV_DONE;
}

/* Reads until the bytes so far parse as a whole reply, or the parser refuses them. */
static SvOutcome read_reply(Exchange *x, double deadline, SvHttpReply *reply) {
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    SvOutcome outcome = SV_FAILED;
    for (int closed = 0; buf != NULL;) {
        SvReplyState state = sv_http_parse_reply(buf, len, closed, reply, x->why, x->why_len);
        if (state != SV_REPLY_INCOMPLETE) {
            outcome = state == SV_REPLY_COMPLETE ? SV_DONE : SV_FAILED;
            break;
        }
        if (len == cap) {
            char *bigger = cap < MAX_RAW ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL) {
                snprintf(x->why, x->why_len, "the server's reply is over %zu bytes", cap);
                break;
            }
            buf = bigger, cap *= 2;
        }
        SvWait waited = wait_for(x, 0, deadline);
        size_t got = 0;
        SvNetResult result = waited == WAIT_READY
                                 ? sv_socket_recv(x->socket, buf + len, cap - len, &got, &x->error)
                                 : SV_NET_ERROR;
        if (result == SV_NET_ERROR) {
            outcome = exchange_failed(x, waited == WAIT_READY ? WAIT_ERROR : waited);
            break;
        }
        closed = result == SV_NET_CLOSED;
        len += got;
    }
    if (buf == NULL) snprintf(x->why, x->why_len, "out of memory for the server's reply");
    free(buf);
    return outcome;
}

/* The token is never cut short: a shortened token would fail later as a wrong one, with no hint
 * of why; one too long for the header is refused here, saying so. */
#define SV_MAX_TOKEN 500

static int format_request(const SvHttpServer *s, const char *path, size_t body_len, char *out,
                          size_t len) {
    const char *token = getenv("SPARKVSR_TOKEN");
    char auth[SV_MAX_TOKEN + 32] = "";
    if (token && *token) snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", token);
    int n = snprintf(out, len,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
                     path, s->host, s->port, body_len, auth);
    return n > 0 && (size_t)n < len;
}

SvOutcome sv_http_post(const SvHttpServer *server, const char *path, const char *body,
                       SvAbortCheck abort_check, SvHttpReply *reply, char *why,
                       size_t why_len) {
    char head[1024];
    Exchange x = {server, abort_check, SV_NO_SOCKET, 0, why, why_len};
    memset(reply, 0, sizeof *reply);
    const char *token = getenv("SPARKVSR_TOKEN");
    if (token && strlen(token) > SV_MAX_TOKEN)
        return snprintf(why, why_len, "SPARKVSR_TOKEN is longer than %d characters",
                        SV_MAX_TOKEN), SV_FAILED;
    if (!format_request(server, path, strlen(body), head, sizeof head))
        return snprintf(why, why_len, "request too long"), SV_FAILED;
    SvOutcome outcome = connect_to(&x);
    double deadline = sv_now_s() + server->timeout_s;
    if (outcome == SV_DONE) outcome = send_all(&x, head, strlen(head), deadline);
    if (outcome == SV_DONE) outcome = send_all(&x, body, strlen(body), deadline);
    if (outcome == SV_DONE) outcome = read_reply(&x, deadline, reply);
    sv_socket_close(x.socket);
    return outcome;
}
