/* What the instance remembers of its last windows, and the content keys that check it. What a
 * frame's key cannot see: a change to another frame of the window (the output depends on all of
 * them) or to a keyframe still's content; the Refresh button covers both (settings.refresh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

#define SV_MEMO_WINDOWS 4 /* enough to scrub back and forth over a window's edge */
#define SV_MEMO_FRAMES 1024

typedef struct SvMemoEntry {
    unsigned long long used; /* 0: empty; larger: used more recently */
    SvSettings settings;
    SvWindow window;
    int factor, width, height, sample_bytes, is_float;
    uint64_t keyframes;
    uint64_t frames[SV_MEMO_FRAMES];
    char output[SV_TEXT_LEN];
} SvMemoEntry;

struct SvMemo {
    SvMemoEntry entries[SV_MEMO_WINDOWS];
    unsigned long long clock;
};

#define SV_PRIME 0x100000001b3ull

/* A 64-bit key of the bytes, four words at a time (a frame is hashed on every render, so speed
 * counts). Not cryptographic: the frames are the host's own, not an adversary's. */
uint64_t sv_content_key(const unsigned char *data, size_t bytes) {
    uint64_t lane[4] = {0xcbf29ce484222325ull, 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull,
                        0x94d049bb133111ebull};
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32)
        for (int j = 0; j < 4; j++) {
            uint64_t word;
            memcpy(&word, data + i + 8 * (size_t)j, 8);
            lane[j] = (lane[j] ^ word) * SV_PRIME;
            lane[j] ^= lane[j] >> 29;
        }
    for (; i < bytes; i++) lane[0] = (lane[0] ^ data[i]) * SV_PRIME;
    uint64_t key = bytes;
    for (int j = 0; j < 4; j++) {
        key = (key ^ lane[j]) * SV_PRIME;
        key ^= key >> 32;
    }
    return key;
}

uint64_t sv_keyframes_key(const SvKeyframe *keys, int count) {
    uint64_t key = (uint64_t)count;
    for (int i = 0; i < count; i++) {
        key = (key ^ (uint64_t)keys[i].offset) * SV_PRIME;
        key ^= sv_content_key((const unsigned char *)keys[i].path, strlen(keys[i].path));
    }
    return key;
}

static int same_window(const SvMemoEntry *entry, const SvWindowState *state) {
    return entry->used && memcmp(&entry->settings, state->settings, sizeof entry->settings) == 0 &&
           entry->window.first == state->window.first && entry->window.last == state->window.last &&
           entry->factor == state->factor && entry->width == state->layout.width &&
           entry->height == state->layout.height &&
           entry->sample_bytes == state->layout.sample_bytes &&
           entry->is_float == state->layout.is_float &&
           entry->keyframes == state->keyframes;
}

const char *sv_memo_find(const SvMemo *memo, const SvWindowState *state, int index,
                         uint64_t frame_key) {
    if (memo == NULL || index < 0 || index >= SV_MEMO_FRAMES) return NULL;
    for (int i = 0; i < SV_MEMO_WINDOWS; i++) {
        const SvMemoEntry *entry = &memo->entries[i];
        if (same_window(entry, state) && entry->frames[index] == frame_key) return entry->output;
    }
    return NULL;
}

void sv_memo_store(SvMemo **memo, const SvWindowState *state, const uint64_t *frame_keys,
                   const char *output) {
    int count = state->window.last - state->window.first + 1;
    if (*memo == NULL) *memo = calloc(1, sizeof **memo);
    if (*memo == NULL || count > SV_MEMO_FRAMES) return;
    SvMemoEntry *entry = &(*memo)->entries[0];
    for (int i = 1; i < SV_MEMO_WINDOWS; i++) /* an entry for this window, else the oldest */
        if (!same_window(entry, state) &&
            (same_window(&(*memo)->entries[i], state) || (*memo)->entries[i].used < entry->used))
            entry = &(*memo)->entries[i];
    memset(entry, 0, sizeof *entry);
    entry->used = ++(*memo)->clock;
    entry->settings = *state->settings;
    entry->window = state->window;
    entry->factor = state->factor;
    entry->width = state->layout.width;
    entry->height = state->layout.height;
    entry->sample_bytes = state->layout.sample_bytes;
    entry->is_float = state->layout.is_float;
    entry->keyframes = state->keyframes;
    memcpy(entry->frames, frame_keys, (size_t)count * sizeof *frame_keys);
    snprintf(entry->output, sizeof entry->output, "%s", output);
}

void sv_memo_free(SvMemo *memo) { free(memo); }
