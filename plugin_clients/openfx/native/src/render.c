/* Render: the window around the current frame goes to the server once; the frame comes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), SV_FAILED)

/* What one render works with. */
typedef struct SvRender {
    SvInstance *inst;
    OfxTime time;
    SvSettings settings;
    SvImage source, output;
    OfxRectI window_px;
    int factor; /* how much the host frame is reduced before it travels */
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

/* Writes the window's frames, reduced, back to back into the handover file. */
static SvOutcome write_window(SvRender *r, SvWindow window, int fd, SvFrame *frame, char *why,
                              size_t why_len) {
    for (int t = window.first; t <= window.last; t++) {
        if (sv_aborted(r->inst->effect)) return SV_ABORTED;
        SvImage image;
        if (!sv_image_fetch(r->inst->source, t, &image, why, why_len)) return SV_FAILED;
        int fits = same_bounds(image.bounds, r->source.bounds) &&
                   image.sample_bytes == r->source.sample_bytes;
        if (fits) sv_reduce(&image, r->factor, frame);
        sv_image_release(&image);
        if (!fits) return WHY("frame %d differs in size or depth from frame %g", t, r->time);
        size_t bytes = sv_frame_bytes(frame);
        if (!sv_file_write(fd, frame->data, bytes))
            return WHY("cannot write the window for the server (disk full?)");
    }
    return SV_DONE;
}

/* Asks for the window's output and maps frame `index` of it. Twice at most: the server may
 * drop an output between its reply and the open (other windows needed the room, or something
 * cleaned its folder); asked again, it runs the window again. */
static SvOutcome fetch_frame(const SvWindowJob *job, OfxImageEffectHandle effect, int index,
                             SvMappedFrame *result, char *why, size_t why_len) {
    char output[SV_TEXT_LEN];
    for (int attempt = 1;; attempt++) {
        SvOutcome outcome = sv_run_window(job, effect, output, sizeof output, why, why_len);
        if (outcome != SV_DONE) return outcome;
        if (sv_map_output_frame(output, index, result, why, why_len)) return SV_DONE;
        if (attempt == 2) return SV_FAILED;
    }
}

/* Sends the window and maps the current frame's result. */
static SvOutcome run_window(SvRender *r, SvFrame *frame, SvMappedFrame *result, char *why,
                            size_t why_len) {
    SvWindow window;
    if (!sv_window_at(r->inst, r->time, r->settings.window, &window))
        return WHY("the host reports no frame range for the source clip");
    char input[SV_TEXT_LEN];
    int fd = sv_handover_open(input, sizeof input);
    if (fd < 0) return WHY("cannot create a handover file in /dev/shm or $TMPDIR");
    SvOutcome outcome = write_window(r, window, fd, frame, why, why_len);
    sv_file_close(fd);
    SvKeyframe *keys = calloc((size_t)r->settings.window, sizeof *keys);
    if (keys == NULL) outcome = WHY("out of memory");
    if (outcome == SV_DONE) {
        SvWindowJob job = {&r->settings, input, *frame, window.last - window.first + 1, keys,
                           sv_find_keyframes(&r->settings, window, keys, r->settings.window)};
        int index = (int)(r->time + 0.5) - window.first;
        outcome = fetch_frame(&job, r->inst->effect, index, result, why, why_len);
    }
    sv_file_remove(input);
    free(keys);
    return outcome;
}

static SvOutcome check_render(SvRender *r, OfxPropertySetHandle in, char *why, size_t why_len) {
    double scale[2] = {1, 1};
    if (!SV_OK(sv_host.props->propGetDoubleN(in, kOfxImageEffectPropRenderScale, 2, scale)) ||
        scale[0] != 1.0 || scale[1] != 1.0)
        return WHY("proxy renders (render scale %g) pass through; render at full size", scale[0]);
    if (!sv_read_settings(r->inst, r->time, &r->settings, why, why_len)) return SV_FAILED;
    if (r->settings.mode == SV_MODE_UPSCALE && !sv_host.host_multires)
        return WHY("Mode Upscale needs a host that lets effects change the frame size; use "
                   "Restore at host size");
    r->factor = r->settings.mode == SV_MODE_RESTORE ? r->settings.scale : 1;
    int width = r->source.bounds.x2 - r->source.bounds.x1;
    int height = r->source.bounds.y2 - r->source.bounds.y1;
    if (width < r->factor || height < r->factor)
        return WHY("the frame (%dx%d) is smaller than the source scale", width, height);
    return SV_DONE;
}

static SvOutcome restore(SvRender *r, char *why, size_t why_len) {
    int sample_bytes = sv_wire_sample_bytes(&r->source);
    SvFrame frame = {NULL, (r->source.bounds.x2 - r->source.bounds.x1) / r->factor,
                     (r->source.bounds.y2 - r->source.bounds.y1) / r->factor, sample_bytes};
    SvMappedFrame result = {
        {NULL, frame.width * r->settings.scale, frame.height * r->settings.scale, sample_bytes},
        NULL, 0};
    frame.data = sv_alloc(r->inst->effect, sv_frame_bytes(&frame));
    SvOutcome outcome = frame.data ? lock_server(r) : WHY("out of memory");
    if (outcome == SV_DONE) {
        outcome = run_window(r, &frame, &result, why, why_len);
        sv_host.threads->mutexUnLock(r->inst->server_lock);
    }
    int zoom = r->settings.mode == SV_MODE_UPSCALE ? r->settings.scale : 1;
    if (outcome == SV_DONE)
        sv_place(&result.frame, r->source.bounds.x1 * zoom, r->source.bounds.y1 * zoom,
                 &r->output, r->window_px);
    sv_free(frame.data);
    sv_unmap_output_frame(&result);
    return outcome;
}

static void finish(SvRender *r, SvOutcome outcome, const char *why) {
    if (outcome == SV_DONE) {
        sv_clear_message(r->inst->effect);
        return;
    }
    if (outcome == SV_ABORTED) return; /* the host discards this render */
    int zoom = r->settings.mode == SV_MODE_UPSCALE && sv_host.host_multires &&
                       r->output.bounds.x2 - r->output.bounds.x1 >
                           r->source.bounds.x2 - r->source.bounds.x1
                   ? r->settings.scale
                   : 1;
    sv_pass_through(&r->source, zoom, &r->output, r->window_px);
    char text[SV_MESSAGE_LEN + 64];
    snprintf(text, sizeof text, "SparkVSR Upscale: %s. The frame passes through unchanged.", why);
    sv_message(r->inst->effect, kOfxMessageError, text);
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
    if (!sv_image_fetch(r.inst->source, r.time, &r.source, why, sizeof why)) return kOfxStatFailed;
    if (!sv_image_fetch(r.inst->output, r.time, &r.output, why, sizeof why)) {
        sv_image_release(&r.source);
        return kOfxStatFailed;
    }
    SvOutcome outcome = r.output.sample_bytes != r.source.sample_bytes
                            ? (snprintf(why, sizeof why, "output depth differs from input"),
                               SV_FAILED)
                            : check_render(&r, in, why, sizeof why);
    if (outcome == SV_DONE) outcome = restore(&r, why, sizeof why);
    finish(&r, outcome, why);
    sv_image_release(&r.source);
    sv_image_release(&r.output);
    return kOfxStatOK;
}
