"""Spec types shared by every layer: frame layouts, frame ranges, keyframes and jobs."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from sparkvsr.errors import InvalidInputError

RowOrder = Literal["top_down", "bottom_up"]
ROW_ORDERS: tuple[str, ...] = get_args(RowOrder)
SampleFormat = Literal["uint", "float"]
SAMPLE_FORMATS: tuple[str, ...] = get_args(SampleFormat)


@dataclass(frozen=True)
class FrameLayout:
    """How one frame's samples are laid out in a buffer: interleaved channels, no row padding."""

    width: int
    """Pixels per row."""
    height: int
    """Rows."""
    channels: int = 3
    """1 (grey), 3 (RGB) or 4 (RGBA)."""
    bit_depth: int = 8
    """8 or 16 bits per sample; 16-bit samples are little-endian on the wire."""
    row_order: RowOrder = "top_down"
    """Whether the buffer starts with the top row (video) or the bottom row (OpenFX)."""
    sample_format: SampleFormat = "uint"
    """Unsigned integers (0 = black, the depth's maximum = white) or, at 16 bits, IEEE half
    floats (scene-linear light: 1.0 = white, values outside [0, 1] kept)."""

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise InvalidInputError(f"frame size must be positive, got {self.width}x{self.height}")
        if self.channels not in (1, 3, 4):
            raise InvalidInputError(f"channels must be 1, 3 or 4, got {self.channels}")
        if self.bit_depth not in (8, 16):
            raise InvalidInputError(f"bit_depth must be 8 or 16, got {self.bit_depth}")
        if self.row_order not in ROW_ORDERS:
            raise InvalidInputError(
                f"row_order must be one of {ROW_ORDERS}, got {self.row_order!r}"
            )
        if self.sample_format not in SAMPLE_FORMATS:
            raise InvalidInputError(
                f"sample_format must be one of {SAMPLE_FORMATS}, got {self.sample_format!r}"
            )
        if self.sample_format == "float" and self.bit_depth != 16:
            raise InvalidInputError(f"float samples are 16-bit (half), got {self.bit_depth}")

    @property
    def dtype(self) -> np.dtype:
        if self.sample_format == "float":
            return np.dtype("<f2")
        return np.dtype(np.uint8) if self.bit_depth == 8 else np.dtype("<u2")

    @property
    def depth(self) -> int | str:
        """The sample type the pipeline converts to and from: 8, 16 or "half"."""
        return "half" if self.sample_format == "float" else self.bit_depth

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.height, self.width, self.channels)

    @property
    def nbytes(self) -> int:
        return self.width * self.height * self.channels * self.dtype.itemsize

    @property
    def max_value(self) -> int:
        """White: the depth's largest integer, 1 for floats."""
        return 1 if self.sample_format == "float" else (1 << self.bit_depth) - 1

    def scaled(self, scale: int) -> FrameLayout:
        """The layout of this frame upscaled `scale` times (same channels, samples, row order)."""
        return dataclasses.replace(self, width=self.width * scale, height=self.height * scale)

    @classmethod
    def of(cls, frame: np.ndarray) -> FrameLayout:
        """The top-down layout of an (H, W, C) uint8, uint16 or float16 array."""
        if frame.ndim != 3 or frame.dtype not in (np.uint8, np.uint16, np.float16):
            raise InvalidInputError(
                "a frame must be an (H, W, C) uint8, uint16 or float16 array, "
                f"got {frame.dtype} {frame.shape}"
            )
        height, width, channels = frame.shape
        sample_format = "float" if frame.dtype.kind == "f" else "uint"
        return cls(width, height, channels, 8 * frame.dtype.itemsize, sample_format=sample_format)


@dataclass(frozen=True)
class FrameRange:
    """Frames [start, stop) of a clip, by index into the media's own frames (0 = first)."""

    start: int
    """First frame index, inclusive."""
    stop: int
    """Last frame index plus one."""

    def __post_init__(self) -> None:
        if self.start < 0 or self.stop <= self.start:
            raise InvalidInputError(f"frame range [{self.start}, {self.stop}) is empty or negative")

    def __len__(self) -> int:
        return self.stop - self.start

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.start <= index < self.stop


@dataclass(frozen=True)
class Keyframe:
    """A high-resolution image of one source frame, which the engine propagates through the clip."""

    index: int
    """Frame index within the job (0 = first frame of the job)."""
    image: np.ndarray = field(repr=False, compare=False)
    """(H, W, C) uint8 or uint16, top-down, exactly `scale` times the source frame size."""


@dataclass(frozen=True)
class JobSpec:
    """Everything an engine run needs to know before the first frame arrives."""

    frame_count: int
    """Number of source frames in the job."""
    source_layout: FrameLayout
    """Layout every source frame has."""
    scale: int = 4
    """Upscale factor."""
    engine: str = "flow"
    """Engine name (see `sparkvsr info`)."""
    keyframe_indices: tuple[int, ...] = ()
    """Sorted frame indices that come with a high-resolution keyframe image."""
    chunk_length: int | None = None
    """Frames per engine chunk; None = the engine's default."""
    chunk_overlap: int | None = None
    """Frames shared by neighbouring chunks and blended; None = the engine's default."""

    def __post_init__(self) -> None:
        if self.frame_count <= 0:
            raise InvalidInputError(f"the job has no frames (frame_count={self.frame_count})")
        if self.scale < 1:
            raise InvalidInputError(f"scale must be at least 1, got {self.scale}")
        if list(self.keyframe_indices) != sorted(set(self.keyframe_indices)):
            raise InvalidInputError(
                f"keyframe indices must be sorted and unique, got {list(self.keyframe_indices)}"
            )
        last = self.frame_count - 1
        for index in self.keyframe_indices:
            if not 0 <= index <= last:
                raise InvalidInputError(
                    f"keyframe {index} is out of range: the clip has {self.frame_count} frames "
                    f"(0..{last})"
                )
        if self.chunk_length is not None and self.chunk_length < 1:
            raise InvalidInputError(f"chunk_length must be at least 1, got {self.chunk_length}")
        if self.chunk_overlap is not None and self.chunk_overlap < 0:
            raise InvalidInputError(f"chunk_overlap must be >= 0, got {self.chunk_overlap}")

    @property
    def output_layout(self) -> FrameLayout:
        return self.source_layout.scaled(self.scale)


@dataclass(frozen=True)
class SourceFrame:
    """One low-resolution source frame of a job."""

    index: int
    """Frame index within the job (0 = first frame of the job)."""
    image: np.ndarray = field(repr=False, compare=False)
    """(H, W, C) uint8 or uint16, top-down."""


@dataclass(frozen=True)
class OutputFrame:
    """One finished, upscaled frame of a job."""

    index: int
    """Frame index within the job."""
    image: np.ndarray = field(repr=False, compare=False)
    """(H*s, W*s, C), the source's dtype, top-down."""


InputItem = SourceFrame | Keyframe
"""What a job consumes, in any interleaving: source frames in order, keyframe images anywhere."""


class JobState(enum.Enum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class JobStatus:
    """A job's state and progress as a server reports it."""

    job_id: str
    state: JobState
    frames_done: int
    """Frames finished, counted from the job's first frame (they finish in order)."""
    frame_count: int
    message: str = ""
    """Why the job failed or was cancelled; empty otherwise."""
    input_complete: bool = False
    """The server holds all input: the job finishes even if its client goes away."""
    output_path: str = ""
    """Media jobs: the output written, once the job succeeded."""
    sidecar_path: str = ""
    """Media jobs: the output's provenance file, once the job succeeded."""
    stage: str = ""
    """What the job is doing now, in words ("reused 3 of 9 windows"); may be empty."""
