"""Buffers a job's incoming frames and keyframe images, checking each against the job spec."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from sparkvsr.errors import InvalidInputError
from sparkvsr.specs import FrameLayout, InputItem, JobSpec, Keyframe, SourceFrame


def to_unit_float(image: np.ndarray, bit_depth: int | str) -> np.ndarray:
    """uint8/uint16 samples -> float32 in [0, 1]; half floats (scene-linear) -> float32 as
    they are."""
    if image.dtype.kind == "f":
        return image.astype(np.float32)
    return np.multiply(image, np.float32(1.0 / ((1 << bit_depth) - 1)), dtype=np.float32)


def from_unit_float(image: np.ndarray, bit_depth: int | str) -> np.ndarray:
    """float32 in [0, 1] -> uint8/uint16, rounded to nearest (half up), or to half floats
    unclipped (`bit_depth` "half", FrameLayout.depth); clobbers nothing."""
    if bit_depth == "half":
        return image.astype(np.float16)
    max_value = (1 << bit_depth) - 1
    scaled = np.multiply(image, np.float32(max_value), dtype=np.float32)
    scaled += np.float32(0.5)
    np.clip(scaled, 0, max_value, out=scaled)
    return scaled.astype(np.uint8 if bit_depth == 8 else np.uint16)


class InputBuffer:
    """Pulls items from the job's input only as far as needed, so memory stays bounded."""

    def __init__(self, spec: JobSpec, items: Iterable[InputItem], max_buffered_frames: int):
        self._spec = spec
        self._items: Iterator[InputItem] = iter(items)
        self._max_buffered = max_buffered_frames
        self._frames: dict[int, np.ndarray] = {}
        self._keyframes: dict[int, np.ndarray] = {}
        self._keyframe_sources: dict[int, np.ndarray] = {}
        self._next_index = 0
        self._exhausted = False

    def frame(self, index: int) -> np.ndarray:
        """Source frame `index` as float32 in [0, 1], reading ahead if it has not arrived yet."""
        while index not in self._frames and index not in self._keyframe_sources:
            self._pull(waiting_for=f"source frame {index}")
        image = self._frames.get(index, self._keyframe_sources.get(index))
        return to_unit_float(image, self._spec.source_layout.depth)

    def keyframe(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(HR image, LR source frame) of keyframe `index` as float32 in [0, 1]."""
        while index not in self._keyframes:
            self._pull(waiting_for=f"the keyframe image of frame {index}")
        depth = self._spec.source_layout.depth
        return to_unit_float(self._keyframes[index], depth), self.frame(index)

    def release(self, frames_before: int, keyframes_before: int) -> None:
        """Forgets frames and keyframes that no later chunk will ask for."""
        stores = ((self._frames, frames_before), (self._keyframes, keyframes_before))
        stores += ((self._keyframe_sources, min(frames_before, keyframes_before)),)
        for store, limit in stores:
            for old in [i for i in store if i < limit]:
                del store[old]

    def finish(self) -> None:
        """Checks that the input ends exactly after the last frame."""
        while not self._exhausted:
            self._pull(waiting_for="the end of the input")
        if self._next_index < self._spec.frame_count:
            raise InvalidInputError(
                f"the input ended after {self._next_index} of {self._spec.frame_count} frames"
            )

    def _pull(self, waiting_for: str) -> None:
        if len(self._frames) > self._max_buffered:
            raise InvalidInputError(
                f"still waiting for {waiting_for} after {self._next_index} source frames; send "
                f"each keyframe image before the source frames more than {self._max_buffered} "
                "frames past it"
            )
        item = next(self._items, None)
        if item is None:
            self._exhausted = True
            if waiting_for != "the end of the input":
                raise InvalidInputError(
                    f"the input ended after {self._next_index} of {self._spec.frame_count} "
                    f"frames, while waiting for {waiting_for}"
                )
            return
        if isinstance(item, SourceFrame):
            self._accept_frame(item)
        elif isinstance(item, Keyframe):
            self._accept_keyframe(item)
        else:
            raise InvalidInputError(f"unexpected input item {type(item).__name__}")

    def _accept_frame(self, item: SourceFrame) -> None:
        check_arrival(self._spec, item, self._next_index, self._keyframes)
        _check_layout(item.image, self._spec.source_layout, f"source frame {item.index}")
        self._next_index += 1
        if item.index in self._spec.keyframe_indices:
            # Kept apart: keyframes in reach of later chunks outlive the rolling frame window.
            self._keyframe_sources[item.index] = item.image
        else:
            self._frames[item.index] = item.image

    def _accept_keyframe(self, item: Keyframe) -> None:
        check_arrival(self._spec, item, self._next_index, self._keyframes)
        _check_layout(item.image, self._spec.output_layout, f"keyframe image {item.index}")
        self._keyframes[item.index] = item.image


def _check_layout(image: np.ndarray, expected: FrameLayout, what: str) -> None:
    if image.shape != expected.shape or image.dtype != expected.dtype:
        height, width = image.shape[:2]
        raise InvalidInputError(
            f"{what} is {width}x{height}x{image.shape[2] if image.ndim == 3 else 1} {image.dtype}; "
            f"expected {expected.width}x{expected.height}x{expected.channels} {expected.dtype}"
        )


def check_arrival(spec: JobSpec, item: InputItem, next_frame: int, keyframes_received) -> None:
    """Raises InvalidInputError for an input the job cannot take: a source frame out of order or
    past the end, a keyframe image the spec does not list or that came twice."""
    if isinstance(item, SourceFrame):
        if item.index != next_frame:
            raise InvalidInputError(
                f"source frame {item.index} arrived where frame {next_frame} was expected; "
                "frames must be sent in order"
            )
        if item.index >= spec.frame_count:
            raise InvalidInputError(
                f"source frame {item.index} is past the job's {spec.frame_count} frames"
            )
    elif item.index not in spec.keyframe_indices:
        raise InvalidInputError(
            f"a keyframe image for frame {item.index} arrived, but the job spec lists "
            f"keyframes {list(spec.keyframe_indices)}"
        )
    elif item.index in keyframes_received:
        raise InvalidInputError(f"the keyframe image for frame {item.index} arrived twice")
