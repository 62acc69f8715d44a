from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
from helpers import write_movie

from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.media import FrameWriter, probe_video, read_frames, read_still, write_still
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


def numbered_frames(count, size=(64, 48)):
    """Frames whose content says their index, so a wrong frame cannot pass."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return np.stack([np.roll(base, 3 * i, axis=1) for i in range(count)])


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
    with pytest.raises(InvalidInputError, match="cannot read .*junk.mov as video"):
        probe_video(str(junk))


def test_stills_are_converted_to_the_layout_channels_and_depth(tmp_path):
    grey = np.arange(48 * 64, dtype=np.uint16).reshape(48, 64, 1) * 20
    write_still(str(tmp_path / "g.png"), grey)
    rgb8 = read_still(str(tmp_path / "g.png"), FrameLayout(64, 48, 3, 8))
    assert rgb8.shape == (48, 64, 3) and rgb8.dtype == np.uint8
    np.testing.assert_array_equal(rgb8[..., 0], (grey[..., 0] >> 8).astype(np.uint8))
    with pytest.raises(InvalidInputError, match=r"is 64x48; it must be 128x96"):
        read_still(str(tmp_path / "g.png"), FrameLayout(128, 96))
