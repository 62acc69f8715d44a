"""What the command says when a new user gets something wrong, and what its help says."""

import argparse
import logging

import pytest

from sparkvsr.cli import build_parser, main


def run_cli(args, capsys):
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(code, stderr) -> str:
    assert code == 2 and len(stderr.strip().splitlines()) == 1, stderr
    return stderr.strip()


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ("uniform", "keyframe strategy 'uniform': write it as uniform:N (for example uniform:32)"),
        ("random:3", "keyframe strategy 'random:3': write it as random:N:SEED"),
        ("scenes:lots", "keyframe strategy 'scenes:lots': write it as scenes[:THRESHOLD]"),
        ("bogus", "unknown keyframe strategy 'bogus'; choose one of: iframes, scenes[:THRESHOLD]"),
    ],
)
def test_a_strategy_without_its_parameters_says_its_form(clip, capsys, strategy, message):
    code, _, stderr = run_cli(["keyframes", "suggest", clip.path, "--strategy", strategy], capsys)
    assert message in one_error_line(code, stderr)


def test_a_file_that_is_not_a_video_says_so(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    code, _, stderr = run_cli(["upscale", notes, "-o", tmp_path / "o.mov"], capsys)
    assert one_error_line(code, stderr) == (
        f"sparkvsr: error: {notes} is not a video file FFmpeg can read "
        "(Invalid data found when processing input)"
    )


def test_one_image_as_output_hints_at_a_numbered_sequence(clip, tmp_path, capsys):
    code, _, stderr = run_cli(["upscale", clip.path, "-o", tmp_path / "frames.png"], capsys)
    assert one_error_line(code, stderr).endswith(
        f"for an image sequence put %06d in it, as in {tmp_path / 'frames_%06d.png'}"
    )


def test_keyframe_every_chunk_adds_keyframes_to_chunks_without_one(clip, tmp_path, capsys, caplog):
    stills = tmp_path / "stills"
    stills.mkdir()
    (stills / "hero_000000.png").write_bytes(clip.stills[0].read_bytes())
    args = ["upscale", clip.path, "--keyframe-dir", stills, "--chunk-length", "6"]
    args += ["--chunk-overlap", "1", "--provider", "local", "--no-cache", "--no-progress"]
    caplog.set_level(logging.INFO, logger="sparkvsr")
    code, _, stderr = run_cli(
        [*args, "--keyframes", "auto:ends", "--keyframe-every-chunk", "-o", tmp_path / "o.mov"],
        capsys,
    )
    assert code == 0, stderr
    # ends gives 0, 11 and 23; chunks 4..9 and 14..19 had none
    chosen = [r.getMessage() for r in caplog.records if "middle of chunk" in r.getMessage()]
    assert chosen == [
        "keyframe 6: middle of chunk 4..9, which had none",
        "keyframe 16: middle of chunk 14..19, which had none",
    ]


def test_a_keyframe_folder_says_which_stills_it_used(clip, tmp_path, capsys, caplog):
    stills = tmp_path / "stills"
    stills.mkdir()
    for index in (0, 12, 40):
        (stills / f"hero_{index:04d}.png").write_bytes(
            clip.stills[12 if index == 12 else 0].read_bytes()
        )
    (stills / "notes.txt").write_text("ignored: no frame number")
    caplog.set_level(logging.INFO, logger="sparkvsr")
    code, _, _ = run_cli(
        ["upscale", clip.path, "--keyframe-dir", stills, "--no-progress", "-o", tmp_path / "o.mov"],
        capsys,
    )
    assert code == 0
    messages = [record.getMessage() for record in caplog.records]
    assert f"keyframe stills from {stills}: frames 0 (hero_0000.png), 12 (hero_0012.png)" in (
        messages
    )
    assert f"{stills}: stills for frames 40 are outside the frames upscaled (0..23), not used" in (
        messages
    )


def test_models_pull_offline_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # as on a machine without the network
    code, _, stderr = run_cli(["models", "pull", "--dir", tmp_path / "weights"], capsys)
    line = one_error_line(code, stderr)
    assert "could not fetch JiongzeYu/SparkVSR from the Hugging Face Hub" in line or (
        "models pull needs the GPU stack" in line
    )


def _subcommand(parser: argparse.ArgumentParser, *path: str) -> argparse.ArgumentParser:
    for name in path:
        (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = commands.choices[name]
    return parser


@pytest.mark.parametrize(
    "path", [("upscale",), ("serve",), ("keyframes", "restore"), ("timeline", "upscale")]
)
def test_every_option_has_help_and_shows_its_default(path):
    parser = _subcommand(build_parser(), *path)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{action.option_strings or action.dest} has no help"
        if action.default not in (None, False, [], (), argparse.SUPPRESS):
            assert "default" in action.help, f"{action.option_strings}: {action.help}"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (("keyframes", "suggest"), "Suggest which source frames"),
        (("keyframes", "restore"), "Restore source frames to high-resolution stills"),
        (("upscale",), "the stop is exclusive"),
        (("upscale",), "upscale factor: flow 2/3/4, sparkvsr 4"),
        (("upscale",), "engine: flow, sparkvsr"),
    ],
)
def test_help_describes_commands_ranges_and_choices(path, words, capsys):
    with pytest.raises(SystemExit):
        main([*path, "--help"])
    assert words in " ".join(capsys.readouterr().out.split())
