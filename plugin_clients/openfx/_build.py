"""Configure and build the plug-in's bundle with CMake."""

from __future__ import annotations

import logging
import os
import platform
import shutil
import subprocess
from pathlib import Path

from sparkvsr.errors import InvalidInputError

logger = logging.getLogger(__name__)

BUNDLE_NAME = "SparkVSR.ofx.bundle"
# The OFX packaging standard's folder for each platform's binary inside Contents/.
OFX_ARCH_FOLDERS = {"Linux": "Linux-x86-64", "Darwin": "MacOS", "Windows": "Win64"}
# Cross-build targets: the system they build for, and the CMake toolchain file (in native/cmake).
CROSS_TARGETS = {"win64": ("Windows", "mingw-w64.cmake")}


def source_dir() -> Path:
    """The plug-in's CMake project, shipped as package data."""
    return Path(__file__).resolve().parent / "native"


def default_build_dir(target: str | None = None) -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sparkvsr" / f"openfx-build{'-' + target if target else ''}"


def bundle_binary(build_dir: Path, system: str | None = None) -> Path:
    """Where the built plug-in binary sits inside the bundle."""
    arch = OFX_ARCH_FOLDERS[system or platform.system()]
    return build_dir / BUNDLE_NAME / "Contents" / arch / "SparkVSR.ofx"


def build(
    build_dir: Path | None = None,
    build_type: str = "Release",
    *,
    target: str | None = None,
    sanitize: bool = False,
) -> Path:
    """Runs cmake and the build; returns the bundle folder.

    Args:
        build_dir: the CMake build folder (default: the user's cache).
        build_type: CMake's build type.
        target: None for this machine, or a cross-build target (`CROSS_TARGETS`: "win64").
        sanitize: build with AddressSanitizer and UndefinedBehaviorSanitizer.

    Raises:
        InvalidInputError: cmake or a C compiler is missing, or the build failed (output logged).
    """
    build_dir = (build_dir or default_build_dir(target)).resolve()
    if shutil.which("cmake") is None:
        raise InvalidInputError(
            "cmake is not installed: install cmake and a C compiler (Debian: apt-get install "
            "cmake gcc), then run `sparkvsr openfx build` again"
        )
    configure = [
        "cmake",
        "-S",
        str(source_dir()),
        "-B",
        str(build_dir),
        f"-DCMAKE_BUILD_TYPE={build_type}",
        f"-DSPARKVSR_SANITIZE={'ON' if sanitize else 'OFF'}",
    ]
    system = None
    if target is not None:
        if target not in CROSS_TARGETS:
            raise InvalidInputError(
                f"unknown build target {target!r}: choose from {', '.join(CROSS_TARGETS)}"
            )
        system, toolchain = CROSS_TARGETS[target]
        configure.append(f"-DCMAKE_TOOLCHAIN_FILE={source_dir() / 'cmake' / toolchain}")
    for step in (configure, ["cmake", "--build", str(build_dir), "--parallel", "2"]):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            logger.error("%s\n%s", done.stdout, done.stderr)
            raise InvalidInputError(
                f"building the OpenFX plug-in failed at `{' '.join(step)}`:\n{done.stderr[-2000:]}"
            )
    binary = bundle_binary(build_dir, system)
    if not binary.is_file():
        raise InvalidInputError(f"the build finished but {binary} is missing")
    return build_dir / BUNDLE_NAME
