"""Keyframes from the command line: restore to stills, and upscale with picked keyframes."""

import logging

from sparkvsr.cli import main
from sparkvsr.media import probe_video, read_still
from sparkvsr.specs import FrameLayout


def test_restore_writes_stills_of_the_target_size(clip, tmp_path, capsys):
    out = tmp_path / "stills"
    args = [
        "keyframes",
        "restore",
        str(clip.path),
        "--at",
        "0,12",
        "--provider",
        "local",
        "--cache-dir",
        str(tmp_path / "cache"),
        "-o",
        str(out),
    ]
    assert main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["clip_000000.png", "clip_000012.png"]
    assert read_still(str(out / names[1]), FrameLayout(192, 128, 3, 16)).shape == (128, 192, 3)
    assert main(args) == 0  # the second time every keyframe comes from the cache
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 2


def test_restore_rejects_frames_past_the_end(clip, tmp_path, capsys):
    code = main(["keyframes", "restore", str(clip.path), "--at", "3,99", "-o", str(tmp_path)])
    assert code == 2 and "frames [99] are past the video's 24 frames" in capsys.readouterr().err


def test_upscale_with_picked_and_restored_keyframes(clip, tmp_path, capsys, caplog):
    caplog.set_level(logging.INFO)
    out = tmp_path / "out.mov"
    code = main(
        [
            "upscale",
            str(clip.path),
            "--keyframes",
            "auto:uniform:12",
            "--keyframe",
            f"12={clip.stills[12]}",
            "--provider",
            "local",
            "--cache-dir",
            str(tmp_path / "cache"),
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert probe_video(str(out)).frame_count == 24
    assert "keyframe 0: every 12 frames" in caplog.text and "keyframe 12: explicit" in caplog.text
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 1  # frame 12 had a still


def test_a_keyframe_folder_and_a_missing_provider(clip, tmp_path, capsys):
    code = main(
        [
            "upscale",
            str(clip.path),
            "--keyframe-dir",
            str(clip.path.parent),
            "-o",
            str(tmp_path / "a.mov"),
        ]
    )
    assert code == 0  # hr_0000.png and hr_0012.png are found by their numbers
    code = main(
        ["upscale", str(clip.path), "--keyframes", "auto:ends", "-o", str(tmp_path / "b.mov")]
    )
    assert code == 2
    assert (
        "keyframe 0 has no still; give one, or restore it with --provider"
        in capsys.readouterr().err
    )
