"""The small interface every engine implements: a chunk of frames with keyframes in, frames out."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from sparkvsr.errors import InvalidInputError
from sparkvsr.specs import JobSpec

WindowDependency = Literal["none", "until_keyframe_on_first_frame", "without_keyframe_inside"]
"""When an engine's window needs the output of the windows before it:
- `none`: never; a window's output depends only on its own frames and keyframes.
- `until_keyframe_on_first_frame`: each window continues the finished frame before it (a
  recursive filter), unless a keyframe sits on its first frame, where the filter restarts.
- `without_keyframe_inside`: a window holding no keyframe takes the previous window's output of
  its first frame as one (where windows overlap)."""
WINDOW_DEPENDENCIES: tuple[str, ...] = get_args(WindowDependency)


@dataclass(frozen=True)
class EngineInfo:
    """What an engine is and the rules a job must follow to run on it."""

    name: str
    """Name used on the command line and the wire."""
    description: str
    """One line for `sparkvsr info`."""
    scales: tuple[int, ...]
    """Upscale factors the engine supports."""
    min_keyframe_gap: int
    """Smallest distance allowed between two keyframe indices."""
    chunk_length: int
    """Default frames per chunk."""
    chunk_overlap: int
    """Default frames shared (and blended) by neighbouring chunks."""
    keyframe_reach: int = 0
    """How many frames outside its chunk a keyframe may still guide; 0 = only keyframes inside."""
    default_scale: int = 4
    """The scale a job gets when it asks for none (one of `scales`)."""
    window_dependency: WindowDependency = "none"
    """Which windows need their predecessors' output (see WindowDependency): those run in order
    on one worker, and get `previous` and `carried_output` (which then key their stored
    windows); the others may run anywhere, in any order, and a stored one stays valid when an
    earlier window changes."""

    def __post_init__(self) -> None:
        if self.default_scale not in self.scales:
            raise ValueError(f"engine {self.name!r}: default_scale not among its scales")
        if self.window_dependency not in WINDOW_DEPENDENCIES:
            raise ValueError(
                f"engine {self.name!r}: window_dependency must be one of {WINDOW_DEPENDENCIES}"
            )


@dataclass(frozen=True)
class DeviceInfo:
    """A compute device engines can run on."""

    name: str
    """"cpu" or "cuda:N"."""
    description: str
    memory_bytes: int


@dataclass(frozen=True)
class ChunkKeyframe:
    """A keyframe as an engine sees it: position relative to the chunk and both resolutions."""

    offset: int
    """Index relative to the chunk's first frame; outside [0, len) for keyframes in reach."""
    hr: np.ndarray
    """(H*s, W*s, C) float32 in [0, 1]."""
    lr: np.ndarray
    """The source frame at that index, (H, W, C) float32 in [0, 1]."""


@dataclass(frozen=True)
class PreviousFrame:
    """The finished frame just before a chunk, for engines that keep detail steady across chunks."""

    lr: np.ndarray
    """Its source frame, (H, W, C) float32 in [0, 1]."""
    output: np.ndarray
    """Its finished output as delivered, (H*s, W*s, C) float32 in [0, 1]."""


@dataclass(frozen=True)
class EngineChunk:
    """Consecutive source frames and the keyframes that may guide them."""

    frames: np.ndarray
    """(T, H, W, C) float32 in [0, 1]."""
    keyframes: tuple[ChunkKeyframe, ...]
    """Sorted by offset."""
    scale: int
    previous: PreviousFrame | None = None
    """The finished frame before the chunk; None for the first chunk."""
    start: int = 0
    """Index of the chunk's first frame within the job (to seed per chunk)."""
    carried_output: np.ndarray | None = None
    """The previous chunk's own output for this chunk's first frame, (H*s, W*s, C) float32,
    where the chunks overlap; None otherwise."""
    seed: int = 0
    """The window's seed (from the job's seed and the window's index), for engines that sample."""


class Engine(abc.ABC):
    """Upscales one chunk at a time; the planner owns chunking, overlap and blending."""

    info: EngineInfo

    @abc.abstractmethod
    def upscale_chunk(self, chunk: EngineChunk) -> np.ndarray:
        """Returns (T, H*s, W*s, C) float32 in [0, 1] for the chunk's frames.

        Raises DeviceOutOfMemoryError when the device ran out of memory; the runner then calls
        `use_less_memory` and retries the window."""

    def use_less_memory(self) -> str | None:
        """After DeviceOutOfMemoryError: lower the memory the next windows need (smaller tiles)
        and say how, in words ("tiles of 256 px"); None when it cannot go lower."""
        return None

    def output_identity(self, chunk: EngineChunk) -> str:
        """What besides `chunk`'s inputs decides this engine's output for it (its settings, its
        weights, how it would cut the chunk up). Window keys include it, so a window made with
        other settings or weights is never reused; an engine whose inputs alone decide its
        output keeps ''."""
        return ""


def check_job_fits_engine(spec: JobSpec, info: EngineInfo) -> None:
    """Raises InvalidInputError, naming the problem, if `spec` breaks one of the engine's rules."""
    if spec.scale not in info.scales:
        raise InvalidInputError(
            f"engine {info.name!r} supports scale {', '.join(map(str, info.scales))}, "
            f"not {spec.scale}"
        )
    check_keyframe_spacing(spec.keyframe_indices, info)
    length = spec.chunk_length or info.chunk_length
    overlap = info.chunk_overlap if spec.chunk_overlap is None else spec.chunk_overlap
    if overlap >= length:
        raise InvalidInputError(
            f"chunk_overlap ({overlap}) must be smaller than chunk_length ({length})"
        )


def check_keyframe_spacing(indices, info: EngineInfo) -> None:
    """Raises InvalidInputError naming the first two sorted keyframes closer than the engine
    allows (never drops one silently)."""
    for earlier, later in zip(indices, indices[1:]):
        if later - earlier < info.min_keyframe_gap:
            raise InvalidInputError(
                f"keyframes {earlier} and {later} are {later - earlier} frames apart; engine "
                f"{info.name!r} needs at least {info.min_keyframe_gap} frames between keyframes"
            )
