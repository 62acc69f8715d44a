/* Reduce host images to wire frames (area average) and place wire frames into host images. */
#include <stdint.h>
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

/* One integer sample on the wire's scale: 8-bit or 16-bit as it is. */
static unsigned wire_sample(const unsigned char *at, int sample_bytes) {
    if (sample_bytes == 1) return *at;
    unsigned short value;
    memcpy(&value, at, 2);
    return value;
}

/* IEEE half <-> single precision, rounding to nearest even (as numpy's float16 does). */
static uint16_t half_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    uint32_t sign = (bits >> 16) & 0x8000u, abs = bits & 0x7fffffffu;
    if (abs >= 0x7f800000u) return (uint16_t)(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0));
    if (abs >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* past 65504: infinity */
    uint32_t half, rest, halfway;
    if (abs < 0x38800000u) { /* below 2^-14: a subnormal half, or zero */
        if (abs <= 0x33000000u) return (uint16_t)sign;
        uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
        int shift = 126 - (int)(abs >> 23);
        half = mantissa >> shift;
        rest = mantissa & ((1u << shift) - 1);
        halfway = 1u << (shift - 1);
    } else {
        half = (abs - 0x38000000u) >> 13; /* exponent rebiased from 127 to 15 */
        rest = abs & 0x1fffu;
        halfway = 0x1000u;
    }
    if (rest > halfway || (rest == halfway && (half & 1u))) half++;
    return (uint16_t)(sign | half);
}

static float float_from_half(uint16_t half) {
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16, exponent = (half >> 10) & 0x1fu;
    uint32_t mantissa = half & 0x3ffu, bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { /* subnormal: normalised */
        uint32_t e = 113;
        for (; !(mantissa & 0x400u); e--) mantissa <<= 1;
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

static float get_float(const unsigned char *at) {
    float value;
    memcpy(&value, at, 4);
    return value;
}

static void put_half(unsigned char *at, float value) {
    uint16_t half = half_from_float(value);
    at[0] = (unsigned char)(half & 0xff); /* little-endian whatever the machine */
    at[1] = (unsigned char)(half >> 8);
}

static float get_half(const unsigned char *at) {
    return float_from_half((uint16_t)(at[0] | (at[1] << 8)));
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

/* Area average: out(X, Y) is the mean of the factor x factor block whose bottom-left pixel is
 * (x1 + X*factor, y1 + Y*factor), rounded to the wire's integers, or for float images taken in
 * double precision and rounded to single, then half. Columns and rows past the last whole block
 * (at the right and the top) are left out. Y counts up from the bottom, as in the host's image;
 * the frame stores its rows top first. */
void sv_reduce(const SvImage *image, int factor, SvFrame *out) {
    int width = out->width, count = factor * factor, bytes = image->sample_bytes;
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < width; x++)
            for (int c = 0; c < 4; c++) {
                unsigned long long sum = 0;
                double real = 0;
                for (int dy = 0; dy < factor; dy++)
                    for (int dx = 0; dx < factor; dx++) {
                        const unsigned char *at = pixel(image, image->bounds.x1 + x * factor + dx,
                                                        image->bounds.y1 + y * factor + dy);
                        if (bytes == 4) real += get_float(at + c * bytes);
                        else sum += wire_sample(at + c * bytes, bytes);
                    }
                size_t row = (size_t)(out->height - 1 - y);
                unsigned char *dst = out->data + ((row * width + x) * 4 + c) * out->sample_bytes;
                if (out->is_float) put_half(dst, (float)(real / count));
                else put_wire(dst, out->sample_bytes, (unsigned)((sum + count / 2) / count));
            }
}

/* A wire sample into the host's depth: floats from 16-bit as value/65535. */
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

/* The means of the four channels over the shrink x shrink block of the frame whose
 * bottom-left pixel is (fx, fy) counted from the frame's bottom-left, clamped to the frame (so
 * edges short of a whole block repeat the last one): rounded wire integers, or floats. */
static void block_mean(const SvFrame *frame, int shrink, int fx, int fy, unsigned mean[4],
                       float real[4]) {
    unsigned long long sum[4] = {0, 0, 0, 0};
    double total[4] = {0, 0, 0, 0};
    int bytes = frame->sample_bytes;
    for (int dy = 0; dy < shrink; dy++) {
        size_t row = (size_t)(frame->height - 1 - clamp(fy + dy, 0, frame->height - 1));
        for (int dx = 0; dx < shrink; dx++) {
            size_t x = (size_t)clamp(fx + dx, 0, frame->width - 1);
            const unsigned char *src = frame->data + (row * frame->width + x) * 4 * bytes;
            for (int c = 0; c < 4; c++) {
                if (frame->is_float) total[c] += get_half(src + c * bytes);
                else sum[c] += get_wire(src + c * bytes, bytes);
            }
        }
    }
    unsigned count = (unsigned)(shrink * shrink);
    for (int c = 0; c < 4; c++) {
        mean[c] = (unsigned)((sum[c] + count / 2) / count);
        real[c] = (float)(total[c] / count);
    }
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
    float real[4];
    for (int y = y1; y < y2; y++)
        for (int x = x1; x < x2; x++) {
            unsigned char *dst = (unsigned char *)pixel(out, x, y);
            block_mean(frame, shrink, (x - origin_x) * shrink, (y - origin_y) * shrink, mean,
                       real);
            if (frame->is_float) memcpy(dst, real, sizeof real); /* float frames: float images */
            else
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
