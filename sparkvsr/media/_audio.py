"""The audio under a range of video frames: cut sample-exactly and carried as PCM."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from sparkvsr.specs import FrameRange

_SAMPLES_PER_PACKET = 4096


@dataclass(frozen=True)
class AudioSpan:
    """The audio playing under video frames [start, stop) of a file."""

    path: str
    frames: FrameRange
    frame_rate: Fraction
    """The video's exact frame rate: frame k starts k / frame_rate after the first frame."""


@dataclass(frozen=True)
class AudioClip:
    """Interleaved PCM samples with what is needed to encode them."""

    samples: np.ndarray
    """(1, samples * channels) int16 or int32, interleaved, as PyAV's packed formats hold them."""
    sample_rate: int
    layout: str
    """Channel layout name ("stereo", "5.1", ...)."""

    @property
    def sample_format(self) -> str:
        return "s16" if self.samples.dtype == np.int16 else "s32"

    @property
    def codec(self) -> str:
        # 24-bit PCM keeps everything a deeper source has; 16-bit sources stay 16-bit.
        return "pcm_s16le" if self.samples.dtype == np.int16 else "pcm_s24le"


def read_audio(span: AudioSpan) -> AudioClip | None:
    """The first audio stream's samples under `span`'s frames, or None if the file has no audio.

    Times follow the container: video frame k of the span plays at the video stream's start time
    plus k / frame_rate, and the audio sample playing then is where the cut starts.
    """
    with av.open(span.path) as container:
        if not container.streams.audio:
            return None
        audio = container.streams.audio[0]
        video = container.streams.video[0]
        rate = audio.rate
        video_origin = (video.start_time or 0) * video.time_base
        first = round((video_origin + span.frames.start / span.frame_rate) * rate)
        last = round((video_origin + span.frames.stop / span.frame_rate) * rate)
        deep = audio.format.bits > 16
        resampler = av.AudioResampler(
            format="s32" if deep else "s16", layout=audio.layout.name, rate=rate
        )
        channels = len(audio.layout.channels)
        pieces, position = [], None
        for frame in container.decode(audio):
            if position is None:
                position = round((frame.pts or 0) * frame.time_base * rate)
            for converted in resampler.resample(frame):
                samples = converted.to_ndarray().reshape(-1, channels)
                start, stop = max(first - position, 0), min(last - position, len(samples))
                if stop > start:
                    pieces.append(samples[start:stop])
                position += len(samples)
            if position >= last:
                break
        dtype = np.int32 if deep else np.int16
        joined = np.concatenate(pieces) if pieces else np.zeros((0, channels), dtype)
        # A source whose audio ends early is padded with silence: the output keeps sync.
        missing = (last - first) - len(joined)
        if missing > 0:
            joined = np.concatenate([joined, np.zeros((missing, channels), dtype)])
        return AudioClip(joined.reshape(1, -1), rate, audio.layout.name)


def write_audio(container: av.container.OutputContainer, clip: AudioClip) -> None:
    """Adds an audio stream to `container` and encodes and muxes the whole clip into it."""
    stream = container.add_stream(clip.codec, rate=clip.sample_rate)
    stream.layout = clip.layout
    stream.format = clip.sample_format
    channels = len(stream.layout.channels)
    samples = clip.samples.reshape(-1, channels)
    for start in range(0, len(samples), _SAMPLES_PER_PACKET):
        piece = samples[start : start + _SAMPLES_PER_PACKET]
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(piece.reshape(1, -1)),
            format=clip.sample_format,
            layout=clip.layout,
        )
        frame.sample_rate = clip.sample_rate
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
