"""Reading and writing single images (keyframe stills, comparison sheets) with OpenCV."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np

from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.specs import FrameLayout


def read_still(path: str, layout: FrameLayout | None) -> np.ndarray:
    """Reads an image as a top-down (H, W, C) array of `layout`'s channels and depth.

    Grey, RGB and RGBA files are converted to the layout's channels; 8- and 16-bit samples are
    rescaled to its depth. The size must match exactly. With no layout, the image comes back as
    stored (grey, RGB or RGBA; 8 or 16 bits).

    Raises:
        NotFoundError: no such file.
        InvalidInputError: not a readable image, or not the layout's size.
    """
    import cv2

    if not os.path.exists(path):
        raise NotFoundError(f"no such image: {path}")
    if path.lower().endswith(".png"):  # checked first: libpng would print its own line
        _check_png(path)
    image = (
        _read_exr(path) if path.lower().endswith(".exr") else cv2.imread(path, cv2.IMREAD_UNCHANGED)
    )
    if image is None or image.dtype not in (np.uint8, np.uint16):
        raise InvalidInputError(f"cannot read {path} as an 8- or 16-bit image")
    height, width = image.shape[:2]
    if layout is None:
        return np.ascontiguousarray(_to_channels(image.reshape(height, width, -1), None))
    if (width, height) != (layout.width, layout.height):
        raise InvalidInputError(
            f"{path} is {width}x{height}; it must be {layout.width}x{layout.height}"
        )
    image = _to_channels(image.reshape(height, width, -1), layout.channels)
    if layout.sample_format == "float":  # a still is display-referred: [0, 1] in float frames
        image = (image / np.float32(np.iinfo(image.dtype).max)).astype(layout.dtype)
    elif image.dtype != layout.dtype:
        image = (
            (image.astype(np.uint16) * 257)
            if layout.bit_depth == 16
            else (image >> 8).astype(np.uint8)
        )
    return np.ascontiguousarray(image)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png(path: str) -> None:
    """Raises InvalidInputError naming what is wrong when `path` is not a whole PNG: cut short,
    a chunk damaged (its CRC), or image data that does not inflate."""
    with open(path, "rb") as file:
        data = file.read()
    problem = _png_problem(data)
    if problem:
        raise InvalidInputError(f"cannot read {path}: {problem}; write or export it again")


def _png_problem(data: bytes) -> str | None:
    if not data.startswith(_PNG_SIGNATURE):
        return "it is not a PNG file"
    pixels, position, first = zlib.decompressobj(), len(_PNG_SIGNATURE), True
    while True:
        if position + 12 > len(data):
            return "the file is cut short"
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            return "the file is cut short"
        body = data[position + 8 : end - 4]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4 : end])[0]:
            return f"its {kind.decode('latin-1')} chunk is damaged"
        if first and kind != b"IHDR":
            return "its header is missing"
        first = False
        if kind == b"IDAT":
            try:
                while body:  # inflated in pieces, only to check it, so memory stays small
                    pixels.decompress(body, 1 << 20)
                    body = pixels.unconsumed_tail
            except zlib.error:
                return "its image data is damaged"
        if kind == b"IEND":
            return None if pixels.eof else "its image data is cut short"
        position = end


def _read_exr(path: str) -> np.ndarray | None:
    """OpenEXR through FFmpeg (OpenCV's EXR support is off by default), as 16-bit BGR(A)."""
    import av

    try:
        with av.open(path) as container:
            frame = next(container.decode(video=0))
    except (av.FFmpegError, StopIteration):
        return None
    alpha = "a" in frame.format.name
    rgb = frame.to_ndarray(format="rgba64le" if alpha else "rgb48le")
    # Back to OpenCV's channel order so one conversion path serves every format.
    return np.concatenate([rgb[..., 2::-1], rgb[..., 3:]], axis=2)


def _to_channels(bgr: np.ndarray, channels: int | None) -> np.ndarray:
    # OpenCV stores colour as BGR(A). channels=None keeps the file's own (RGB order).
    have = bgr.shape[2]
    if channels is None:
        channels = have if have in (1, 4) else 3
        if have == 1:
            return bgr
    if have == 1:
        rgb = np.repeat(bgr, 3, axis=2)
    else:
        rgb = bgr[..., 2::-1]
    if channels == 1:
        return (
            (rgb.astype(np.float32) @ np.float32([0.299, 0.587, 0.114]))
            .round()
            .astype(bgr.dtype)[..., None]
        )
    if channels == 3:
        return rgb
    alpha = bgr[..., 3:4] if have == 4 else np.full_like(rgb[..., :1], np.iinfo(bgr.dtype).max)
    return np.concatenate([rgb, alpha], axis=2)


def write_still(path: str, image: np.ndarray) -> None:
    """Writes a top-down RGB(A) or grey (H, W, C) uint8/uint16 array as PNG, TIFF or JPEG."""
    import cv2

    if image.shape[2] >= 3:
        image = np.concatenate([image[..., 2::-1], image[..., 3:]], axis=2)
    if not cv2.imwrite(path, image):
        raise InvalidInputError(f"cannot write an image to {path}")
