"""`sparkvsr upscale`, `info` and `serve` as a user runs them."""

import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from sparkvsr.cli import main
from sparkvsr.client import Client
from sparkvsr.media import probe_video, read_still, write_still
from sparkvsr.specs import FrameLayout


def keyframe_args(clip):
    return [arg for k, path in clip.stills.items() for arg in ("--keyframe", f"{k}={path}")]


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_upscale_writes_a_playable_prores_movie_with_the_source_timing(clip, tmp_path, capsys):
    out = tmp_path / "out.mov"
    code, stdout, _ = run_cli(
        ["upscale", str(clip.path), "--scale", "4", *keyframe_args(clip), "-o", str(out)], capsys
    )
    assert code == 0 and f"wrote 24 frames (192x128, engine flow, in process) to {out}" in stdout
    info = probe_video(str(out))
    source = probe_video(str(clip.path))
    assert (info.width, info.height, info.frame_count) == (192, 128, 24)
    assert info.frame_rate == source.frame_rate and info.start_timecode == "01:00:00:00"
    assert info.codec == "prores"


def test_upscale_to_a_png_sequence_numbers_frames_by_source_index(clip, tmp_path, capsys):
    pattern = tmp_path / "seq" / "%06d.png"
    args = ["upscale", str(clip.path), "--keyframe", f"12={clip.stills[12]}", "--frames", "4:16"]
    code, _, _ = run_cli([*args, "-o", str(pattern)], capsys)
    assert code == 0
    names = sorted(p.name for p in pattern.parent.iterdir())
    assert names == [f"{i:06d}.png" for i in range(4, 16)]
    # Frame 12 is the keyframe: the output there is its still.
    twelve = read_still(str(pattern) % 12, FrameLayout(192, 128, 3, 16)) / 257.0
    assert np.abs(twelve - clip.truth[12]).mean() < 1.5


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--engine", "magic"], "unknown engine 'magic'; choose one of: flow, sparkvsr"),
        (["--keyframe", "99=KEY"], "keyframe 99 (KEY) is out of range: upscaling frames 0..23"),
        (["--keyframe", "3=SMALL"], "keyframe 3: SMALL is 48x32; it must be 192x128"),
        (["--keyframe", "5=KEY"], "keyframe 5: its still KEY does not exist"),
        (
            ["--engine", "sparkvsr", "--keyframe", "0=HR0", "--keyframe", "2=HR0"],
            "keyframes 0 and 2 are 2 frames apart; engine 'sparkvsr' needs at least 4",
        ),
        (["--engine", "sparkvsr"], "engine 'sparkvsr' is not available"),
        (["--scale", "5"], "engine 'flow' supports scale 2, 3, 4, not 5"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(clip, tmp_path, capsys, extra, message):
    small = tmp_path / "small.png"
    write_still(str(small), clip.low[3])  # the source frame itself, not 4x it
    names = {"SMALL": str(small), "KEY": str(tmp_path / "missing.png"), "HR0": str(clip.stills[0])}

    def fill(text):
        for placeholder, value in names.items():
            text = text.replace(placeholder, value)
        return text

    code, _, stderr = run_cli(
        ["upscale", str(clip.path), *map(fill, extra), "-o", str(tmp_path / "o.mov")], capsys
    )
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sparkvsr: error: ")
    assert fill(message) in lines[0]
    assert not (tmp_path / "o.mov").exists()


@pytest.mark.parametrize(
    "source, message",
    [("missing.mov", "no such file"), ("junk.mov", "is not a video file FFmpeg can read")],
)
def test_missing_or_unreadable_input(tmp_path, capsys, source, message):
    (tmp_path / "junk.mov").write_bytes(b"\x00" * 1000)
    code, _, stderr = run_cli(
        ["upscale", str(tmp_path / source), "-o", str(tmp_path / "o.mov")], capsys
    )
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1


def test_info_lists_engines_and_devices(capsys):
    code, stdout, _ = run_cli(["info"], capsys)
    assert code == 0
    assert "flow" in stdout and "[available]" in stdout and "cpu" in stdout
    assert "keyframes >= 4 apart" in stdout  # the sparkvsr engine's rule


@pytest.fixture
def served(tmp_path):
    """`sparkvsr serve` in its own process, as a user starts it."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "sparkvsr", "serve", "--port", str(port), "--gateway-port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # loading engines on a busy 2-core machine
    while True:
        try:
            with Client(address) as client:
                client.server_info(timeout_s=1)
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"server did not start: {process.stderr.read()}") from None
            time.sleep(0.1)
    yield address, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


def test_upscale_over_the_server_gives_the_same_frames(clip, tmp_path, capsys, served):
    address, process = served
    local, remote = tmp_path / "local" / "%04d.png", tmp_path / "remote" / "%04d.png"
    assert (
        run_cli(["upscale", str(clip.path), *keyframe_args(clip), "-o", str(local)], capsys)[0] == 0
    )
    code, stdout, _ = run_cli(
        ["upscale", str(clip.path), *keyframe_args(clip), "--server", address, "-o", str(remote)],
        capsys,
    )
    assert code == 0 and f"on {address}" in stdout
    layout = FrameLayout(192, 128, 3, 16)
    for index in range(24):
        np.testing.assert_array_equal(
            read_still(str(local) % index, layout), read_still(str(remote) % index, layout)
        )
    code, stdout, _ = run_cli(["info", "--server", address], capsys)
    assert code == 0 and f"server {address}" in stdout and "limits:" in stdout
    process.terminate()  # SIGTERM: graceful shutdown
    assert process.wait(timeout=30) == 0
    assert "shutting down" in process.stderr.read()


def test_an_offline_server_is_one_clear_line(clip, tmp_path, capsys):
    code, _, stderr = run_cli(
        ["upscale", str(clip.path), "--server", "127.0.0.1:9", "-o", str(tmp_path / "o.mov")],
        capsys,
    )
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.mov").exists()


def test_serve_refuses_a_public_address_without_a_token(capsys):
    code, _, stderr = run_cli(["serve", "--host", "0.0.0.0", "--port", "0"], capsys)
    assert code == 2 and "refusing to listen on 0.0.0.0" in stderr


def test_console_script_reports_errors_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sparkvsr", "upscale", str(tmp_path / "nope.mov"), "-o", "x.mov"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"sparkvsr: error: no such file: {tmp_path / 'nope.mov'}"


def test_a_range_keeps_its_place_in_time(clip, tmp_path, capsys):
    out = tmp_path / "range.mov"
    code, _, _ = run_cli(["upscale", str(clip.path), "--frames", "5:9", "-o", str(out)], capsys)
    assert code == 0
    info = probe_video(str(out))
    assert info.frame_count == 4 and info.start_timecode == "01:00:00:05"
