from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
from helpers import numbered_frames, write_movie, write_movie_with_audio

from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.media import AudioSpan, FrameWriter, probe_video, read_frames, read_still, write_still
from sparkvsr.specs import FrameLayout, FrameRange


def write_h264(path, frames, rate=Fraction(24000, 1001), gop=10):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"crf": "12", "bf": "2"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_range_decode_matches_full_decode_across_gops(tmp_path):
    path = write_h264(tmp_path / "gop.mp4", numbered_frames(60))
    full = list(read_frames(str(path)))
    assert len(full) == 60
    for start, stop in [(0, 5), (13, 27), (29, 31), (50, 60)]:
        part = list(read_frames(str(path), FrameRange(start, stop)))
        assert len(part) == stop - start
        for got, want in zip(part, full[start:stop]):
            np.testing.assert_array_equal(got, want)


def test_probe_reads_count_rate_timecode_and_depth(tmp_path):
    path = write_movie(
        tmp_path / "a.mov", numbered_frames(7), Fraction(24000, 1001), start_timecode="01:00:10:00"
    )
    info = probe_video(str(path))
    assert (info.width, info.height, info.frame_count) == (64, 48, 7)
    assert info.frame_rate == Fraction(24000, 1001)
    assert info.start_timecode == "01:00:10:00"
    assert info.bit_depth == 16  # ProRes is 10-bit, decoded to 16
    assert not info.has_audio


def test_prores_hq_is_the_default_and_close_to_the_input(tmp_path):
    frames = np.stack([cv2.GaussianBlur(f, (0, 0), 2) for f in numbered_frames(3)])
    path = write_movie(tmp_path / "hq.mov", frames, codec="prores_hq")
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.profile == "HQ"
    decoded = [np.rint(f / 257.0) for f in read_frames(str(path))]
    assert np.abs(decoded[1] - frames[1]).mean() < 2


def test_png_sequence_is_numbered_from_the_first_frame_and_lossless(tmp_path):
    frames = numbered_frames(3)
    pattern = str(tmp_path / "seq" / "%06d.png")
    with FrameWriter(pattern, FrameLayout.of(frames[0]), Fraction(25), first_index=12) as writer:
        for frame in frames:
            writer.write(frame)
    assert sorted(p.name for p in (tmp_path / "seq").iterdir()) == [
        "000012.png",
        "000013.png",
        "000014.png",
    ]
    still = read_still(str(tmp_path / "seq" / "000013.png"), FrameLayout(64, 48))
    np.testing.assert_array_equal(still, frames[1])


def test_exr_sequence_is_written(tmp_path):
    frames = numbered_frames(2).astype(np.uint16) * 257
    pattern = str(tmp_path / "%04d.exr")
    with FrameWriter(pattern, FrameLayout.of(frames[0]), Fraction(24)) as writer:
        for frame in frames:
            writer.write(frame)
    assert (tmp_path / "0000.exr").stat().st_size > 0 and (tmp_path / "0001.exr").exists()


def test_a_failed_write_leaves_no_partial_movie(tmp_path):
    target = tmp_path / "out.mov"
    with pytest.raises(RuntimeError):
        with FrameWriter(str(target), FrameLayout(64, 48), Fraction(24)) as writer:
            writer.write(numbered_frames(1)[0])
            raise RuntimeError("engine died")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_not_overwritten_unless_asked(tmp_path):
    target = tmp_path / "out.mov"
    target.write_bytes(b"precious")
    with pytest.raises(InvalidInputError, match="exists; pass --overwrite"):
        FrameWriter(str(target), FrameLayout(64, 48), Fraction(24))
    assert target.read_bytes() == b"precious"


def test_unreadable_and_missing_files_get_clear_errors(tmp_path):
    with pytest.raises(NotFoundError, match="no such file"):
        probe_video(str(tmp_path / "nope.mov"))
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"not a video at all" * 10)
    with pytest.raises(InvalidInputError, match="junk.mov is not a video file FFmpeg can read"):
        probe_video(str(junk))


def test_stills_are_converted_to_the_layout_channels_and_depth(tmp_path):
    grey = np.arange(48 * 64, dtype=np.uint16).reshape(48, 64, 1) * 20
    write_still(str(tmp_path / "g.png"), grey)
    rgb8 = read_still(str(tmp_path / "g.png"), FrameLayout(64, 48, 3, 8))
    assert rgb8.shape == (48, 64, 3) and rgb8.dtype == np.uint8
    np.testing.assert_array_equal(rgb8[..., 0], (grey[..., 0] >> 8).astype(np.uint8))
    with pytest.raises(InvalidInputError, match=r"is 64x48; it must be 128x96"):
        read_still(str(tmp_path / "g.png"), FrameLayout(128, 96))


def test_audio_under_a_frame_range_is_cut_sample_exactly(tmp_path):
    rate = Fraction(24000, 1001)
    source = tmp_path / "with_audio.mov"
    left = write_movie_with_audio(source, numbered_frames(48), rate)
    frames = FrameRange(10, 30)
    out = tmp_path / "cut.mov"
    write_movie(out, numbered_frames(20), rate, audio=AudioSpan(str(source), frames, rate))
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "pcm_s16le"
        got = np.concatenate([f.to_ndarray().reshape(-1, 2) for f in container.decode(audio=0)])
    first, last = round(10 / rate * 48000), round(30 / rate * 48000)
    assert len(got) == last - first  # exactly the 20 frames' duration
    np.testing.assert_array_equal(got[:, 0], left[first:last])
    assert probe_video(str(out)).has_audio


def test_dnxhr_hqx_movies_are_written_and_too_small_frames_explained(tmp_path):
    path = write_movie(tmp_path / "dnx.mov", numbered_frames(3, (256, 144)), codec="dnxhr_hqx")
    info = probe_video(str(path))
    assert (info.codec, info.frame_count, info.bit_depth) == ("dnxhd", 3, 16)
    with pytest.raises(InvalidInputError, match="dnxhr_hqx needs frames of at least 256x120"):
        write_movie(tmp_path / "small.mov", numbered_frames(3), codec="dnxhr_hqx")
    assert not list(tmp_path.glob("*small*"))
