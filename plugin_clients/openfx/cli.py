"""`sparkvsr openfx build|install`, registered into the `sparkvsr` command by entry point."""

from __future__ import annotations

import argparse
from pathlib import Path

from sparkvsr_openfx._build import CROSS_TARGETS, build
from sparkvsr_openfx._install import default_plugin_dir, install


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "openfx", help="build and install the SparkVSR Upscale OpenFX plug-in"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (
        ("build", "compile the plug-in bundle with CMake and print its path"),
        ("install", "build, then copy the bundle into the OFX plug-in folder"),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("--build-dir", type=Path, help="CMake build folder")
        action.set_defaults(run=run)
    actions.choices["build"].add_argument(
        "--target",
        choices=sorted(CROSS_TARGETS),
        help="cross-build for another system (win64: needs mingw-w64)",
    )
    actions.choices["install"].add_argument(
        "--dir", type=Path, help="plug-in folder (default: $OFX_PLUGIN_PATH, else the OS standard)"
    )


def run(args: argparse.Namespace) -> int:
    bundle = build(args.build_dir, target=getattr(args, "target", None))
    if args.action == "build":
        print(bundle)
        return 0
    target = install(bundle, args.dir or default_plugin_dir())
    print(f"installed {target}")
    print("restart the host; the effect is SparkVSR > SparkVSR Upscale")
    return 0
