"""Reading and writing single images (keyframe stills, comparison sheets) with OpenCV."""

from __future__ import annotations

import os

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
