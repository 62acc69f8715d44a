"""`sparkvsr upscale` never destroys what it reads, and output-side failures are one clear line."""

import os
import subprocess
import sys

import pytest

from sparkvsr.cli import main


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def upscale(clip, output, *extra):
    return ["upscale", str(clip.path), "--keyframe", f"12={clip.stills[12]}", "-o", str(output)] + [
        *extra
    ]


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_the_output_is_never_the_input_even_with_overwrite(clip, tmp_path, capsys, spelling):
    before = clip.path.read_bytes()
    output = {
        "same": lambda: clip.path,
        "dotted": lambda: tmp_path / "sub" / ".." / clip.path.name,
        "symlink": lambda: _link(os.symlink, clip.path, tmp_path / "link.mov"),
        "hardlink": lambda: _link(os.link, clip.path, tmp_path / "hard.mov"),
    }[spelling]()
    (tmp_path / "sub").mkdir(exist_ok=True)
    code, _, err = run_cli(upscale(clip, output, "--overwrite"), capsys)
    assert code == 2, err
    assert f"is the input {clip.path}" in err and len(err.strip().splitlines()) == 1
    assert clip.path.read_bytes() == before


def _link(make, target, link):
    make(target, link)
    return link


def test_a_sequence_never_writes_over_a_keyframe_still(clip, tmp_path, capsys):
    still = clip.stills[12]
    before = still.read_bytes()
    pattern = tmp_path / "hr_%04d.png"  # frame 12 of this sequence is the keyframe still
    code, _, err = run_cli(upscale(clip, pattern, "--overwrite"), capsys)
    assert code == 2 and f"the output {still} is the input {still}" in err
    assert still.read_bytes() == before


def test_a_sequence_checks_every_frame_it_would_write_not_only_the_first(clip, tmp_path, capsys):
    pattern = tmp_path / "seq" / "%06d.png"
    assert run_cli(upscale(clip, pattern, "--frames", "8:16"), capsys)[0] == 0
    kept = {p.name: p.stat().st_mtime_ns for p in pattern.parent.iterdir()}
    # Frames 0..12: 0..7 are new, 8..12 exist; the first file (000000.png) does not.
    code, _, err = run_cli(upscale(clip, pattern, "--frames", "0:13"), capsys)
    assert code == 2 and "000008.png exists (and 4 more of its files)" in err
    assert {p.name: p.stat().st_mtime_ns for p in pattern.parent.iterdir()} == kept
    code, _, err = run_cli(upscale(clip, pattern, "--frames", "0:13", "--overwrite"), capsys)
    assert code == 0, err
    assert len(list(pattern.parent.iterdir())) == 16


def test_an_output_folder_that_cannot_exist_is_one_line_naming_the_path(clip, tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    output = tmp_path / "afile" / "out.mov"
    code, _, err = run_cli(upscale(clip, output), capsys)
    assert code == 2
    assert err.startswith(f"sparkvsr: error: cannot write {output}: ")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_line_naming_the_path(clip, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    code, _, err = run_cli(upscale(clip, folder / "out.mov"), capsys)
    assert code == 2 and f"cannot write {folder / 'out.mov'}" in err


def test_a_full_disk_is_exit_2_and_one_line_with_no_partial_file(clip, tmp_path):
    output = tmp_path / "out.mov"
    # A file size limit makes writes fail as a full disk does (EFBIG instead of ENOSPC).
    script = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000)); "
        "from sparkvsr.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    args = upscale(clip, output, "--no-progress", "--no-audio")
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"sparkvsr: error: cannot write {output}: File too large")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".mov") == ["clip.mov"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["upscale", "in.mov", "-o", "o.mov", "--frames", "5:3"], "--frames: expected START:STOP"),
        (["upscale", "in.mov", "-o", "o.mov", "--scale", "0"], "--scale: expected an integer >= 1"),
        (["upscale", "in.mov", "-o", "o.mov", "--chunk-length", "-2"], "--chunk-length: expected"),
        (["upscale", "in.mov", "-o", "o.mov", "--chunk-overlap", "x"], "--chunk-overlap: expected"),
        (["serve", "--port", "70000"], "--port: expected an integer 0..65535"),
        (["serve", "--workers", "0"], "--workers: expected an integer >= 1"),
        (["serve", "--shutdown-grace", "nan"], "--shutdown-grace: expected seconds >= 0"),
    ],
)
def test_bad_arguments_are_refused_where_they_are_parsed(args, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
