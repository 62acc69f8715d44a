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
