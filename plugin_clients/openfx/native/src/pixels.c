/* Reduce host images to wire frames (area average) and place wire frames into host images. */
#include <stdio.h>
#include <string.h>

#include "pixels.h"

static int depth_bytes(const char *depth) {
    if (strcmp(depth, kOfxBitDepthByte) == 0) return 1;
    if (strcmp(depth, kOfxBitDepthShort) == 0) return 2;
    if (strcmp(depth, kOfxBitDepthFloat) == 0) return 4;
    return 0;
}

static int read_image_props(SvImage *out, char *why, size_t why_len) {
    const OfxPropertySuiteV1 *p = sv_host.props;
    char *depth = NULL, *components = NULL;
    void *data = NULL;
    if (!SV_OK(p->propGetPointer(out->handle, kOfxImagePropData, 0, &data)) ||
        !SV_OK(p->propGetIntN(out->handle, kOfxImagePropBounds, 4, &out->bounds.x1)) ||
        !SV_OK(p->propGetInt(out->handle, kOfxImagePropRowBytes, 0, &out->row_bytes)) ||
        !SV_OK(p->propGetString(out->handle, kOfxImageEffectPropPixelDepth, 0, &depth)) ||
        !SV_OK(p->propGetString(out->handle, kOfxImageEffectPropComponents, 0, &components)))
        return snprintf(why, why_len, "the host's image lacks data, bounds or format"), 0;
    out->data = data;
    out->sample_bytes = depth ? depth_bytes(depth) : 0;
    if (data == NULL || out->sample_bytes == 0 || components == NULL ||
        strcmp(components, kOfxImageComponentRGBA) != 0)
        return snprintf(why, why_len, "images must be RGBA 8-bit, 16-bit or float"), 0;
    return 1;
}

int sv_image_fetch(OfxImageClipHandle clip, OfxTime time, SvImage *out, char *why,
                   size_t why_len) {
    memset(out, 0, sizeof *out);
    if (!SV_OK(sv_host.effects->clipGetImage(clip, time, NULL, &out->handle))) {
        out->handle = NULL;
        return snprintf(why, why_len, "the host gave no image at frame %g", time), 0;
    }
    if (!read_image_props(out, why, why_len)) {
        sv_image_release(out);
        return 0;
    }
    return 1;
}

void sv_image_release(SvImage *image) {
    if (image->handle) sv_host.effects->clipReleaseImage(image->handle);
    image->handle = NULL;
}

int sv_wire_sample_bytes(const SvImage *image) { return image->sample_bytes == 1 ? 1 : 2; }

size_t sv_frame_bytes(const SvFrame *frame) {
    return (size_t)frame->width * (size_t)frame->height * 4u * (size_t)frame->sample_bytes;
}

static const unsigned char *pixel(const SvImage *image, int x, int y) {
    return image->data + (ptrdiff_t)(y - image->bounds.y1) * image->row_bytes +
           (ptrdiff_t)(x - image->bounds.x1) * 4 * image->sample_bytes;
}

/* One sample on the wire's scale: 8-bit as is, 16-bit as is, float clamped to [0, 1] and
 * rounded to 16 bits (in single precision, as the tests reproduce it). */
static unsigned wire_sample(const unsigned char *at, int sample_bytes) {
    if (sample_bytes == 1) return *at;
    if (sample_bytes == 2) {
        unsigned short value;
        memcpy(&value, at, 2);
        return value;
    }
    float value;
    memcpy(&value, at, 4);
    if (!(value > 0.0f)) return 0;
    if (value >= 1.0f) return 65535;
    return (unsigned)(value * 65535.0f + 0.5f);
}

static void put_wire(unsigned char *at, int sample_bytes, unsigned value) {
    if (sample_bytes == 1) {
        *at = (unsigned char)value;
    } else {
        at[0] = (unsigned char)(value & 0xff); /* little-endian whatever the machine */
        at[1] = (unsigned char)(value >> 8);
    }
}

static unsigned get_wire(const unsigned char *at, int sample_bytes) {
    return sample_bytes == 1 ? at[0] : (unsigned)at[0] | ((unsigned)at[1] << 8);
}

/* Area average: out(X, Y) is the rounded mean of the factor x factor block whose bottom-left
 * pixel is (x1 + X*factor, y1 + Y*factor). Columns and rows past the last whole block (at the
 * right and the top) are left out. Y counts up from the bottom, as in the host's image; the
 * frame stores its rows top first. */
void sv_reduce(const SvImage *image, int factor, SvFrame *out) {
    int width = out->width, count = factor * factor;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < width; x++)
            for (int c = 0; c < 4; c++) {
                unsigned long long sum = 0;
                for (int dy = 0; dy < factor; dy++)
                    for (int dx = 0; dx < factor; dx++) {
                        const unsigned char *at = pixel(image, image->bounds.x1 + x * factor + dx,
                                                        image->bounds.y1 + y * factor + dy);
                        sum += wire_sample(at + c * image->sample_bytes, image->sample_bytes);
                    }
                size_t row = (size_t)(out->height - 1 - y);
                unsigned char *dst = out->data + ((row * width + x) * 4 + c) * out->sample_bytes;
                put_wire(dst, out->sample_bytes, (unsigned)((sum + count / 2) / count));
            }
}

static void store(unsigned char *at, int sample_bytes, unsigned value, int wire_bytes) {
    if (sample_bytes == 4) {
        float f = (float)value / 65535.0f;
        memcpy(at, &f, 4);
    } else if (sample_bytes == 2) {
        unsigned short s = (unsigned short)(wire_bytes == 1 ? value * 257u : value);
        memcpy(at, &s, 2);
    } else {
        *at = (unsigned char)value;
    }
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The rounded means, in wire units, of the four channels over the shrink x shrink block of the
 * frame whose bottom-left pixel is (fx, fy) counted from the frame's bottom-left, clamped to the
 * frame (so edges short of a whole block repeat the last one). */
static void block_mean(const SvFrame *frame, int shrink, int fx, int fy, unsigned mean[4]) {
    unsigned long long sum[4] = {0, 0, 0, 0};
    int bytes = frame->sample_bytes;
    for (int dy = 0; dy < shrink; dy++) {
        size_t row = (size_t)(frame->height - 1 - clamp(fy + dy, 0, frame->height - 1));
        for (int dx = 0; dx < shrink; dx++) {
            size_t x = (size_t)clamp(fx + dx, 0, frame->width - 1);
            const unsigned char *src = frame->data + (row * frame->width + x) * 4 * bytes;
            for (int c = 0; c < 4; c++) sum[c] += get_wire(src + c * bytes, bytes);
        }
    }
    unsigned count = (unsigned)(shrink * shrink);
    for (int c = 0; c < 4; c++) mean[c] = (unsigned)((sum[c] + count / 2) / count);
}

/* Writes out's pixels inside `window`: pixel (x, y) takes the mean of the frame's shrink x shrink
 * block at ((x - origin_x) * shrink, (y - origin_y) * shrink), counted from its bottom-left. */
void sv_place(const SvFrame *frame, int shrink, int origin_x, int origin_y, SvImage *out,
              OfxRectI window) {
    int x1 = window.x1 > out->bounds.x1 ? window.x1 : out->bounds.x1;
    int x2 = window.x2 < out->bounds.x2 ? window.x2 : out->bounds.x2;
    int y1 = window.y1 > out->bounds.y1 ? window.y1 : out->bounds.y1;
    int y2 = window.y2 < out->bounds.y2 ? window.y2 : out->bounds.y2;
    unsigned mean[4];
    for (int y = y1; y < y2; y++)
        for (int x = x1; x < x2; x++) {
            unsigned char *dst = (unsigned char *)pixel(out, x, y);
            block_mean(frame, shrink, (x - origin_x) * shrink, (y - origin_y) * shrink, mean);
            for (int c = 0; c < 4; c++)
                store(dst + c * out->sample_bytes, out->sample_bytes, mean[c],
                      frame->sample_bytes);
        }
}

/* The input unchanged (each pixel repeated factor x factor times where the output is larger),
 * in the input's own depth: floats pass through bit for bit. */
void sv_pass_through(const SvImage *in, int factor, SvImage *out, OfxRectI window) {
    int x1 = window.x1 > out->bounds.x1 ? window.x1 : out->bounds.x1;
    int x2 = window.x2 < out->bounds.x2 ? window.x2 : out->bounds.x2;
    int y1 = window.y1 > out->bounds.y1 ? window.y1 : out->bounds.y1;
    int y2 = window.y2 < out->bounds.y2 ? window.y2 : out->bounds.y2;
    int bytes = 4 * in->sample_bytes;
    if (in->sample_bytes != out->sample_bytes) return;
    for (int y = y1; y < y2; y++) {
        int sy = clamp(y / factor, in->bounds.y1, in->bounds.y2 - 1);
        for (int x = x1; x < x2; x++) {
            int sx = clamp(x / factor, in->bounds.x1, in->bounds.x2 - 1);
            memcpy((unsigned char *)pixel(out, x, y), pixel(in, sx, sy), (size_t)bytes);
        }
    }
}
