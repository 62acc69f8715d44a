"""`sparkvsr resolve install|uninstall`, registered into the `sparkvsr` command by entry point."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sparkvsr_resolve._install import OS_NAMES, current_os, install, uninstall


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "resolve", help="install the DaVinci Resolve script (Workspace > Scripts > SparkVSR)"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (
        ("install", "copy the script into Resolve's per-user Scripts folder"),
        ("uninstall", "remove the script"),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument(
            "--os",
            choices=OS_NAMES,
            default=current_os(),
            help="whose folder layout to use (default: this machine's)",
        )
        action.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    home, environ = Path.home(), os.environ
    if args.action == "install":
        script, settings = install(args.os, home, environ)
        print(f"installed {script}")
        print(f"settings: {settings} (used as they are where Resolve shows no script windows)")
        print("in Resolve: Workspace > Scripts > SparkVSR > Upscale with SparkVSR")
        return 0
    removed = uninstall(args.os, home, environ)
    print(f"removed {removed}" if removed else "the SparkVSR script was not installed")
    return 0
