"""Image sequences on a disk that fills: every frame whole or absent, the error names the frame,
and the same command run again afterwards just works."""

import errno
import io

import av
import pytest

import sparkvsr.atomic
from sparkvsr.cli import main


class DiskFullAfter:
    """Stands in for `open` in sparkvsr.atomic: the Nth file opened for writing gets half its
    bytes onto the disk, then ENOSPC, as a real full disk fails a write part way."""

    def __init__(self, files_that_fit: int):
        self.left = files_that_fit

    def __call__(self, path, mode="r", *args, **kwargs):
        file = open(path, mode, *args, **kwargs)
        if "r" in mode:
            return file
        self.left -= 1
        return file if self.left >= 0 else _HalfWrite(file)


class _HalfWrite(io.RawIOBase):
    def __init__(self, file):
        self._file = file

    def write(self, data) -> int:
        data = memoryview(data).cast("B")
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        self._file.close()
        super().close()


def upscale(clip, pattern):
    return ["upscale", str(clip.path), "--scale", "2", "-o", str(pattern), "--no-progress"]


@pytest.mark.parametrize("suffix", [".png", ".exr"])
def test_a_full_disk_leaves_no_partial_frame_and_a_rerun_succeeds(
    clip, tmp_path, capsys, monkeypatch, suffix
):
    frames = tmp_path / "frames"
    pattern = frames / f"%06d{suffix}"
    monkeypatch.setattr(sparkvsr.atomic, "open", DiskFullAfter(5), raising=False)

    code = main(upscale(clip, pattern))

    err = capsys.readouterr().err
    assert code == 2
    assert err == f"sparkvsr: error: cannot write {frames / f'000005{suffix}'}: " + (
        "No space left on device\n"
    )
    # Nothing half-written, and no frames of the failed run left to mix with the next one.
    assert list(frames.iterdir()) == []

    monkeypatch.undo()
    assert main(upscale(clip, pattern)) == 0  # no --overwrite needed
    written = sorted(frames.iterdir())
    assert [path.name for path in written] == [f"{index:06d}{suffix}" for index in range(24)]
    for path in written:
        with av.open(str(path)) as image:
            (frame,) = image.decode(video=0)
            assert (frame.width, frame.height) == (96, 64)
