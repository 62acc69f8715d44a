"""`sparkvsr openfx build|install`: the bundle's layout and where it is installed."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from sparkvsr.cli import main
from sparkvsr_openfx import default_plugin_dir, source_dir


def test_build_prints_the_bundle(ofx_build, capsys):
    assert main(["openfx", "build", "--build-dir", str(ofx_build)]) == 0
    bundle = Path(capsys.readouterr().out.strip())
    assert bundle == ofx_build / "SparkVSR.ofx.bundle"
    assert (bundle / "Contents" / "Linux-x86-64" / "SparkVSR.ofx").is_file()


def test_install_copies_the_bundle_into_the_plugin_path(ofx_build, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OFX_PLUGIN_PATH", f"{tmp_path / 'ofx'}:{tmp_path / 'other'}")
    assert main(["openfx", "install", "--build-dir", str(ofx_build)]) == 0
    installed = tmp_path / "ofx" / "SparkVSR.ofx.bundle" / "Contents" / "Linux-x86-64"
    assert (installed / "SparkVSR.ofx").is_file()
    assert f"installed {tmp_path / 'ofx' / 'SparkVSR.ofx.bundle'}" in capsys.readouterr().out
    assert (
        main(["openfx", "install", "--build-dir", str(ofx_build), "--dir", str(tmp_path / "d")])
        == 0
    )
    assert (tmp_path / "d" / "SparkVSR.ofx.bundle" / "Contents").is_dir()


@pytest.mark.parametrize(
    ("system", "folder"),
    [
        ("Linux", "/usr/OFX/Plugins"),
        ("Darwin", "/Library/OFX/Plugins"),
        ("Windows", r"C:\Program Files\Common Files\OFX\Plugins"),
    ],
)
def test_standard_plugin_folders(system, folder):
    assert default_plugin_dir({}, system) == Path(folder)


def test_sources_ship_with_the_package():
    names = {p.relative_to(source_dir()).as_posix() for p in source_dir().rglob("*") if p.is_file()}
    assert {"CMakeLists.txt", "include/ofx_api.h", "src/render.c", "tools/abi_dump.c"} <= names


@pytest.mark.parametrize("kind", ["a file", "under a file", "read-only"])
def test_install_into_a_folder_that_cannot_be_written_says_so_in_one_line(
    ofx_build, tmp_path, capsys, kind
):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    target = {"a file": blocker, "under a file": blocker / "ofx", "read-only": tmp_path / "ro"}[
        kind
    ]
    if kind == "read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        target.mkdir(mode=0o555)
    status = main(["openfx", "install", "--build-dir", str(ofx_build), "--dir", str(target)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"sparkvsr: error: cannot install into {target} (")


def test_a_failed_install_keeps_the_older_bundle_whole(ofx_build, tmp_path, monkeypatch, capsys):
    plugins = tmp_path / "ofx"
    assert main(["openfx", "install", "--build-dir", str(ofx_build), "--dir", str(plugins)]) == 0
    binary = plugins / "SparkVSR.ofx.bundle" / "Contents" / "Linux-x86-64" / "SparkVSR.ofx"
    older = binary.read_bytes()

    def disk_full(source, destination, **options):
        (Path(destination) / "Contents" / "Linux-x86-64").mkdir(parents=True)  # half a bundle...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then the disk fills up

    monkeypatch.setattr(shutil, "copytree", disk_full)
    status = main(["openfx", "install", "--build-dir", str(ofx_build), "--dir", str(plugins)])

    assert status == 2 and "No space left on device" in capsys.readouterr().err
    assert binary.is_file() and binary.read_bytes() == older
    assert [p.name for p in plugins.iterdir()] == ["SparkVSR.ofx.bundle"]
