"""Whether the sparkvsr engine can run here, and `sparkvsr models pull`, without the network."""

from pathlib import Path

import pytest

from sparkvsr.cli import main
from sparkvsr.engines import engine_entry, load_engine
from sparkvsr.errors import EngineUnavailableError


def test_without_weights_the_engine_says_how_to_get_them(monkeypatch):
    monkeypatch.delenv("SPARKVSR_WEIGHTS", raising=False)
    assert "set SPARKVSR_WEIGHTS" in engine_entry("sparkvsr").unavailable_reason()
    with pytest.raises(EngineUnavailableError, match="sparkvsr models pull"):
        load_engine("sparkvsr")


def test_an_incomplete_folder_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("SPARKVSR_WEIGHTS", str(tmp_path))
    reason = engine_entry("sparkvsr").unavailable_reason()
    assert "transformer/config.json" in reason and "scheduler/scheduler_config.json" in reason


def test_a_complete_folder_makes_the_engine_available(monkeypatch, checkpoint):
    monkeypatch.setenv("SPARKVSR_WEIGHTS", str(checkpoint))
    assert engine_entry("sparkvsr").unavailable_reason() is None


def test_pull_downloads_with_huggingface_hub(monkeypatch, tmp_path, capsys, checkpoint):
    # The Hub cannot be reached from here; the download call itself is what is replaced.
    calls = []

    def snapshot_download(repo_id, local_dir):
        calls.append((repo_id, local_dir))
        return str(checkpoint)

    monkeypatch.setattr("huggingface_hub.snapshot_download", snapshot_download)
    assert main(["models", "pull", "--dir", str(tmp_path / "w")]) == 0
    assert calls == [("JiongzeYu/SparkVSR", str(tmp_path / "w"))]
    assert f"export SPARKVSR_WEIGHTS={Path(checkpoint)}" in capsys.readouterr().out


def test_the_command_line_runs_the_engine_from_its_weights_folder(
    monkeypatch, checkpoint, tmp_path, capsys
):
    from helpers import make_clip

    clip = make_clip(tmp_path, frame_count=10, size=(64, 48), keyframes=(0,))
    monkeypatch.setenv("SPARKVSR_WEIGHTS", str(checkpoint))
    monkeypatch.setenv("SPARKVSR_DEVICE", "cpu")
    monkeypatch.setenv("SPARKVSR_DTYPE", "float32")
    out = tmp_path / "out" / "%04d.png"
    args = [
        "upscale",
        str(clip.path),
        "--engine",
        "sparkvsr",
        "--keyframe",
        f"0={clip.stills[0]}",
        "-o",
        str(out),
    ]
    assert main(args) == 0, capsys.readouterr().err
    assert len(list(out.parent.iterdir())) == 10
