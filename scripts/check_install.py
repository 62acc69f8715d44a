"""Checks an installed (not editable) sparkvsr from outside the source tree; check_install.sh
runs it with the installed environment's Python.

  check_install.py installed REPO   the packages load from the environment, not from REPO, and
                                    hold every module and data file of REPO's package folders
  check_install.py helps            every CLI command answers --help (`timeline upscale`, ...)
  check_install.py clip PATH        a small real clip, made with PyAV
  check_install.py frames PATH N WIDTH HEIGHT   the movie at PATH has N frames of that size
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import pkgutil
import sys
from fractions import Fraction
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the copy pip carries (a fresh venv has pip)
    from pip._vendor import tomli as tomllib

# The commands a user is told about (README); a missing one means an entry point or a
# subpackage did not make it into the wheel.
EXPECTED_COMMANDS = {
    "upscale",
    "timeline",
    "farm",
    "keyframes",
    "models",
    "info",
    "demo",
    "serve",
    "resolve",
    "premiere",
    "openfx",
}
# Folders that are build leftovers, not part of the package.
NOT_SHIPPED = {"__pycache__"}


def package_folders(repo: Path) -> dict[str, Path]:
    """Import name -> source folder, as pyproject.toml's package-dir maps them."""
    with open(repo / "pyproject.toml", "rb") as file:
        mapping = tomllib.load(file)["tool"]["setuptools"]["package-dir"]
    return {name: repo / folder for name, folder in mapping.items()}


def installed_folder(name: str) -> Path:
    """Where the installed package of this (possibly dotted) name lives."""
    top, *rest = name.split(".")
    return Path(importlib.import_module(top).__file__).parent.joinpath(*rest)


def missing_files(repo: Path) -> list[str]:
    """Files of the package folders absent from (or different in) the installed packages."""
    missing = []
    for name, source in package_folders(repo).items():
        target = installed_folder(name)
        if repo in target.resolve().parents:
            sys.exit(f"{name} loads from the checkout ({target}), not from the installed wheel")
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_dir() or NOT_SHIPPED & set(relative.parts):
                continue
            installed = target / relative
            if not installed.is_file() or installed.read_bytes() != path.read_bytes():
                missing.append(f"{name}: {relative}")
    return missing


def import_all(names) -> None:
    """Imports every module of the packages; the torch engine only where torch is installed."""
    has_torch = importlib.util.find_spec("torch") is not None
    for name in names:
        package = importlib.import_module(name)
        if not hasattr(package, "__path__"):
            continue
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if module.name.endswith(".__main__"):  # runs the CLI
                continue
            if module.name.startswith("sparkvsr.engines.sparkvsr") and not has_torch:
                continue
            importlib.import_module(module.name)


def check_installed(repo: Path) -> None:
    missing = missing_files(repo)
    if missing:
        sys.exit("not in the installed packages:\n  " + "\n  ".join(missing))
    import_all(name for name in package_folders(repo) if "." not in name)
    print(f"installed: every module and data file, from {sys.prefix}")


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """Every (sub)command path under this parser, parents before children."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield (*prefix, name)
                yield from command_paths(subparser, (*prefix, name))


def check_helps() -> None:
    """Every command's --help, through the CLI's own entry (in one process: a process per
    command costs seconds each on a loaded machine)."""
    from sparkvsr.cli import build_parser, main

    paths = list(command_paths(build_parser()))
    missing = EXPECTED_COMMANDS - {path[0] for path in paths}
    if missing:
        sys.exit(f"commands missing from the install: {', '.join(sorted(missing))}")
    for path in paths:
        with contextlib.redirect_stdout(io.StringIO()) as text:
            try:
                main([*path, "--help"])
            except SystemExit as exit:
                if exit.code:
                    sys.exit(f"sparkvsr {' '.join(path)} --help: exit status {exit.code}")
        if "usage: sparkvsr" not in text.getvalue():
            sys.exit(f"sparkvsr {' '.join(path)} --help printed no usage")
    print(f"{len(paths)} commands answer --help: {', '.join(' '.join(p) for p in paths)}")


def make_clip(path: Path, frames: int = 24, width: int = 96, height: int = 64) -> None:
    """A moving gradient, H.264 in a .mov at 24 fps."""
    import av
    import numpy as np

    x = np.broadcast_to(np.linspace(0, 255, width)[None, :, None], (height, width, 1))
    y = np.broadcast_to(np.linspace(0, 255, height)[:, None, None], (height, width, 1))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(24))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            image = np.concatenate([x + 4 * index, y, (x + y) / 2], axis=2) % 256
            frame = av.VideoFrame.from_ndarray(image.astype(np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


def check_frames(path: Path, count: int, width: int, height: int) -> None:
    import av

    with av.open(str(path)) as container:
        sizes = [(frame.width, frame.height) for frame in container.decode(video=0)]
    if len(sizes) != count or set(sizes) != {(width, height)}:
        sys.exit(
            f"{path}: expected {count} frames of {width}x{height}, got {sorted(set(sizes))} "
            f"in {len(sizes)} frames"
        )
    print(f"{path}: {count} frames of {width}x{height}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("installed").add_argument("repo", type=Path)
    actions.add_parser("helps")
    actions.add_parser("clip").add_argument("path", type=Path)
    frames = actions.add_parser("frames")
    frames.add_argument("path", type=Path)
    for name in ("count", "width", "height"):
        frames.add_argument(name, type=int)
    args = parser.parse_args()
    if args.action == "installed":
        check_installed(args.repo.resolve())
    elif args.action == "helps":
        check_helps()
    elif args.action == "clip":
        make_clip(args.path)
    else:
        check_frames(args.path, args.count, args.width, args.height)


if __name__ == "__main__":
    main()
