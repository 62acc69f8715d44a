"""scripts/system_packages.sh: Debian packages the tests need are installed only when asked to
(a yes on the terminal, or CI), and sudo never prompts by surprise."""

import os
import pty
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system_packages.sh"


def fake_bin(tmp_path: Path) -> Path:
    """`id` says a normal user; `sudo` and `apt-get` only log how they were called."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "calls.log"
    scripts = {
        "id": "echo 1000",
        "sudo": f'echo "sudo $*" >> {log}',
        "apt-get": f'echo "apt-get $*" >> {log}',
    }
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    return folder


def require(tmp_path, stdin=subprocess.DEVNULL, **env):
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ["PATH"] = f"{fake_bin(tmp_path)}:{environ['PATH']}"
    return subprocess.run(
        ["bash", "-c", f"source {SCRIPT}; require_packages cmake=cmake nosuchcmd=nosuchpkg"],
        stdin=stdin,
        capture_output=True,
        text=True,
        env={**environ, **env},
    )


def calls(tmp_path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_with_no_terminal_to_ask_on_nothing_is_installed_and_the_command_is_named(tmp_path):
    result = require(tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "the tests need nosuchpkg: run 'sudo apt-get update && sudo apt-get install -y "
        "nosuchpkg', then run again"
    )
    assert calls(tmp_path) == []


def test_in_ci_they_are_installed_with_a_sudo_that_never_prompts(tmp_path):
    result = require(tmp_path, CI="true")
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [
        "sudo -n apt-get update -qq",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nosuchpkg",
    ]


@pytest.mark.parametrize("answer, installed", [("n", False), ("y", True)])
def test_on_a_terminal_it_asks_first(tmp_path, answer, installed):
    main, terminal = pty.openpty()
    os.write(main, f"{answer}\n".encode())
    result = require(tmp_path, stdin=terminal)
    os.close(main)
    os.close(terminal)
    assert "Run 'sudo apt-get update && sudo apt-get install -y nosuchpkg' now? [y/N]" in (
        result.stderr
    )
    assert result.returncode == (0 if installed else 1)
    assert calls(tmp_path) == (
        [
            "sudo apt-get update -qq",
            "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nosuchpkg",
        ]
        if installed
        else []
    )
