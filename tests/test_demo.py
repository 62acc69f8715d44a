import re

from sparkvsr.cli import main
from sparkvsr.media import probe_video


def test_demo_writes_its_files_and_beats_bicubic(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--frames", "16", "--keyframe-every", "8"]) == 0
    stdout = capsys.readouterr().out
    for name in ("source.mov", "upscaled.mov", "comparison.png", "keyframe_000008.png"):
        assert (tmp_path / name).stat().st_size > 0, name
        assert str(tmp_path / name) in stdout or name.startswith("keyframe")
    assert probe_video(str(tmp_path / "upscaled.mov")).frame_count == 16
    flow, bicubic = map(float, re.search(r"flow ([\d.]+) dB, bicubic ([\d.]+) dB", stdout).groups())
    assert flow > bicubic + 1.0


def test_demo_progress_in_a_log_is_plain_lines(tmp_path, capsys):
    """stderr is not a terminal here (a log, a pipe): lines, no bar redrawn by carriage returns."""
    assert main(["demo", "-o", str(tmp_path), "--frames", "6", "--keyframe-every", "5"]) == 0
    stderr = capsys.readouterr().err
    assert "\r" not in stderr and "it/s" not in stderr and "frame/s" not in stderr
    lines = stderr.splitlines()
    assert lines[0].startswith("upscaling: ") and lines[-1].startswith("upscaling: 6/6 frames")
