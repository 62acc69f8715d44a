"""Media I/O on PyAV: exact-range decoding and mezzanine encoding."""

from sparkvsr.media._audio import AudioSpan, read_audio
from sparkvsr.media._names import SEQUENCE_PADDING, media_output_name, output_target
from sparkvsr.media._outputs import check_output, is_sequence_pattern, output_errors
from sparkvsr.media._reader import VideoInfo, probe_video, read_frames
from sparkvsr.media._stills import read_still, write_still
from sparkvsr.media._writer import MOVIE_CODECS, FrameWriter, MovieCodec, check_output_name

__all__ = [
    "MOVIE_CODECS",
    "SEQUENCE_PADDING",
    "AudioSpan",
    "FrameWriter",
    "MovieCodec",
    "VideoInfo",
    "check_output",
    "check_output_name",
    "is_sequence_pattern",
    "media_output_name",
    "output_errors",
    "output_target",
    "probe_video",
    "read_audio",
    "read_frames",
    "read_still",
    "write_still",
]
