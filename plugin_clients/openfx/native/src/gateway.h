/* RunWindow through the gateway: the window handed over as a file, the output read back. */
#ifndef SPARKVSR_GATEWAY_H
#define SPARKVSR_GATEWAY_H

#include "http.h"
#include "pixels.h"
#include "platform.h"

typedef struct SvKeyframe {
    int offset;               /* within the window */
    char path[SV_TEXT_LEN];   /* empty: restored by the server's provider */
} SvKeyframe;

/* One window's request: its frames are already in `input_path`. */
typedef struct SvWindowJob {
    const SvSettings *settings;
    const char *input_path;
    SvFrame layout; /* width, height, sample_bytes of each input frame (data unused) */
    int frame_count;
    const SvKeyframe *keyframes;
    int keyframe_count;
    int window_start; /* the window's first host frame: probes find windows by it */
    int probe;        /* the input holds only the window's frame at probe_offset */
    int probe_offset;
} SvWindowJob;

/* The window's output file in `output_path`; for a probe the server does not match, "". */
SvOutcome sv_run_window(const SvWindowJob *job, OfxImageEffectHandle effect, char *output_path,
                        size_t output_len, char *why, size_t why_len);
int sv_handover_open(char *path, size_t len);
/* One frame of the server's output, mapped where it lies (read straight into the host's image). */
typedef struct SvMappedFrame {
    SvFrame frame; /* width, height, sample_bytes set by the caller; data into the mapping */
    void *base;    /* the view (an SvMapping) */
    size_t length;
} SvMappedFrame;

int sv_map_output_frame(const char *path, int index, SvMappedFrame *out, char *why,
                        size_t why_len);
void sv_unmap_output_frame(SvMappedFrame *mapped);
int sv_find_keyframes(const SvSettings *settings, SvWindow window, SvKeyframe *out, int max);

#endif
