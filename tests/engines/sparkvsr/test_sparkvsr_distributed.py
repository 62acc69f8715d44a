"""The tiny random SparkVSR model gives the same bytes in process, on a server of three workers
and from an OpenJD run of a farm bundle: windows are pure functions of their inputs and seeds."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import make_clip

from sparkvsr.cli import main
from sparkvsr.media import read_frames
from sparkvsr_server import BackgroundServer, ServerConfig
from sparkvsr_server._app import available_engines

# 23 frames in windows of 9 overlapping by 2 (starts 0, 7, 14); keyframes 0 and 10 leave the
# last window without one, so it carries the one before it: chains (0) and (1, 2).
WINDOWS = ["--engine", "sparkvsr", "--chunk-length", "9", "--chunk-overlap", "2"]


@pytest.fixture
def tiny_weights(checkpoint, monkeypatch):
    for name, value in (
        ("SPARKVSR_WEIGHTS", str(checkpoint)),
        ("SPARKVSR_DEVICE", "cpu"),
        ("SPARKVSR_DTYPE", "float32"),
    ):
        monkeypatch.setenv(name, value)
    return checkpoint


def frames(path: Path) -> list[np.ndarray]:
    return list(read_frames(str(path)))


@pytest.mark.slow
def test_in_process_three_workers_and_openjd_give_the_same_bytes(tmp_path, tiny_weights, capsys):
    clip = make_clip(tmp_path, frame_count=23, size=(64, 48), keyframes=(0, 10))
    keys = [arg for i, s in clip.stills.items() for arg in ("--keyframe", f"{i}={s}")]
    job = [str(clip.path), *WINDOWS, *keys, "--no-progress"]
    assert main(["upscale", *job, "-o", str(tmp_path / "local.mov")]) == 0

    server = BackgroundServer(ServerConfig(port=0, workers=3), available_engines())
    try:
        remote = ["upscale", *job, "--server", server.address, "-o", str(tmp_path / "remote.mov")]
        assert main(remote) == 0
    finally:
        server.stop()

    farmed, bundle = tmp_path / "farmed.mov", tmp_path / "bundle"
    farm = ["farm", "bundle", str(clip.path), "-o", str(farmed), "--bundle-dir", str(bundle)]
    capsys.readouterr()
    assert main([*farm, "--windows-per-task", "2", *WINDOWS, *keys]) == 0
    (printed,) = [
        line.removeprefix("without a farm: ")
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("without a farm: ")
    ]
    done = subprocess.run(
        shlex.split(printed), capture_output=True, text=True, timeout=300, env=os.environ
    )
    assert done.returncode == 0, done.stdout[-3000:]

    local = frames(tmp_path / "local.mov")
    assert len(local) == 23
    for other in (tmp_path / "remote.mov", farmed):
        assert all(np.array_equal(a, b) for a, b in zip(local, frames(other))), other
