"""A damaged keyframe PNG is one line, ours: checked before libpng reads it (libpng would print
its own line to stderr first)."""

import pytest
from helpers import make_clip

from sparkvsr.cli import main
from sparkvsr.errors import InvalidInputError
from sparkvsr.media import read_still


def damaged(path, how: str):
    data = bytearray(path.read_bytes())
    if how == "cut short":
        data = data[: len(data) // 2]
    else:  # one flipped byte inside the image data
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "how, says", [("cut short", "the file is cut short"), ("flipped", "chunk is damaged")]
)
def test_a_damaged_png_is_refused_with_our_line_alone(tmp_path, capfd, how, says):
    clip = make_clip(tmp_path, frame_count=12, keyframes=(0,))
    still = damaged(clip.stills[0], how)
    with pytest.raises(InvalidInputError, match=says):
        read_still(str(still), None)
    assert capfd.readouterr().err == ""  # nothing from libpng or OpenCV

    code = main(["upscale", str(clip.path), "-o", str(tmp_path / "out.mov"),
                 f"--keyframe=0={still}", "--no-progress"])  # fmt: skip
    err = capfd.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"cannot read {still}: {says}" in err or (says in err and str(still) in err)
