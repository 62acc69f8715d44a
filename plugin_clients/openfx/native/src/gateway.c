/* The RunWindow call: JSON in and out, and the files either side of it. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
    snprintf(head, sizeof head, ",\"refresh\":%d", s->refresh);
    append(out, len, head);
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

SvOutcome sv_run_window(const SvWindowJob *job, OfxImageEffectHandle effect, char *output_path,
                        size_t output_len, char *why, size_t why_len) {
    char *body = request_json(job);
    if (body == NULL) return snprintf(why, why_len, "out of memory"), SV_FAILED;
    SvHttpReply reply;
    SvOutcome outcome =
        sv_http_post(job->settings, "/v1/RunWindow", body, effect, &reply, why, why_len);
    free(body);
    if (outcome != SV_DONE) return outcome;
    if (reply.status != 200) {
        describe_error(&reply, why, why_len);
        outcome = SV_FAILED;
    } else if (!json_find_string(reply.body, "outputPath", output_path, output_len)) {
        snprintf(why, why_len, "the server's reply names no output");
        outcome = SV_FAILED;
    }
    free(reply.body);
    return outcome;
}

/* /dev/shm where there is one (memory, no disk), else $TMPDIR, else /tmp. */
int sv_handover_open(char *path, size_t len) {
    const char *tmp = getenv("TMPDIR");
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp && *tmp ? tmp : "/tmp";
    snprintf(path, len, "%s/sparkvsr-ofx-XXXXXX", dir);
    return mkstemp(path);
}

#ifdef MAP_POPULATE
#define SV_MAP_FLAGS (MAP_SHARED | MAP_POPULATE) /* all pages at once: one fault, not one each */
#else
#define SV_MAP_FLAGS MAP_SHARED
#endif

int sv_map_output_frame(const char *path, int index, SvMappedFrame *out, char *why,
                        size_t why_len) {
    size_t bytes = sv_frame_bytes(&out->frame);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return snprintf(why, why_len, "cannot open the server's output %s", path), 0;
    struct stat st;
    off_t at = (off_t)bytes * index;
    off_t start = at - at % (off_t)sysconf(_SC_PAGESIZE); /* mappings start on a page */
    int whole = fstat(fd, &st) == 0 && st.st_size >= at + (off_t)bytes;
    out->length = bytes + (size_t)(at - start);
    out->base = whole ? mmap(NULL, out->length, PROT_READ, SV_MAP_FLAGS, fd, start) : MAP_FAILED;
    close(fd); /* the mapping keeps the file, even once the server drops it from its cache */
    if (out->base == MAP_FAILED)
        return snprintf(why, why_len, "the server's output %s is shorter than expected", path), 0;
    out->frame.data = (unsigned char *)out->base + (at - start);
    return 1;
}

void sv_unmap_output_frame(SvMappedFrame *mapped) {
    if (mapped->frame.data != NULL) munmap(mapped->base, mapped->length);
    mapped->frame.data = NULL;
}

/* Stills named <anything>_<frame>.<ext> in the keyframe folder, for frames inside `window`. */
static int still_frame(const char *name) {
    const char *dot = strrchr(name, '.'), *underscore = strrchr(name, '_');
    static const char *const exts[] = {".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg", NULL};
    if (dot == NULL || underscore == NULL || underscore > dot || underscore + 1 == dot) return -1;
    int known = 0;
    for (int i = 0; exts[i]; i++) known |= strcasecmp(dot, exts[i]) == 0;
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
    DIR *dir = opendir(s->key_folder);
    int count = 0;
    struct dirent *entry;
    while (dir && count < max && (entry = readdir(dir)) != NULL) {
        int frame = still_frame(entry->d_name);
        if (frame < window.first || frame > window.last) continue;
        int n = snprintf(out[count].path, sizeof out[count].path, "%s/%s", s->key_folder,
                         entry->d_name);
        if (n < 0 || (size_t)n >= sizeof out[count].path) continue; /* path too long to send */
        out[count].offset = frame - window.first;
        count++;
    }
    if (dir) closedir(dir);
    qsort(out, (size_t)count, sizeof *out, by_offset);
    return count;
}
