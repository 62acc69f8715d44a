/* HTTP POST with a connect timeout, a reply deadline and the host's abort checked every slice. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif

#define SLICE_MS 50
#define CONNECT_TIMEOUT_S 3.0

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for `events` on fd in short slices. */
static SvOutcome wait_for(int fd, short events, double deadline, OfxImageEffectHandle effect) {
    for (;;) {
        if (sv_aborted(effect)) return SV_ABORTED;
        if (now_s() >= deadline) return SV_FAILED;
        struct pollfd entry = {fd, events, 0};
        int ready = poll(&entry, 1, SLICE_MS);
        if (ready > 0) return SV_DONE;
        if (ready < 0 && errno != EINTR) return SV_FAILED;
    }
}

static SvOutcome connect_to(const SvSettings *s, OfxImageEffectHandle effect, int *fd_out,
                            char *why, size_t why_len) {
    struct addrinfo hints = {0}, *found = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(s->host, port, &hints, &found) != 0)
        return snprintf(why, why_len, "Server address %s is not numeric", s->host), SV_FAILED;
    int fd = socket(found->ai_family, found->ai_socktype, 0);
    if (fd < 0) return freeaddrinfo(found), snprintf(why, why_len, "no socket"), SV_FAILED;
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int rc = connect(fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    SvOutcome outcome = SV_DONE;
    if (rc != 0 && errno == EINPROGRESS)
        outcome = wait_for(fd, POLLOUT, now_s() + CONNECT_TIMEOUT_S, effect);
    int error = rc == 0 ? 0 : ECONNREFUSED;
    socklen_t len = sizeof error;
    if (outcome == SV_DONE && rc != 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (outcome != SV_DONE || error != 0) {
        close(fd);
        if (outcome == SV_ABORTED) return SV_ABORTED;
        snprintf(why, why_len, "no SparkVSR server at %s:%d (%s); start one with `sparkvsr serve`",
                 s->host, s->port, outcome == SV_FAILED ? "timed out" : strerror(error));
        return SV_FAILED;
    }
    *fd_out = fd;
    return SV_DONE;
}

static SvOutcome send_all(int fd, const char *data, size_t len, double deadline,
                          OfxImageEffectHandle effect) {
    while (len > 0) {
        SvOutcome ready = wait_for(fd, POLLOUT, deadline, effect);
        if (ready != SV_DONE) return ready;
        ssize_t sent = send(fd, data, len, MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) return SV_FAILED;
        if (sent > 0) data += sent, len -= (size_t)sent;
    }
    return SV_DONE;
}

/* Whether `buf` holds a whole reply with a Content-Length (else the server's close ends it). */
static int complete(const char *buf, size_t len) {
    const char *end = strstr(buf, "\r\n\r\n");
    if (end == NULL) return 0;
    const char *field = strcasestr(buf, "\r\ncontent-length:");
    if (field == NULL || field > end) return 0;
    size_t body = (size_t)strtoul(field + 17, NULL, 10);
    return len >= (size_t)(end + 4 - buf) + body;
}

/* Reads the reply: to its Content-Length, or until the server closes the connection (requests
 * say Connection: close). */
static SvOutcome read_all(int fd, double deadline, OfxImageEffectHandle effect, char **out,
                          size_t *out_len) {
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) return SV_FAILED;
        SvOutcome ready = wait_for(fd, POLLIN, deadline, effect);
        if (ready != SV_DONE) return free(buf), ready;
        if (len + 4096 + 1 > cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL) return free(buf), SV_FAILED;
            buf = bigger;
        }
        ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
        if (got == 0) break;
        if (got < 0 && errno != EAGAIN && errno != EINTR) return free(buf), SV_FAILED;
        if (got > 0) len += (size_t)got;
        buf[len] = '\0';
        if (got > 0 && complete(buf, len)) break;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return SV_DONE;
}

/* Joins a chunked body in place. */
static void unchunk(char *body) {
    char *read = body, *write = body;
    for (;;) {
        char *end = NULL;
        unsigned long size = strtoul(read, &end, 16);
        char *data = strstr(read, "\r\n");
        if (size == 0 || data == NULL) break;
        memmove(write, data + 2, size);
        write += size;
        read = data + 2 + size + 2;
    }
    *write = '\0';
}

static int parse_reply(char *raw, SvHttpReply *reply) {
    char *body = strstr(raw, "\r\n\r\n");
    if (strncmp(raw, "HTTP/1.", 7) != 0 || body == NULL) return 0;
    reply->status = atoi(raw + 9);
    body[2] = '\0';
    int chunked = strcasestr(raw, "\r\ntransfer-encoding: chunked") != NULL;
    body += 4;
    if (chunked) unchunk(body);
    reply->body = strdup(body);
    return reply->body != NULL;
}

static int format_request(const SvSettings *s, const char *path, const char *body, char *out,
                          size_t len) {
    const char *token = getenv("SPARKVSR_TOKEN");
    char auth[600] = "";
    if (token && *token) snprintf(auth, sizeof auth, "Authorization: Bearer %.500s\r\n", token);
    int n = snprintf(out, len,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
                     path, s->host, s->port, strlen(body), auth);
    return n > 0 && (size_t)n < len;
}

SvOutcome sv_http_post(const SvSettings *s, const char *path, const char *body,
                       OfxImageEffectHandle effect, SvHttpReply *reply, char *why,
                       size_t why_len) {
    char head[1024];
    int fd = -1;
    memset(reply, 0, sizeof *reply);
    if (!format_request(s, path, body, head, sizeof head))
        return snprintf(why, why_len, "request too long"), SV_FAILED;
    SvOutcome outcome = connect_to(s, effect, &fd, why, why_len);
    if (outcome != SV_DONE) return outcome;
    double deadline = now_s() + s->timeout_s;
    char *raw = NULL;
    size_t raw_len = 0;
    outcome = send_all(fd, head, strlen(head), deadline, effect);
    if (outcome == SV_DONE) outcome = send_all(fd, body, strlen(body), deadline, effect);
    if (outcome == SV_DONE) outcome = read_all(fd, deadline, effect, &raw, &raw_len);
    close(fd);
    if (outcome == SV_FAILED)
        snprintf(why, why_len, "the server at %s:%d did not answer within %d s", s->host,
                 s->port, s->timeout_s);
    if (outcome != SV_DONE) return outcome;
    int parsed = parse_reply(raw, reply);
    free(raw);
    if (!parsed) return snprintf(why, why_len, "the server's reply is not HTTP"), SV_FAILED;
    return SV_DONE;
}
