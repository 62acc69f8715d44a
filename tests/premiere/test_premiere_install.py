"""`sparkvsr premiere install|package`: the plugin folder copied whole, the .ccx a zip with
manifest.json at its root, and every panel file shipped as package data."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sparkvsr.errors import InvalidInputError
from sparkvsr_premiere import PANEL_FOLDER, default_install_dir, install, package, panel_files

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparkvsr", "premiere", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_copies_the_plugin_folder_and_says_how_to_load_it(tmp_path):
    target = tmp_path / "plugins" / "SparkVSR"
    result = run_cli("install", "--dir", str(target))
    assert result.returncode == 0, result.stderr
    assert f"UXP Developer Tool > Add Plugin > {target / 'manifest.json'}" in result.stdout
    copied = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert copied == panel_files()
    assert not list(target.parent.glob(".partial-*")), "copied beside the target, then renamed"
    assert (target / "js" / "premiere.js").read_bytes() == (
        PANEL_FOLDER / "js" / "premiere.js"
    ).read_bytes()


def test_install_refuses_a_folder_holding_something_else(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match="holds something else"):
        install(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_install_replaces_an_older_copy(tmp_path):
    install(tmp_path / "p")
    (tmp_path / "p" / "js" / "stale.js").write_text("old")
    install(tmp_path / "p")
    assert not (tmp_path / "p" / "js" / "stale.js").exists()


def test_package_is_a_zip_with_a_distributable_manifest_at_its_root(tmp_path):
    result = run_cli("package", "-o", str(tmp_path / "SparkVSR.ccx"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "SparkVSR.ccx") as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == sorted(p.as_posix() for p in panel_files())
    assert manifest["manifestVersion"] == 5
    # One host object: an array is allowed only during development (UXP manifest v5 schema).
    assert manifest["host"] == {"app": "premierepro", "minVersion": "26.3.0"}
    # The WebSocket servers the panel's Server field accepts by default: loopback, port 50052,
    # ws:// and wss:// (the panel refuses any other with the manifest's list, test_gateway.test.js).
    domains = set(manifest["requiredPermissions"]["network"]["domains"])
    for scheme in ("ws", "wss"):
        for host in ("localhost", "127.0.0.1"):
            assert f"{scheme}://{host}:50052" in domains
    assert not list(tmp_path.glob(".partial-*"))


@pytest.mark.parametrize(
    ("action", "option", "name"),
    [("package", "-o", "SparkVSR.ccx"), ("install", "--dir", "plugin")],
)
def test_an_unwritable_place_is_one_line_naming_it(tmp_path, action, option, name):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(action, option, str(blocker / name))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert f"cannot write {blocker / name}" in result.stderr


def test_install_never_deletes_another_plugin(tmp_path):
    theirs = tmp_path / "other"
    theirs.mkdir()
    other = {"id": "com.example.other", "manifestVersion": 5}
    (theirs / "manifest.json").write_text(json.dumps(other))
    (theirs / "main.js").write_text("theirs")
    result = run_cli("install", "--dir", str(theirs))
    assert result.returncode == 2
    assert "holds another plug-in (manifest id 'com.example.other'" in result.stderr
    assert (theirs / "main.js").read_text() == "theirs"


def test_package_wants_a_ccx_name(tmp_path):
    with pytest.raises(InvalidInputError, match="must name a .ccx"):
        package(tmp_path / "SparkVSR.zip")


def test_manifest_wants_premiere_26_3_or_later():
    manifest = json.loads((PANEL_FOLDER / "manifest.json").read_text())
    major, minor = (int(part) for part in manifest["host"]["minVersion"].split(".")[:2])
    assert (major, minor) >= (26, 3)


def test_every_panel_file_ships_as_package_data():
    line = re.search(r"^sparkvsr_premiere = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(), re.M)
    patterns = json.loads(f"[{line.group(1)}]")
    for relative in panel_files():
        name = f"panel/{relative.as_posix()}"
        depth = name.count("/")
        assert any(fnmatch.fnmatch(name, p) and depth == p.count("/") for p in patterns), name


def test_default_folder_per_platform(tmp_path):
    environ = {"APPDATA": str(tmp_path / "Roaming")}
    assert default_install_dir(tmp_path, environ, "win32").parts[-3:-1] == ("Roaming", "SparkVSR")
    assert "Application Support" in str(default_install_dir(tmp_path, {}, "darwin"))
    assert default_install_dir(tmp_path, {}, "linux") == (
        tmp_path / ".local/share/sparkvsr/SparkVSR.premiere"
    )
