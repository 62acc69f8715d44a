"""Where upscaled media goes: the names every front end gives its outputs."""

from __future__ import annotations

import os
from pathlib import Path

from sparkvsr.media._writer import MOVIE_CODECS
from sparkvsr.specs import FrameRange

SEQUENCE_PADDING = 6
"""Digits of the frame number in image sequence names."""


def media_output_name(media: str, frames: FrameRange, scale: int) -> str:
    """The output name of media frames upscaled `scale` times (see output_name)."""
    return f"{Path(media).stem}_sparkvsr_x{scale}_{frames.start}-{frames.stop - 1}"


def output_target(output_dir: str, name: str, output_format: str) -> str:
    """The movie path, or the image sequence pattern (in a folder of its own), for a name."""
    if output_format in MOVIE_CODECS:
        return os.path.join(output_dir, f"{name}.mov")
    return os.path.join(output_dir, name, f"{name}.%0{SEQUENCE_PADDING}d.{output_format}")
