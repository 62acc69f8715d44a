/* The instance's memory of the windows it sent last: which server output holds a frame, so that
 * rendering a frame of such a window again fetches that frame alone from the host. */
#ifndef SPARKVSR_MEMO_H
#define SPARKVSR_MEMO_H

#include <stdint.h>

#include "gateway.h"

/* Everything a window's output depends on but its frames' content. */
typedef struct SvWindowState {
    const SvSettings *settings;
    SvWindow window;
    int factor;
    SvFrame layout;     /* width, height, sample_bytes of each frame sent (data unused) */
    uint64_t keyframes; /* sv_keyframes_key of the window's keyframe list */
} SvWindowState;

uint64_t sv_content_key(const unsigned char *data, size_t bytes);
uint64_t sv_keyframes_key(const SvKeyframe *keys, int count);
/* The output that holds frame `index` of a window in `state` whose frame there has content
 * `frame_key`, or NULL. */
const char *sv_memo_find(const SvMemo *memo, const SvWindowState *state, int index,
                         uint64_t frame_key);
/* Remembers `output` for the window (its frames' keys in order), in place of the entry for the
 * same window, else the one stored longest ago; a memo that cannot be allocated remembers
 * nothing. */
void sv_memo_store(SvMemo **memo, const SvWindowState *state, const uint64_t *frame_keys,
                   const char *output);
void sv_memo_free(SvMemo *memo);

#endif
