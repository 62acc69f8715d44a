"""Progress on every long step: plain lines where stderr is a log, a bar with the log lines
above it on a terminal, and keyframe restoration tile by tile."""

import fcntl
import logging
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import numpy as np
import pytest

from sparkvsr.cli import main
from sparkvsr.keyframes import RealESRGAN
from sparkvsr.progress import Throttle
from sparkvsr.specs import FrameLayout


def keyframe_args(clip):
    return [f"--keyframe={index}={path}" for index, path in clip.stills.items()]


def test_plain_progress_lines_when_stderr_is_not_a_terminal(clip, tmp_path, capsys):
    code = main(["upscale", str(clip.path), *keyframe_args(clip), "-o", str(tmp_path / "o.mov")])
    stderr = capsys.readouterr().err
    assert code == 0
    lines = [line for line in stderr.splitlines() if line.startswith("upscaling: ")]
    assert "\r" not in stderr  # no bar
    assert all(re.fullmatch(r"upscaling: \d+/24 frames \(\d+%\), \d+ s", line) for line in lines)
    assert lines[-1].startswith("upscaling: 24/24 frames (100%)")
    assert 2 <= len(lines) <= 12  # one per 10% (or 10 s), not one per frame


def test_no_progress_prints_no_progress(clip, tmp_path, capsys):
    args = ["upscale", str(clip.path), *keyframe_args(clip), "-o", str(tmp_path / "o.mov")]
    assert main([*args, "--no-progress"]) == 0
    assert "upscaling" not in capsys.readouterr().err


def run_on_a_terminal(command: list[str]) -> str:
    """What a 100-column terminal shows (stdout and stderr) while `command` runs."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(command, stdout=follower, stderr=follower, stdin=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, shown
    return shown.decode()


@pytest.mark.slow
def test_on_a_terminal_log_lines_do_not_land_on_the_bar(clip, tmp_path):
    shown = run_on_a_terminal(
        [sys.executable, "-m", "sparkvsr", "-v", "upscale", str(clip.path)]
        + keyframe_args(clip)
        + ["--keyframes", "auto:ends", "--provider", "local", "--model", "realesr-animevideov3-x4"]
        + ["--no-cache", "-o", str(tmp_path / "o.mov")]
    )
    assert "upscaling: 100%" in shown  # the bar
    starts = [match.start() for match in re.finditer("INFO ", shown)]
    assert starts  # keyframe choices are logged while the bar is up
    assert all(shown[start - 1] in "\r\n" for start in starts), shown


def test_keyframe_restoration_reports_its_tiles(caplog):
    provider = RealESRGAN("realesr-animevideov3-x4", tile=16, tile_pad=4)
    source = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    caplog.set_level(logging.INFO, logger="sparkvsr.keyframes")
    provider.provide(7, source, FrameLayout(192, 128, 3, 8))
    reports = [r.getMessage() for r in caplog.records if "tile" in r.getMessage()]
    assert reports[0].startswith("keyframe 7: realesr-animevideov3-x4 tile 1 of 6")
    assert reports[-1].startswith("keyframe 7: realesr-animevideov3-x4 tile 6 of 6")


def test_throttle_reports_per_step_or_interval():
    now = [0.0]
    throttle = Throttle(step=0.25, interval_s=5.0, clock=lambda: now[0])
    reported = []
    for done in range(1, 101):
        now[0] = done * 0.01 if done < 50 else 0.5 + (done - 50) * 1.0
        if throttle.due(done, 100):
            reported.append(done)
    # first, every 25% while fast, every 5 s once slow, and the last
    assert reported[:3] == [1, 26, 51] and reported[-1] == 100
    assert reported[3:-1] == list(range(56, 100, 5))
