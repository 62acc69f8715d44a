"""`sparkvsr premiere install|package`, registered into the `sparkvsr` command by entry point."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sparkvsr_premiere._install import default_install_dir, install, manifest, package


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "premiere", help="install or package the Premiere Pro panel (Window > UXP Plugins)"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    to_install = actions.add_parser(
        "install", help="copy the panel's plugin folder where the UXP Developer Tool loads it"
    )
    to_install.add_argument(
        "--dir", type=Path, default=None, help="where to put it (default: a per-user data folder)"
    )
    to_install.set_defaults(run=run)
    to_package = actions.add_parser(
        "package", help="write the panel as a .ccx (double-click to install it in Premiere)"
    )
    to_package.add_argument("-o", "--output", type=Path, default=Path("SparkVSR.ccx"))
    to_package.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    version = manifest()["version"]
    if args.action == "package":
        written = package(args.output)
        print(f"wrote {written} (SparkVSR panel {version}); double-click it to install it")
        return 0
    target = args.dir or default_install_dir(Path.home(), os.environ)
    installed = install(target)
    print(f"installed the SparkVSR panel {version} in {installed.parent}")
    print(
        "load it: UXP Developer Tool > Add Plugin > "
        f"{installed}, then Load (Premiere Pro 26.3 or later)"
    )
    print("in Premiere: Window > UXP Plugins > SparkVSR; start the server with `sparkvsr serve`")
    return 0
