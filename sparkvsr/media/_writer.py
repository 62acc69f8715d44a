"""Encoding on PyAV: ProRes .mov files and PNG/EXR sequences, written safely."""

from __future__ import annotations

import contextlib
import os
from fractions import Fraction
from pathlib import Path
from typing import Literal, get_args

import av
import numpy as np

from sparkvsr.atomic import temporary_path, write_atomically
from sparkvsr.errors import InvalidInputError
from sparkvsr.media._audio import AudioSpan, read_audio, write_audio
from sparkvsr.media._outputs import check_output, is_sequence_pattern, output_errors
from sparkvsr.specs import FrameLayout

MovieCodec = Literal["prores_hq", "prores_4444", "dnxhr_hqx"]
MOVIE_CODECS: tuple[str, ...] = get_args(MovieCodec)

# (ffmpeg encoder, encoder pixel format, encoder options) per movie codec.
_MOVIE_ENCODERS = {
    "prores_hq": ("prores_ks", "yuv422p10le", {"profile": "3"}),
    "prores_4444": ("prores_ks", "yuva444p10le", {"profile": "4"}),
    "dnxhr_hqx": ("dnxhd", "yuv422p10le", {"profile": "dnxhr_hqx"}),
}
# Smallest frame each codec's encoder accepts, where it has one.
_MOVIE_MIN_SIZE = {"dnxhr_hqx": (256, 120)}
# (ffmpeg encoder, encoder pixel format for 8-bit input, for 16-bit input) per sequence suffix.
_SEQUENCE_ENCODERS = {
    ".png": ("png", "rgb24", "rgb48be"),
    ".exr": ("exr", "gbrpf32le", "gbrpf32le"),
}


class FrameWriter:
    """Writes frames to a movie or an image sequence; a movie appears only once it is complete.

    Use as a context manager: leaving it with an exception deletes the partial output.
    A movie can carry the audio of `audio` (the source's audio under the frames written).
    Before writing anything it checks every file it would write (`frame_count` frames of a
    sequence): none may be one of `inputs`, and none may exist unless `overwrite`.
    """

    def __init__(
        self,
        target: str,
        layout: FrameLayout,
        frame_rate: Fraction,
        *,
        codec: MovieCodec = "prores_hq",
        start_timecode: str | None = None,
        first_index: int = 0,
        overwrite: bool = False,
        audio: AudioSpan | None = None,
        frame_count: int = 1,
        inputs: tuple[str, ...] = (),
    ):
        self._layout = layout
        self._target = target
        self._sequence = is_sequence_pattern(target)
        check_output_name(target)
        check_output(
            target,
            first_index=first_index,
            frame_count=frame_count,
            overwrite=overwrite,
            inputs=inputs,
        )
        if self._sequence:
            self._path = target
            with output_errors(target):
                self._open_sequence(frame_rate, first_index)
        else:
            self._path = str(temporary_path(target))
            try:
                with output_errors(target):
                    self._open_movie(frame_rate, codec, start_timecode, audio)
            except BaseException:
                if os.path.exists(self._path):
                    os.remove(self._path)
                raise

    def _open_movie(
        self,
        frame_rate: Fraction,
        codec: str,
        start_timecode: str | None,
        audio: AudioSpan | None,
    ) -> None:
        if codec not in _MOVIE_ENCODERS:
            raise InvalidInputError(f"codec must be one of {MOVIE_CODECS}, got {codec!r}")
        min_width, min_height = _MOVIE_MIN_SIZE.get(codec, (1, 1))
        if self._layout.width < min_width or self._layout.height < min_height:
            raise InvalidInputError(
                f"{codec} needs frames of at least {min_width}x{min_height}; these are "
                f"{self._layout.width}x{self._layout.height}"
            )
        encoder, pixel_format, options = _MOVIE_ENCODERS[codec]
        self._container = av.open(self._path, "w", format="mov")
        self._stream = self._container.add_stream(encoder, rate=frame_rate)
        self._stream.pix_fmt = pixel_format
        self._stream.options = dict(options)
        if start_timecode:
            self._stream.metadata["timecode"] = start_timecode
        self._configure_stream()
        # HD and larger material is BT.709; smaller (SD) keeps the encoder's BT.601 default.
        self._colorspace = "ITU709" if self._layout.height >= 720 else None
        clip = read_audio(audio) if audio else None
        if clip is not None:
            # Written up front: audio is small, and the muxer interleaves it with the video.
            write_audio(self._container, clip)

    def _open_sequence(self, frame_rate: Fraction, first_index: int) -> None:
        encoder, pixel_format_8, pixel_format_16 = _SEQUENCE_ENCODERS[
            Path(self._target).suffix.lower()
        ]
        # An encoder without a muxer: FFmpeg's image2 muxer writes each frame straight to its
        # name (a full disk leaves a truncated image); each packet is one whole image file.
        self._stream = av.CodecContext.create(encoder, "w")
        self._stream.time_base = 1 / frame_rate
        self._stream.pix_fmt = pixel_format_8 if self._layout.bit_depth == 8 else pixel_format_16
        self._configure_stream()
        self._colorspace = None
        self._next_index = first_index
        self._frames_written: list[str] = []

    def _configure_stream(self) -> None:
        self._stream.width = self._layout.width
        self._stream.height = self._layout.height
        self._input_format = {
            (8, 1): "gray",
            (8, 3): "rgb24",
            (8, 4): "rgba",
            (16, 1): "gray16le",
            (16, 3): "rgb48le",
            (16, 4): "rgba64le",
        }[(self._layout.bit_depth, self._layout.channels)]

    def write(self, image: np.ndarray) -> None:
        """Appends one (H, W, C) top-down frame of the writer's layout."""
        if image.shape != self._layout.shape or image.dtype != self._layout.dtype:
            raise InvalidInputError(
                f"frame {image.dtype} {image.shape} does not match the output layout {self._layout}"
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format=self._input_format)
        if self._colorspace:
            frame = frame.reformat(format=self._stream.pix_fmt, dst_colorspace=self._colorspace)
        self._encode(frame)

    def _encode(self, frame: av.VideoFrame | None) -> None:
        """Encodes a frame (None flushes the encoder) into the movie, or into image files."""
        if self._sequence:
            for packet in self._stream.encode(frame):
                self._write_image(bytes(packet))
            return
        with output_errors(self._target):
            for packet in self._stream.encode(frame):
                self._container.mux(packet)

    def _write_image(self, image_file: bytes) -> None:
        """Writes the sequence's next frame whole or not at all; an error names that frame."""
        path = self._target % self._next_index
        with output_errors(path):
            write_atomically(path, image_file)
        self._frames_written.append(path)
        self._next_index += 1

    def close(self) -> None:
        """Flushes the encoder and publishes the output."""
        self._encode(None)
        if self._sequence:
            return
        with output_errors(self._target):
            self._container.close()
            os.replace(self._path, self._target)

    def abort(self) -> None:
        """Closes and deletes a partial movie, or the frames of a sequence written so far: a
        failed or cancelled run leaves nothing, so running it again starts afresh."""
        if self._sequence:
            for path in self._frames_written:
                Path(path).unlink(missing_ok=True)
            return
        try:
            # A full disk fails this close too; the error already raised is the one to report.
            with contextlib.suppress(OSError):
                self._container.close()
        finally:
            if os.path.exists(self._path):
                os.remove(self._path)

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.close()
        except BaseException:  # a full disk at the last flush leaves no partial movie either
            self.abort()
            raise


def check_output_name(target: str) -> None:
    """Raises InvalidInputError unless `target` is a .mov file or a PNG/EXR sequence pattern."""
    suffix = Path(target).suffix.lower()
    if is_sequence_pattern(target):
        if suffix not in _SEQUENCE_ENCODERS:
            raise InvalidInputError(
                f"image sequences can be {', '.join(_SEQUENCE_ENCODERS)}, not {suffix!r}"
            )
    elif suffix != ".mov":
        raise InvalidInputError(_not_a_movie(target))


def _not_a_movie(target: str) -> str:
    path = Path(target)
    if path.suffix.lower() in _SEQUENCE_ENCODERS:  # an image sequence without a frame number
        numbered = path.with_name(f"{path.stem}_%06d{path.suffix}")
        return f"{target} names one image; for an image sequence put %06d in it, as in {numbered}"
    return f"movie output must be a .mov file, got {target}"
