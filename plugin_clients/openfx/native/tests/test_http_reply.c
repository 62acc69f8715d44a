/* Unit tests of the HTTP reply parser. Every input is parsed from a heap copy of exactly its
 * length, so a read past the bytes received is a heap-buffer-overflow under AddressSanitizer
 * (the sanitized build runs these). Exit status: the number of failed checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"

static int failures = 0;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            failures++;                                                                        \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);                         \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

/* Parses the first `len` bytes of `raw` from an exact-size heap copy. */
static SvReplyState parse_n(const char *raw, size_t len, int closed, SvHttpReply *reply,
                            char *why) {
    char *copy = malloc(len ? len : 1);
    memcpy(copy, raw, len);
    memset(reply, 0, sizeof *reply);
    why[0] = '\0';
    SvReplyState state = sv_http_parse_reply(copy, len, closed, reply, why, 256);
    free(copy);
    return state;
}

static SvReplyState parse(const char *raw, int closed, SvHttpReply *reply, char *why) {
    return parse_n(raw, strlen(raw), closed, reply, why);
}

/* A whole reply parses to `status` and `body`. */
static void expect_body(const char *raw, int closed, int status, const char *body) {
    SvHttpReply reply;
    char why[256];
    SvReplyState state = parse(raw, closed, &reply, why);
    CHECK(state == SV_REPLY_COMPLETE, "%s: %s", raw, why);
    if (state != SV_REPLY_COMPLETE) return;
    CHECK(reply.status == status, "status %d", reply.status);
    CHECK(reply.body_len == strlen(body) && strcmp(reply.body, body) == 0, "body '%s'",
          reply.body);
    free(reply.body);
}

/* A reply refused with a reason containing `named`. */
static void expect_bad(const char *raw, int closed, const char *named) {
    SvHttpReply reply;
    char why[256];
    SvReplyState state = parse(raw, closed, &reply, why);
    CHECK(state == SV_REPLY_BAD, "accepted: %s", raw);
    CHECK(strstr(why, named) != NULL, "reason '%s' lacks '%s'", why, named);
    if (state == SV_REPLY_COMPLETE) free(reply.body);
}

/* Delivered one byte at a time: incomplete until the last byte, then whole; and cut short at
 * any byte before the end (the server closing), refused. */
static void expect_every_prefix(const char *raw, const char *body) {
    size_t len = strlen(raw);
    SvHttpReply reply;
    char why[256];
    for (size_t n = 0; n < len; n++) {
        CHECK(parse_n(raw, n, 0, &reply, why) == SV_REPLY_INCOMPLETE, "%zu bytes: %s", n, why);
        SvReplyState cut = parse_n(raw, n, 1, &reply, why);
        CHECK(cut == SV_REPLY_BAD, "cut at %zu of %zu accepted", n, len);
        if (cut == SV_REPLY_COMPLETE) free(reply.body);
    }
    expect_body(raw, 0, 200, body);
}

static const char *const LENGTH_REPLY =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
    "{\"outputPath\":1}\n";
static const char *const CHUNKED_REPLY =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\n{\"a\":\r\nA;name=value\r\n\"0123456\"}\r\n0\r\nX-Trailer: 1\r\n\r\n";

static void test_whole_replies(void) {
    expect_body(LENGTH_REPLY, 0, 200, "{\"outputPath\":1}\n");
    expect_body(CHUNKED_REPLY, 0, 200, "{\"a\":\"0123456\"}");
    expect_body("HTTP/1.1 400 Bad Request\r\ncontent-LENGTH:  2 \r\n\r\n{}", 0, 400, "{}");
    expect_body("HTTP/1.0 500 Oops\r\n\r\nuntil close", 1, 500, "until close");
    expect_body("HTTP/1.1 204 No Content\r\n\r\n", 0, 204, "");
    expect_body("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 0, 200, "");
}

static void test_slow_and_truncated_delivery(void) {
    expect_every_prefix(LENGTH_REPLY, "{\"outputPath\":1}\n");
    expect_every_prefix(CHUNKED_REPLY, "{\"a\":\"0123456\"}");
    SvHttpReply reply;
    char why[256];
    CHECK(parse("HTTP/1.1 200 OK\r\n\r\npartial", 0, &reply, why) == SV_REPLY_INCOMPLETE,
          "a reply ended by the close is incomplete while open");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", 1, "mid-reply");
    expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", 1,
               "mid-reply");
    expect_bad("", 1, "before its reply's headers");
}

static void test_malformed_chunks(void) {
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *bodies[][2] = {
        {"zz\r\nab\r\n0\r\n\r\n", "chunk size"},
        {"-1\r\nab\r\n0\r\n\r\n", "chunk size"},
        {"\r\nab\r\n0\r\n\r\n", "chunk size"},
        {"2x\r\nab\r\n0\r\n\r\n", "chunk size"},
        {"3\r\nabcd\r\n0\r\n\r\n", "longer than its size"},
        {"FFFFFFFFFFFFFFFFFFFFFFFF\r\nab\r\n0\r\n\r\n", "over"},
        {"100001\r\n", "over"},
        {"2\r\nab\r\n0\r\n\r\nextra", "past its end"},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char raw[256];
        snprintf(raw, sizeof raw, "%s%s", head, bodies[i][0]);
        expect_bad(raw, 0, bodies[i][1]);
    }
    char *long_line = calloc(2048, 1);
    memset(long_line, '1', 1500);
    char *raw = malloc(strlen(head) + 2048);
    sprintf(raw, "%s%s", head, long_line);
    expect_bad(raw, 0, "chunk size");
    free(long_line);
    free(raw);
}

static void test_oversized_and_mismatched(void) {
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, "over");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}}", 0, "past its end");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}", 0, "Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", 0, "Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 0,
               "Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
               "both");
    expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, "transfer coding");
    size_t big = SV_HTTP_MAX_HEAD + 10;
    char *head = malloc(big + 1);
    memcpy(head, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(head + 20, 'a', big - 20);
    head[big] = '\0';
    expect_bad(head, 0, "headers exceed");
    free(head);
    size_t body = SV_HTTP_MAX_BODY + 30;
    char *close_delimited = malloc(body + 1);
    memset(close_delimited, 'b', body);
    memcpy(close_delimited, "HTTP/1.1 200 OK\r\n\r\n", 19);
    close_delimited[body] = '\0';
    expect_bad(close_delimited, 0, "over");
    free(close_delimited);
}

static void test_not_http(void) {
    expect_bad("SSH-2.0-OpenSSH\r\n\r\n", 0, "not HTTP");
    expect_bad("HTTP/1.1 2x0 OK\r\n\r\n", 0, "not HTTP");
    expect_bad("HTTP/1.1 100 Continue\r\n\r\n", 0, "final status");
    expect_body("HTTP/1.1 200\r\n\r\n", 1, 200, ""); /* no reason phrase: accepted */
    expect_body("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0, 200, "");
    expect_bad("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 0, "header line");
    expect_bad("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", 0, "header line");
}

/* Random corruptions of a valid chunked reply: any answer is fine, reading out of bounds is not
 * (AddressSanitizer's job). A fixed seed keeps the run repeatable. */
static void test_corruptions_stay_in_bounds(void) {
    unsigned int seed = 12345;
    size_t len = strlen(CHUNKED_REPLY);
    char *raw = malloc(len);
    for (int round = 0; round < 20000; round++) {
        memcpy(raw, CHUNKED_REPLY, len);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            raw[(seed >> 8) % len] = "0123456789abcdefXZ;\r\n -"[(seed >> 20) % 24];
        }
        seed = seed * 1103515245u + 12345u;
        size_t cut = (seed >> 8) % (len + 1);
        SvHttpReply reply;
        char why[256];
        if (parse_n(raw, cut, (int)(seed >> 30) & 1, &reply, why) == SV_REPLY_COMPLETE) {
            CHECK(reply.body != NULL && strlen(reply.body) <= reply.body_len, "body");
            free(reply.body);
        }
    }
    free(raw);
}

int main(void) {
    test_whole_replies();
    test_slow_and_truncated_delivery();
    test_malformed_chunks();
    test_oversized_and_mismatched();
    test_not_http();
    test_corruptions_stay_in_bounds();
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else printf("http_reply: all checks passed\n");
    return failures ? 1 : 0;
}
