"""`sparkvsr timeline upscale` where its outputs cannot be written: one line naming the path."""

import os
from fractions import Fraction

import pytest
from edits import edit, media, media_clip

from sparkvsr.cli import main
from sparkvsr.timeline import write_timeline

RATE = Fraction(25)


def one_clip_edit(tmp_path):
    path = media(tmp_path, "A001", 12, RATE)
    edit_path = tmp_path / "cut.otio"
    write_timeline(
        edit(RATE, [media_clip("A001", path, RATE, 0, 12, media_frames=12)]), str(edit_path)
    )
    return edit_path


def run_cli(args, capsys):
    code = main(["timeline", "upscale", *map(str, args), "--scale", "2", "--no-progress"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_naming(err: str, path) -> None:
    assert err.startswith(f"sparkvsr: error: cannot write {path}: "), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_output_folder_that_cannot_be_made_is_refused_before_any_clip(tmp_path, capsys):
    edit_path = one_clip_edit(tmp_path)
    (tmp_path / "afile").write_text("a file where the folder should be")
    out = tmp_path / "afile" / "out"
    code, stdout, err = run_cli([edit_path, "-o", out], capsys)
    assert code == 2 and stdout == ""
    assert_one_line_naming(err, out / "cut.sparkvsr.otio")


def test_an_edit_output_that_cannot_be_written_is_refused_before_any_clip(tmp_path, capsys):
    edit_path = one_clip_edit(tmp_path)
    (tmp_path / "afile").write_text("a file where the folder should be")
    otio_out = tmp_path / "afile" / "cut.otio"
    code, _, err = run_cli([edit_path, "-o", tmp_path / "out", "--otio-out", otio_out], capsys)
    assert code == 2
    assert_one_line_naming(err, otio_out)
    assert not any((tmp_path / "out").glob("*.mov"))  # no clip ran


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line_naming_the_path(tmp_path, capsys):
    edit_path = one_clip_edit(tmp_path)
    out = tmp_path / "locked"
    out.mkdir(mode=0o555)
    code, _, err = run_cli([edit_path, "-o", out], capsys)
    assert code == 2
    assert_one_line_naming(err, out / "cut.sparkvsr.otio")


def test_an_edit_that_fails_to_write_after_the_clips_is_one_line(tmp_path, capsys, monkeypatch):
    edit_path = one_clip_edit(tmp_path)
    out = tmp_path / "out"
    real_replace = os.replace

    def full_disk_for_the_edit(source, target):
        if str(target).endswith(".sparkvsr.otio"):
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", full_disk_for_the_edit)
    code, stdout, err = run_cli([edit_path, "-o", out], capsys)
    assert code == 2
    assert "1 of 1 clips upscaled" in stdout  # the table came first
    assert_one_line_naming(err, out / "cut.sparkvsr.otio")
    assert "No space left on device" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "A001_sparkvsr_x2_0-11.mov",
        "A001_sparkvsr_x2_0-11.sparkvsr.json",
    ]  # no partial edit left
