"""`sparkvsr resolve install|uninstall` against a temporary home, for each OS's folder layout."""

import json
import sys

import pytest

from sparkvsr.cli import main

SCRIPT = "SparkVSR/Upscale with SparkVSR.py"


@pytest.mark.parametrize(
    ("os_name", "folder"),
    [
        ("linux", "home/.local/share/DaVinciResolve/Fusion/Scripts/Edit"),
        (
            "macos",
            "home/Library/Application Support/Blackmagic Design/DaVinci Resolve"
            "/Fusion/Scripts/Edit",
        ),
        (
            "windows",
            "AppData/Roaming/Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Edit",
        ),
    ],
)
def test_install_and_uninstall_for_each_os(tmp_path, monkeypatch, capsys, os_name, folder):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setenv("SPARKVSR_RESOLVE_SETTINGS", str(tmp_path / "settings.json"))

    assert main(["resolve", "install", "--os", os_name]) == 0

    script = tmp_path / folder / SCRIPT
    assert f"installed {script}" in capsys.readouterr().out
    text = script.read_text()
    compile(text, str(script), "exec")  # a valid script for Resolve's Python
    assert "main(globals())" in text and "site.addsitedir" in text
    assert json.loads((tmp_path / "settings.json").read_text())["python"] == sys.executable

    assert main(["resolve", "uninstall", "--os", os_name]) == 0
    assert f"removed {script}" in capsys.readouterr().out
    assert not script.parent.exists()
    assert main(["resolve", "uninstall", "--os", os_name]) == 0
    assert "was not installed" in capsys.readouterr().out


def test_install_keeps_the_users_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = tmp_path / "settings.json"
    monkeypatch.setenv("SPARKVSR_RESOLVE_SETTINGS", str(settings))
    settings.write_text(json.dumps({"scale": 2, "server": "gpu-box:50051"}))
    assert main(["resolve", "install", "--os", "linux"]) == 0
    saved = json.loads(settings.read_text())
    assert (saved["scale"], saved["server"], saved["python"]) == (
        2,
        "gpu-box:50051",
        sys.executable,
    )


def test_bad_settings_are_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = tmp_path / "settings.json"
    monkeypatch.setenv("SPARKVSR_RESOLVE_SETTINGS", str(settings))
    settings.write_text(json.dumps({"scael": 2}))
    assert main(["resolve", "install", "--os", "linux"]) == 2
    assert f"sparkvsr: error: {settings}: unknown settings scael" in capsys.readouterr().err
