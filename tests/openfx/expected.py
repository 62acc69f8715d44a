"""What the effect must return, computed with the library in process: the plug-in's reduction
(area average, on the wire's 8/16-bit or half-float scale), sparkvsr.pipeline.run_job with the
flow engine on the frame's window, then the mode's resize (edge pixels repeated where blocks did
not fit)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sparkvsr.engines import engine_entry
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame

# The keyframes of a window: (its first frame, its reduced frames, the output layout) ->
# {offset in the window: still}.
WindowKeyframes = Callable[[int, np.ndarray, FrameLayout], dict[int, np.ndarray]]


def from_wire(frames: np.ndarray) -> np.ndarray:
    """Half floats come back as float32 (exactly); integers as they are."""
    return frames.astype(np.float32) if frames.dtype == np.float16 else frames


def reduce(frames: np.ndarray, factor: int, to_half: bool = True) -> np.ndarray:
    """Area average of factor x factor blocks counted from the bottom-left pixel (OFX's origin);
    rows and columns short of a whole block (top, right) are left out. Top-down in and out.
    Integers are rounded on the wire's scale; floats averaged in double, then rounded to single
    and (`to_half`, as they travel) to half, as the plug-in does."""
    count, height, width = frames.shape[:3]
    h, w = height // factor, width // factor
    blocks = frames[:, ::-1][:, : h * factor, : w * factor]  # bottom-up
    n = factor * factor
    if frames.dtype.kind == "f":
        sums = blocks.astype(np.float64).reshape(count, h, factor, w, factor, 4).sum(axis=(2, 4))
        means = (sums / n).astype(np.float32)
        return (means.astype(np.float16) if to_half else means)[:, ::-1]
    sums = blocks.astype(np.uint64).reshape(count, h, factor, w, factor, 4).sum(axis=(2, 4))
    return ((sums + n // 2) // n).astype(frames.dtype)[:, ::-1]


def window_of(time: int, first: int, last: int, length: int) -> tuple[int, int]:
    """Windows tile host time from frame 0, cut to the clip's range [first, last]."""
    start = time // length * length
    return max(start, first), min(start + length - 1, last)


def engine_window(
    reduced: np.ndarray, scale: int, keyframes: WindowKeyframes | None = None, start: int = 0
) -> np.ndarray:
    layout = FrameLayout.of(reduced[0])
    stills = keyframes(start, reduced, layout.scaled(scale)) if keyframes else {}
    spec = JobSpec(
        len(reduced), layout, scale=scale, engine="flow", keyframe_indices=tuple(sorted(stills))
    )
    engine = engine_entry("flow").load()
    items = [Keyframe(offset, still) for offset, still in sorted(stills.items())]
    items += [SourceFrame(i, frame) for i, frame in enumerate(reduced)]
    return np.stack([out.image for out in run_job(spec, engine, items)])


def expected_frame(
    frames: np.ndarray,
    time: int,
    scale: int,
    mode: str,
    window: int,
    first: int = 0,
    keyframes: WindowKeyframes | None = None,
    shrink: int = 1,
) -> np.ndarray:
    """The frame the effect must render at `time` (top-down, the input's dtype); at render scale
    1/`shrink` the frames are the host's scaled ones and the result is shrunk into them."""
    start, stop = window_of(time, first, first + len(frames) - 1, window)
    factor = scale // shrink if mode == "restore" else 1
    reduced = reduce(frames[start - first : stop - first + 1], factor)
    result = engine_window(reduced, scale, keyframes, start)[time - start]
    result = reduce(result[None], shrink, to_half=False)[0][::-1]  # bottom-up
    height, width = frames.shape[1:3]
    target = (height, width) if mode == "restore" else (height * scale, width * scale)
    pad = ((0, target[0] - result.shape[0]), (0, target[1] - result.shape[1]), (0, 0))
    return from_wire(np.pad(result, pad, mode="edge")[::-1])
