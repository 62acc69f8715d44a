/* The RunWindow call: JSON in and out, and the files either side of it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

/* Appends `text` as a JSON string. */
static void json_string(char *out, size_t len, const char *text) {
    size_t n = strlen(out);
    if (n + 1 < len) out[n++] = '"';
    for (; *text && n + 7 < len; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') out[n++] = '\\', out[n++] = (char)c;
        else if (c < 0x20) n += (size_t)snprintf(out + n, len - n, "\\u%04x", c);
        else out[n++] = (char)c;
    }
    if (n + 1 < len) out[n++] = '"';
    out[n] = '\0';
}

static void append(char *out, size_t len, const char *text) {
    size_t n = strlen(out);
    snprintf(out + n, len - n, "%s", text);
}

static void append_keyframes(const SvWindowJob *job, char *out, size_t len) {
    append(out, len, ",\"keyframes\":[");
    for (int i = 0; i < job->keyframe_count; i++) {
        char item[64];
        snprintf(item, sizeof item, "%s{\"offset\":%d,\"stillPath\":", i ? "," : "",
                 job->keyframes[i].offset);
        append(out, len, item);
        json_string(out, len, job->keyframes[i].path);
        append(out, len, "}");
    }
    append(out, len, "]");
}

static char *request_json(const SvWindowJob *job) {
    size_t len = 4096 + (size_t)job->keyframe_count * (SV_TEXT_LEN + 64);
    char *out = malloc(len), head[512];
    if (out == NULL) return NULL;
    const SvSettings *s = job->settings;
    snprintf(out, len, "{\"settings\":{\"engine\":");
    json_string(out, len, s->engine);
    snprintf(head, sizeof head, ",\"scale\":%d", s->scale);
    append(out, len, head);
    if (s->key_source == SV_KEYS_PROVIDER) {
        append(out, len, ",\"keyframeProvider\":");
        json_string(out, len, s->provider);
    }
    snprintf(head, sizeof head,
             "},\"layout\":{\"width\":%d,\"height\":%d,\"channels\":4,\"bitDepth\":%d,"
             "\"rowOrder\":\"ROW_ORDER_TOP_DOWN\"%s},\"frameCount\":%d,\"inputPath\":",
             job->layout.width, job->layout.height, job->layout.sample_bytes * 8,
             job->layout.is_float ? ",\"sampleFormat\":\"SAMPLE_FORMAT_FLOAT\"" : "",
             job->frame_count);
    append(out, len, head);
    json_string(out, len, job->input_path);
    snprintf(head, sizeof head, ",\"refresh\":%d,\"windowStart\":%d", s->refresh,
             job->window_start);
    append(out, len, head);
    if (job->probe) {
        snprintf(head, sizeof head, ",\"probe\":true,\"probeOffset\":%d", job->probe_offset);
        append(out, len, head);
    }
    append_keyframes(job, out, len);
    append(out, len, "}");
    return out;
}

/* The string value of "key" in a flat reading of the JSON (the replies' keys are unique). */
static int json_find_string(const char *json, const char *key, char *out, size_t len) {
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (at == NULL) return 0;
    at = strchr(at + strlen(quoted), '"');
    if (at == NULL) return 0;
    size_t n = 0;
    for (at++; *at && *at != '"' && n + 1 < len; at++) {
        if (*at == '\\' && at[1]) at++; /* paths and messages: plain escapes only */
        out[n++] = *at;
    }
    out[n] = '\0';
    return *at == '"';
}

static void describe_error(const SvHttpReply *reply, char *why, size_t why_len) {
    char code[64] = "", message[SV_MESSAGE_LEN] = "";
    json_find_string(reply->body, "code", code, sizeof code);
    json_find_string(reply->body, "message", message, sizeof message);
    snprintf(why, why_len, "the server refused the window (HTTP %d %s): %s", reply->status, code,
             message[0] ? message : reply->body);
}

/* The host's abort, as the HTTP client asks for it. */
static int effect_aborted(void *effect) { return sv_aborted((OfxImageEffectHandle)effect); }

SvOutcome sv_run_window(const SvWindowJob *job, OfxImageEffectHandle effect, char *output_path,
                        size_t output_len, char *why, size_t why_len) {
    char *body = request_json(job);
    if (body == NULL) return snprintf(why, why_len, "out of memory"), SV_FAILED;
    SvHttpReply reply;
    const SvSettings *s = job->settings;
    SvHttpServer server = {s->host, s->port, s->timeout_s};
    SvAbortCheck abort_check = {effect_aborted, effect};
    SvOutcome outcome =
        sv_http_post(&server, "/v1/RunWindow", body, abort_check, &reply, why, why_len);
    free(body);
    if (outcome != SV_DONE) return outcome;
    if (reply.status != 200) {
        describe_error(&reply, why, why_len);
        outcome = SV_FAILED;
    } else if (!json_find_string(reply.body, "outputPath", output_path, output_len)) {
        output_path[0] = '\0'; /* a probe's miss; any other request must name one */
        if (!job->probe) outcome = (snprintf(why, why_len, "the server's reply names no output"),
                                    SV_FAILED);
    }
    free(reply.body);
    return outcome;
}

int sv_handover_open(char *path, size_t len) { return sv_handover_create(path, len); }

int sv_map_output_frame(const char *path, int index, SvMappedFrame *out, char *why,
                        size_t why_len) {
    size_t bytes = sv_frame_bytes(&out->frame);
    char reason[SV_TEXT_LEN + 64];
    SvMapping view;
    out->frame.data = sv_map_file(path, bytes * (size_t)index, bytes, &view, reason,
                                  sizeof reason);
    out->base = view.base;
    out->length = view.length;
    if (out->frame.data == NULL)
        return snprintf(why, why_len, "cannot read the server's output: %s", reason), 0;
    return 1;
}

void sv_unmap_output_frame(SvMappedFrame *mapped) {
    SvMapping view = {mapped->base, mapped->length};
    if (mapped->frame.data != NULL) sv_unmap_file(&view);
    mapped->frame.data = NULL;
}

static int same_text_nocase(const char *a, const char *b) {
    for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++) {
    }
    return *a == '\0' && *b == '\0';
}

/* Stills named <anything>_<frame>.<ext> in the keyframe folder, for frames inside `window`. */
static int still_frame(const char *name) {
    const char *dot = strrchr(name, '.'), *underscore = strrchr(name, '_');
    static const char *const exts[] = {".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg", NULL};
    if (dot == NULL || underscore == NULL || underscore > dot || underscore + 1 == dot) return -1;
    int known = 0;
    for (int i = 0; exts[i]; i++) known |= same_text_nocase(dot, exts[i]);
    for (const char *c = underscore + 1; c < dot; c++)
        if (*c < '0' || *c > '9') known = 0;
    return known ? atoi(underscore + 1) : -1;
}

static int by_offset(const void *a, const void *b) {
    return ((const SvKeyframe *)a)->offset - ((const SvKeyframe *)b)->offset;
}

int sv_find_keyframes(const SvSettings *s, SvWindow window, SvKeyframe *out, int max) {
    if (s->key_source == SV_KEYS_NONE || max < 1) return 0;
    if (s->key_source == SV_KEYS_PROVIDER) {
        out[0].offset = 0;
        out[0].path[0] = '\0';
        return 1;
    }
    SvDir *dir = sv_dir_open(s->key_folder);
    int count = 0;
    const char *name;
    while (dir && count < max && (name = sv_dir_next(dir)) != NULL) {
        int frame = still_frame(name);
        if (frame < window.first || frame > window.last) continue;
        int n = snprintf(out[count].path, sizeof out[count].path, "%s/%s", s->key_folder,
                         name);
        if (n < 0 || (size_t)n >= sizeof out[count].path) continue; /* path too long to send */
        out[count].offset = frame - window.first;
        count++;
    }
    sv_dir_close(dir);
    qsort(out, (size_t)count, sizeof *out, by_offset);
    return count;
}
