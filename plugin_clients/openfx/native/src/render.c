/* Render: the window around the current frame goes to the server once; the frame comes back
 * (from the output the instance remembers, where the frame and settings are unchanged). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), SV_FAILED)

/* What one render works with. */
static int is_final_render(OfxPropertySetHandle in);

typedef struct SvRender {
    SvInstance *inst;
    OfxTime time;
    int frame; /* the time's frame, rounded as sv_window_at rounds it */
    SvSettings settings;
    SvImage source, output;
    OfxRectI window_px;
    int factor;    /* how much the host frame is reduced before it travels */
    int shrink;    /* how much the result is shrunk into the host frame (1/render scale) */
    int must_fail; /* a failure the host must see whatever "On failure" says */
    int final;     /* no viewer shows this render: it goes into a delivery (is_final_render) */
} SvRender;

/* The instance's server lock, waited for in slices so that an abort is seen. */
static SvOutcome lock_server(SvRender *r) {
    for (;;) {
        if (sv_aborted(r->inst->effect)) return SV_ABORTED;
        if (SV_OK(sv_host.threads->mutexTryLock(r->inst->server_lock))) return SV_DONE;
        sv_sleep_ms(5);
    }
}

static int same_bounds(OfxRectI a, OfxRectI b) {
    return a.x1 == b.x1 && a.y1 == b.y1 && a.x2 == b.x2 && a.y2 == b.y2;
}

/* The two reduced frames a render works with: the current one (reduced once, sent with its
 * window on a miss) and room for each other frame of the window. */
typedef struct SvFrames {
    SvFrame current, other;
} SvFrames;

/* Writes the window's frames, reduced, back to back into the handover file, with each one's
 * content key; the current frame is the one already reduced. */
static SvOutcome write_window(SvRender *r, SvWindow window, int fd, SvFrames *frames,
                              uint64_t *keys, char *why, size_t why_len) {
    size_t bytes = sv_frame_bytes(&frames->current);
    for (int t = window.first; t <= window.last; t++) {
        if (sv_aborted(r->inst->effect)) return SV_ABORTED;
        SvFrame *frame = t == r->frame ? &frames->current : &frames->other;
        if (t != r->frame) {
            SvImage image;
            if (!sv_image_fetch(r->inst->source, t, &image, why, why_len)) return SV_FAILED;
            int fits = same_bounds(image.bounds, r->source.bounds) &&
                       image.sample_bytes == r->source.sample_bytes;
            if (fits) sv_reduce(&image, r->factor, frame);
            sv_image_release(&image);
            if (!fits) return WHY("frame %d differs in size or depth from frame %g", t, r->time);
        }
        keys[t - window.first] = sv_content_key(frame->data, bytes);
        if (!sv_file_write(fd, frame->data, bytes))
            return WHY("cannot write the window for the server (disk full?)");
    }
    return SV_DONE;
}

/* Asks for the window's output and maps frame `index` of it. Twice at most: the server may
 * drop an output between its reply and the open (other windows needed the room, or something
 * cleaned its folder); asked again, it runs the window again. */
static SvOutcome fetch_frame(const SvWindowJob *job, OfxImageEffectHandle effect, int index,
                             char *output, size_t output_len, SvMappedFrame *result, char *why,
                             size_t why_len) {
    for (int attempt = 1;; attempt++) {
        SvOutcome outcome = sv_run_window(job, effect, output, output_len, why, why_len);
        if (outcome != SV_DONE) return outcome;
        if (sv_map_output_frame(output, index, result, why, why_len)) return SV_DONE;
        if (attempt == 2) return SV_FAILED;
    }
}

/* Sends the window and maps the current frame's result; remembers the output. */
static SvOutcome send_window(SvRender *r, const SvWindowState *state, const SvKeyframe *keys,
                             int key_count, SvFrames *frames, SvMappedFrame *result, char *why,
                             size_t why_len) {
    int count = state->window.last - state->window.first + 1;
    char input[SV_TEXT_LEN], output[SV_TEXT_LEN];
    uint64_t *frame_keys = calloc((size_t)count, sizeof *frame_keys);
    if (frame_keys == NULL) return WHY("out of memory");
    int fd = sv_handover_open(input, sizeof input);
    SvOutcome outcome =
        fd < 0 ? WHY("cannot create a handover file in /dev/shm or $TMPDIR")
               : write_window(r, state->window, fd, frames, frame_keys, why, why_len);
    if (fd >= 0) sv_file_close(fd);
    if (outcome == SV_DONE) {
        SvWindowJob job = {&r->settings, input, frames->current, count, keys, key_count,
                           state->window.first, 0, 0};
        int index = r->frame - state->window.first;
        outcome = fetch_frame(&job, r->inst->effect, index, output, sizeof output, result, why,
                              why_len);
    }
    if (outcome == SV_DONE) sv_memo_store(&r->inst->memo, state, frame_keys, output);
    if (fd >= 0) sv_file_remove(input);
    free(frame_keys);
    return outcome;
}

/* Sends the current frame alone and maps the output of a window the server holds with these
 * settings and start, whose frame at this offset had this content; *found 0: it holds none. */
static SvOutcome probe_window(SvRender *r, const SvWindowState *state, const SvKeyframe *keys,
                              int key_count, SvFrames *frames, SvMappedFrame *result, int *found,
                              char *why, size_t why_len) {
    char input[SV_TEXT_LEN], output[SV_TEXT_LEN] = "", unused[SV_MESSAGE_LEN];
    int index = r->frame - state->window.first;
    int fd = sv_handover_open(input, sizeof input);
    if (fd < 0) return WHY("cannot create a handover file in /dev/shm or $TMPDIR");
    int written = sv_file_write(fd, frames->current.data, sv_frame_bytes(&frames->current));
    sv_file_close(fd);
    SvOutcome outcome = written ? SV_DONE : WHY("cannot write the frame for the server");
    if (outcome == SV_DONE) {
        int count = state->window.last - state->window.first + 1;
        SvWindowJob job = {&r->settings, input, frames->current, count, keys, key_count,
                           state->window.first, 1, index};
        outcome = sv_run_window(&job, r->inst->effect, output, sizeof output, why, why_len);
    }
    sv_file_remove(input);
    *found = outcome == SV_DONE && output[0] != '\0' &&
             sv_map_output_frame(output, index, result, unused, sizeof unused);
    return outcome;
}

/* The current frame's result, fetching the fewest host frames: from the output of a window the
 * instance sent with these settings and this frame's content, else from one the server holds
 * (the probe: one frame sent), else by sending the whole window. */
static SvOutcome run_window(SvRender *r, SvFrames *frames, SvMappedFrame *result, char *why,
                            size_t why_len) {
    SvWindowState state = {&r->settings, {0, 0}, r->factor, frames->current, 0};
    if (!sv_window_at(r->inst, r->time, r->settings.window, &state.window))
        return WHY("the host reports no frame range for the source clip");
    SvKeyframe *keys = calloc((size_t)r->settings.window, sizeof *keys);
    if (keys == NULL) return WHY("out of memory");
    int key_count = sv_find_keyframes(&r->settings, state.window, keys, r->settings.window);
    state.keyframes = sv_keyframes_key(keys, key_count);
    sv_reduce(&r->source, r->factor, &frames->current);
    int index = r->frame - state.window.first;
    uint64_t key = sv_content_key(frames->current.data, sv_frame_bytes(&frames->current));
    /* Both shortcuts know a frame by its own content only: a change to another frame of the
     * window would go unseen. A viewer may show that until Refresh; a delivery may not, so a
     * final render always sends the whole window (the server still runs it once). */
    const char *known = r->final ? NULL : sv_memo_find(r->inst->memo, &state, index, key);
    char unused[SV_MESSAGE_LEN]; /* a remembered output since dropped is simply sent again */
    if (known != NULL && sv_map_output_frame(known, index, result, unused, sizeof unused)) {
        free(keys);
        return SV_DONE;
    }
    int found = 0; /* a window of one frame is sent whole at once: the probe would be it */
    SvOutcome outcome =
        r->final || state.window.last == state.window.first
            ? SV_DONE
            : probe_window(r, &state, keys, key_count, frames, result, &found, why, why_len);
    if (outcome == SV_DONE && !found)
        outcome = send_window(r, &state, keys, key_count, frames, result, why, why_len);
    free(keys);
    return outcome;
}

/* At render scale 1/k (a viewer zoomed out, a proxy) the host's frames are k times smaller: Restore
 * reduces them by scale/k to the source's size, runs the window as at full size and shrinks the
 * result k times. Other scales, and Upscale (whose source would be smaller than the clip's), fail
 * whatever "On failure" says: Natron then renders at full size and scales down itself. */
static SvOutcome check_render_scale(SvRender *r, OfxPropertySetHandle in, char *why,
                                    size_t why_len) {
    double scale[2] = {1, 1};
    if (!SV_OK(sv_host.props->propGetDoubleN(in, kOfxImageEffectPropRenderScale, 2, scale)))
        scale[0] = scale[1] = 1; /* absent: full size */
    double inverse = scale[0] > 0 ? 1.0 / scale[0] : 0;
    int k = (int)floor(inverse + 0.5);
    r->shrink = 1;
    r->factor = r->settings.mode == SV_MODE_RESTORE ? r->settings.scale : 1;
    if (scale[0] == 1.0 && scale[1] == 1.0) return SV_DONE;
    r->must_fail = 1;
    if (scale[0] != scale[1] || k < 1 || fabs(inverse - k) > 1e-6 ||
        r->settings.mode != SV_MODE_RESTORE || r->settings.scale % k != 0)
        return WHY("render scale %g x %g is not supported here (Restore supports 1/k for a k "
                   "dividing the source scale %d); render at full size",
                   scale[0], scale[1], r->settings.scale);
    r->must_fail = 0;
    r->shrink = k;
    r->factor = r->settings.scale / k;
    return SV_DONE;
}

static SvOutcome check_render(SvRender *r, OfxPropertySetHandle in, char *why, size_t why_len) {
    if (!sv_read_settings(r->inst, r->time, &r->settings, why, why_len)) return SV_FAILED;
    if (r->settings.mode == SV_MODE_UPSCALE && !sv_host.host_multires)
        return WHY("Mode Upscale needs a host that lets effects change the frame size; use "
                   "Restore at host size");
    SvOutcome outcome = check_render_scale(r, in, why, why_len);
    if (outcome != SV_DONE) return outcome;
    int width = r->source.bounds.x2 - r->source.bounds.x1;
    int height = r->source.bounds.y2 - r->source.bounds.y1;
    if (width < r->factor || height < r->factor)
        return WHY("the frame (%dx%d) is smaller than the source scale", width, height);
    return SV_DONE;
}

static SvOutcome restore(SvRender *r, char *why, size_t why_len) {
    int sample_bytes = sv_wire_sample_bytes(&r->source);
    int is_float = r->source.sample_bytes == 4; /* float images travel as half floats */
    SvFrame frame = {NULL, (r->source.bounds.x2 - r->source.bounds.x1) / r->factor,
                     (r->source.bounds.y2 - r->source.bounds.y1) / r->factor, sample_bytes,
                     is_float};
    SvFrames frames = {frame, frame};
    SvMappedFrame result = {
        {NULL, frame.width * r->settings.scale, frame.height * r->settings.scale, sample_bytes,
         is_float},
        NULL, 0};
    frames.current.data = sv_alloc(r->inst->effect, sv_frame_bytes(&frame));
    frames.other.data = sv_alloc(r->inst->effect, sv_frame_bytes(&frame));
    SvOutcome outcome =
        frames.current.data && frames.other.data ? lock_server(r) : WHY("out of memory");
    if (outcome == SV_DONE) {
        outcome = run_window(r, &frames, &result, why, why_len);
        sv_host.threads->mutexUnLock(r->inst->server_lock);
    }
    int zoom = r->settings.mode == SV_MODE_UPSCALE ? r->settings.scale : 1;
    if (outcome == SV_DONE)
        sv_place(&result.frame, r->shrink, r->source.bounds.x1 * zoom,
                 r->source.bounds.y1 * zoom, &r->output, r->window_px);
    sv_free(frames.current.data);
    sv_free(frames.other.data);
    sv_unmap_output_frame(&result);
    return outcome;
}

/* A final render is one no viewer shows: the host runs in the background (a farm, a command-line
 * render) or says this render is not interactive (a Deliver job, a Write node). */
static int is_final_render(OfxPropertySetHandle in) {
    int interactive = 1; /* a host that does not say: a viewer's render (OFX 1.4 added it) */
    if (sv_host.host_background) return 1;
    return SV_OK(sv_host.props->propGetInt(in, kOfxImageEffectPropInteractiveRenderStatus, 0,
                                           &interactive)) &&
           !interactive;
}

static int fails_the_render(const SvRender *r) {
    SvOnFailure policy = sv_read_on_failure(r->inst, r->time);
    return r->must_fail || policy == SV_FAIL_ALWAYS || (policy == SV_FAIL_IN_FINAL && r->final);
}

static OfxStatus fail_render(OfxImageEffectHandle effect, const char *why) {
    char text[SV_MESSAGE_LEN + 64];
    snprintf(text, sizeof text, "SparkVSR Upscale: %s. The render fails.", why);
    sv_message(effect, kOfxMessageError, text);
    return kOfxStatFailed;
}

static OfxStatus finish(SvRender *r, SvOutcome outcome, const char *why) {
    if (outcome == SV_DONE) {
        sv_clear_message(r->inst->effect);
        return kOfxStatOK;
    }
    if (outcome == SV_ABORTED) return kOfxStatOK; /* the host discards this render */
    if (fails_the_render(r)) return fail_render(r->inst->effect, why);
    char text[SV_MESSAGE_LEN + 64];
    int zoom = r->settings.mode == SV_MODE_UPSCALE && sv_host.host_multires &&
                       r->output.bounds.x2 - r->output.bounds.x1 >
                           r->source.bounds.x2 - r->source.bounds.x1
                   ? r->settings.scale
                   : 1;
    sv_pass_through(&r->source, zoom, &r->output, r->window_px);
    snprintf(text, sizeof text, "SparkVSR Upscale: %s. The frame passes through unchanged.", why);
    sv_message(r->inst->effect, kOfxMessageError, text);
    return kOfxStatOK;
}

OfxStatus sv_render(OfxImageEffectHandle effect, OfxPropertySetHandle in) {
    SvRender r;
    char why[SV_MESSAGE_LEN] = "";
    memset(&r, 0, sizeof r);
    r.inst = sv_instance(effect);
    if (r.inst == NULL || !SV_OK(sv_host.props->propGetDouble(in, kOfxPropTime, 0, &r.time)) ||
        !SV_OK(sv_host.props->propGetIntN(in, kOfxImageEffectPropRenderWindow, 4,
                                          &r.window_px.x1)))
        return kOfxStatFailed;
    /* Past the source clip's ends (a host holding its edge frames) a frame renders as the edge
     * frame does: the frames fetched are those GetFramesNeeded declared for it, and the frame
     * has a place in its window. */
    SvWindow edge;
    r.frame = (int)floor(r.time + 0.5);
    OfxTime source_time = r.time;
    if (sv_window_at(r.inst, r.time, 1, &edge) && edge.first != r.frame)
        r.frame = edge.first, source_time = edge.first;
    if (!sv_image_fetch(r.inst->source, source_time, &r.source, why, sizeof why))
        return fail_render(effect, why);
    if (!sv_image_fetch(r.inst->output, r.time, &r.output, why, sizeof why)) {
        sv_image_release(&r.source);
        return fail_render(effect, why);
    }
    r.final = is_final_render(in);
    SvOutcome outcome = r.output.sample_bytes != r.source.sample_bytes
                            ? (snprintf(why, sizeof why, "output depth differs from input"),
                               SV_FAILED)
                            : check_render(&r, in, why, sizeof why);
    if (outcome == SV_DONE) outcome = restore(&r, why, sizeof why);
    OfxStatus status = finish(&r, outcome, why);
    sv_image_release(&r.source);
    sv_image_release(&r.output);
    return status;
}
