"""Decoding on PyAV: probe a video and decode an exact frame range as RGB arrays."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.specs import FrameLayout, FrameRange


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as far as upscaling cares."""

    path: str
    width: int
    height: int
    frame_count: int
    frame_rate: Fraction
    """Exact rational rate (24000/1001, never 23.976)."""
    bit_depth: int
    """8, or 16 for sources with more than 8 bits per sample (decoded to 16 bits)."""
    codec: str
    start_timecode: str | None
    """The container's start timecode (for example "01:00:00:00"), when it has one."""
    has_audio: bool

    @property
    def layout(self) -> FrameLayout:
        return FrameLayout(self.width, self.height, 3, self.bit_depth)


def _open(path: str) -> av.container.InputContainer:
    if not os.path.exists(path):
        raise NotFoundError(f"no such file: {path}")
    try:
        container = av.open(path)
    except av.FFmpegError as error:
        # FFmpeg's own words, without the errno and path it prefixes them with.
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidInputError(f"{path} is not a video file FFmpeg can read ({reason})") from None
    if not container.streams.video:
        container.close()
        raise InvalidInputError(f"{path} has no video stream")
    return container


def probe_video(path: str) -> VideoInfo:
    """Reads a video's size, exact frame count, rate, depth and timecode without decoding it.

    Raises:
        NotFoundError: the file does not exist.
        InvalidInputError: the file is not a readable video.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        if not rate:
            raise InvalidInputError(f"{path}: the video stream has no frame rate")
        frame_count = stream.frames or _count_packets(container, stream)
        if frame_count <= 0:
            raise InvalidInputError(f"{path}: the video stream has no frames")
        pix_fmt = stream.codec_context.format
        deep = pix_fmt is not None and pix_fmt.components[0].bits > 8
        timecode = stream.metadata.get("timecode") or container.metadata.get("timecode")
        return VideoInfo(
            path=path,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            frame_count=frame_count,
            frame_rate=Fraction(rate),
            bit_depth=16 if deep else 8,
            codec=stream.codec_context.name,
            start_timecode=timecode,
            has_audio=bool(container.streams.audio),
        )


def _count_packets(container: av.container.InputContainer, stream: av.video.VideoStream) -> int:
    # Containers without a frame count in their header: count packets, which needs no decoding.
    count = sum(1 for packet in container.demux(stream) if packet.size)
    container.seek(0)
    return count


def read_frames(path: str, frames: FrameRange | None = None) -> Iterator[np.ndarray]:
    """Decodes frames [start, stop) exactly, seeking to the nearest earlier keyframe first.

    Yields (H, W, 3) uint8 arrays, or uint16 for sources deeper than 8 bits; top-down RGB.
    """
    info = probe_video(path)
    wanted = frames or FrameRange(0, info.frame_count)
    if wanted.stop > info.frame_count:
        raise InvalidInputError(
            f"{path} has {info.frame_count} frames; frames {wanted.start}..{wanted.stop - 1} "
            "were asked for"
        )
    pixel_format = "rgb48le" if info.bit_depth == 16 else "rgb24"
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        origin = stream.start_time or 0
        ticks_per_frame = 1 / (stream.time_base * info.frame_rate)
        if wanted.start > 0:
            container.seek(
                origin + int(wanted.start * ticks_per_frame), stream=stream, backward=True
            )
        expected = wanted.start
        for frame in container.decode(stream):
            index = (
                round((frame.pts - origin) / ticks_per_frame) if frame.pts is not None else expected
            )
            if index < wanted.start:
                continue
            if index >= wanted.stop:
                break
            if index != expected:
                raise InvalidInputError(
                    f"{path}: frame {expected} is missing from the stream (found {index} next); "
                    "variable frame rate sources are not supported"
                )
            yield frame.to_ndarray(format=pixel_format)
            expected += 1
        if expected < wanted.stop:
            raise InvalidInputError(
                f"{path}: decoding stopped at frame {expected} of {wanted.stop}"
            )
