"""Synthetic but real-looking clips: a camera moving over a photograph, and its degraded copy."""

from __future__ import annotations

import cv2
import numpy as np


def sample_photo(name: str = "motorcycle") -> np.ndarray:
    """A real photograph shipped by scikit-image, as (H, W, 3) uint8 RGB."""
    try:
        from skimage import data
    except ImportError:
        from sparkvsr.errors import EngineUnavailableError

        raise EngineUnavailableError(
            "the demo photographs come from scikit-image: pip install 'sparkvsr[demo]'"
        ) from None
    if name == "motorcycle":
        return np.ascontiguousarray(data.stereo_motorcycle()[0])
    return np.ascontiguousarray(getattr(data, name)())


def camera_clip(
    photo: np.ndarray,
    size: tuple[int, int],
    frame_count: int,
    *,
    seed: int = 0,
    zoom: tuple[float, float] = (1.0, 0.85),
    max_rotation_deg: float = 2.0,
    moving_object: np.ndarray | None = None,
) -> np.ndarray:
    """Frames of a camera panning, zooming and rolling slightly over `photo`.

    Args:
        photo: (H, W, 3) uint8 source, larger than `size`.
        size: (width, height) of the frames.
        frame_count: number of frames.
        seed: picks the pan direction reproducibly.
        zoom: source pixels per output pixel at the first and last frame.
        max_rotation_deg: peak camera roll.
        moving_object: optional (h, w, 3) patch that crosses the frame independently of the camera.

    Returns:
        (frame_count, height, width, 3) uint8.
    """
    width, height = size
    rng = np.random.default_rng(seed)
    photo_h, photo_w = photo.shape[:2]
    margin_x = photo_w / 2 - width * max(zoom) / 2 - 4
    margin_y = photo_h / 2 - height * max(zoom) / 2 - 4
    if margin_x < 0 or margin_y < 0:
        raise ValueError(f"photo {photo_w}x{photo_h} is too small for {width}x{height} frames")
    start = np.array([photo_w / 2, photo_h / 2]) + rng.uniform(-0.6, 0.6, 2) * [margin_x, margin_y]
    end = np.array([photo_w / 2, photo_h / 2]) + rng.uniform(-0.6, 0.6, 2) * [margin_x, margin_y]
    frames = np.empty((frame_count, height, width, 3), dtype=np.uint8)
    for t in range(frame_count):
        progress = t / max(1, frame_count - 1)
        eased = 0.5 - 0.5 * np.cos(np.pi * progress)  # cameras accelerate and settle
        centre = start + (end - start) * eased
        scale = zoom[0] + (zoom[1] - zoom[0]) * eased
        angle = np.deg2rad(max_rotation_deg) * np.sin(2 * np.pi * progress)
        frames[t] = _view(photo, centre, scale, angle, (width, height))
        if moving_object is not None:
            _paste_moving(frames[t], moving_object, progress)
    return frames


def _view(photo, centre, scale, angle, size) -> np.ndarray:
    width, height = size
    cos, sin = np.cos(angle) * scale, np.sin(angle) * scale
    # Maps output pixel centres to photo coordinates (rotation and zoom about the frame centre).
    matrix = np.array(
        [
            [cos, -sin, centre[0] - cos * (width - 1) / 2 + sin * (height - 1) / 2],
            [sin, cos, centre[1] - sin * (width - 1) / 2 - cos * (height - 1) / 2],
        ]
    )
    return cv2.warpAffine(
        photo,
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT,
    )


def _paste_moving(frame: np.ndarray, patch: np.ndarray, progress: float) -> None:
    """Pastes a round patch travelling left to right along a shallow arc."""
    height, width = frame.shape[:2]
    size = patch.shape[0]
    x = int(round(-size + (width + size) * progress))
    y = int(round(height * (0.55 - 0.15 * np.sin(np.pi * progress)) - size / 2))
    yy, xx = np.mgrid[:size, :size]
    disc = (xx - size / 2 + 0.5) ** 2 + (yy - size / 2 + 0.5) ** 2 <= (size / 2) ** 2
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + size), min(height, y + size)
    if x1 <= x0 or y1 <= y0:
        return
    region = disc[y0 - y : y1 - y, x0 - x : x1 - x]
    frame[y0:y1, x0:x1][region] = patch[y0 - y : y1 - y, x0 - x : x1 - x][region]


def degrade(
    frames: np.ndarray,
    scale: int,
    *,
    blur_sigma: float = 0.0,
    noise_sigma: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """The low-resolution copy the engine sees: optional Gaussian blur (sigma in high-resolution
    pixels), area downscale by `scale`, optional Gaussian noise (sigma in 8-bit levels)."""
    count, height, width = frames.shape[:3]
    rng = np.random.default_rng(seed)
    low = np.empty((count, height // scale, width // scale, frames.shape[3]), dtype=np.uint8)
    for i, frame in enumerate(frames):
        if blur_sigma > 0:
            frame = cv2.GaussianBlur(frame, (0, 0), blur_sigma)
        small = cv2.resize(frame, (width // scale, height // scale), interpolation=cv2.INTER_AREA)
        if noise_sigma > 0:
            noisy = small.astype(np.float32) + rng.normal(0, noise_sigma, small.shape)
            small = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
        low[i] = small.reshape(low.shape[1:])
    return low


def h264_roundtrip(frames: np.ndarray, crf: int, gop: int = 48) -> np.ndarray:
    """Frames after a real H.264 encode and decode (libx264, 4:2:0, constant quality `crf`)."""
    import io

    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"crf": str(crf), "preset": "medium"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    buffer.seek(0)
    with av.open(buffer) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return np.stack(decoded)
