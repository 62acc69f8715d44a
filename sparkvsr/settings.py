"""What a job is asked to do, whatever runs it and wherever its media lives: one settings type
that every front end (CLI, timeline bridge, editor clients, gateway, farm) embeds, and the
file job that embeds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from sparkvsr.errors import InvalidInputError
from sparkvsr.keyframes import ProviderSettings
from sparkvsr.media import MOVIE_CODECS, MovieCodec
from sparkvsr.specs import FrameRange

OutputFormat = Literal["prores_hq", "prores_4444", "dnxhr_hqx", "exr", "png"]
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)
"""Movie codecs (a .mov), then image sequence formats."""


@dataclass(frozen=True)
class JobSettings:
    """How frames are upscaled and written."""

    engine: str | None = None
    """Engine name; None = the runner's default engine."""
    scale: int = 4
    """Upscale factor."""
    provider: ProviderSettings | None = None
    """Restores keyframes that have no still; None = every keyframe needs a still."""
    fit: bool = False
    """Resize stills of the wrong size (with a warning) instead of failing."""
    output_format: OutputFormat = "prores_hq"
    """A movie codec, or an image sequence format where the front end names outputs itself."""
    overwrite: bool = False
    """Replace existing outputs instead of refusing."""
    chunk_length: int | None = None
    """Frames per engine chunk; None = the engine's default."""
    chunk_overlap: int | None = None
    """Frames shared (and blended) by neighbouring chunks; None = the engine's default."""
    audio: bool = True
    """Carry the source's audio under the frames into a movie output."""

    def __post_init__(self) -> None:
        if self.output_format not in OUTPUT_FORMATS:
            raise InvalidInputError(
                f"output format must be one of {', '.join(OUTPUT_FORMATS)}, "
                f"got {self.output_format!r}"
            )
        if self.scale < 1:
            raise InvalidInputError(f"scale must be at least 1, got {self.scale}")
        if self.chunk_length is not None and self.chunk_length < 1:
            raise InvalidInputError(f"chunk length must be at least 1, got {self.chunk_length}")
        if self.chunk_overlap is not None and self.chunk_overlap < 0:
            raise InvalidInputError(f"chunk overlap must be >= 0, got {self.chunk_overlap}")

    @property
    def movie_codec(self) -> MovieCodec:
        """The codec of a movie output (ProRes 422 HQ where the format is an image sequence)."""
        return self.output_format if self.output_format in MOVIE_CODECS else "prores_hq"


@dataclass(frozen=True)
class FileJob:
    """One file to upscale and where the result goes."""

    source: str
    """Path of the source video."""
    output: str
    """A .mov path, or an image sequence pattern such as `DIR/%06d.png` (numbered by frame)."""
    settings: JobSettings = JobSettings()
    """Engine, scale, provider, codec and the rest (output_format is the codec of a .mov)."""
    keyframe_stills: tuple[tuple[int, str], ...] = ()
    """(source frame index, path of its high-resolution still) pairs."""
    keyframe_frames: tuple[int, ...] = ()
    """Source frames that are keyframes without a still: the provider restores them."""
    keyframe_folder: str | None = None
    """A folder of `<anything>_<frame>.<png|tif|exr|jpg>` stills (explicit pairs win)."""
    auto_keyframes: str | None = None
    """A selection strategy (see sparkvsr.keyframes.STRATEGIES) adding keyframes."""
    keyframe_every_chunk: bool = False
    """Add a keyframe (restored by the provider) to every engine window that would otherwise
    continue the one before it, so that all windows are independent and spread over GPUs and
    farm tasks."""
    frames: FrameRange | None = None
    """Source frames to upscale; None = all."""
