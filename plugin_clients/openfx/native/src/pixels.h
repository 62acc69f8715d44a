/* Host images and the pixel arithmetic between them and the wire's frames. */
#ifndef SPARKVSR_PIXELS_H
#define SPARKVSR_PIXELS_H

#include "sparkvsr_ofx.h"

/* A host image: RGBA, rows bottom-up `row_bytes` apart (possibly negative), 1/2/4-byte
 * samples (byte, short, float). */
typedef struct SvImage {
    OfxPropertySetHandle handle;
    unsigned char *data;
    OfxRectI bounds;
    int row_bytes;
    int sample_bytes;
} SvImage;

/* A frame as it travels: RGBA, rows top-down without padding (the server then flips
 * nothing: the rows are flipped here, in the pass that converts the samples anyway), 1 or 2
 * bytes per sample, little-endian: 8-bit, 16-bit, or half floats for float images (scene-linear
 * light: nothing clamped). */
typedef struct SvFrame {
    unsigned char *data;
    int width, height, sample_bytes;
    int is_float; /* 2-byte samples are IEEE half floats */
} SvFrame;

int sv_image_fetch(OfxImageClipHandle clip, OfxTime time, SvImage *out, char *why,
                   size_t why_len);
void sv_image_release(SvImage *image);
int sv_wire_sample_bytes(const SvImage *image);
size_t sv_frame_bytes(const SvFrame *frame);
void sv_reduce(const SvImage *image, int factor, SvFrame *out);
void sv_place(const SvFrame *frame, int shrink, int origin_x, int origin_y, SvImage *out,
              OfxRectI window);
void sv_pass_through(const SvImage *in, int factor, SvImage *out, OfxRectI window);

#endif
