"""The `sparkvsr` command: subcommands from this package plus those other packages register."""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import logging
import sys

from sparkvsr.cli import _demo, _farm, _info, _keyframes, _models, _timeline, _upscale
from sparkvsr.errors import SparkVSRError

_BUILTIN = (_upscale, _timeline, _farm, _keyframes, _models, _info, _demo)
ENTRY_POINT_GROUP = "sparkvsr.cli"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sparkvsr", description="Keyframe-guided video super-resolution."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _BUILTIN:
        module.register(commands)
    # The server registers `serve` this way, so the library never imports it.
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        entry_point.load()(commands)
    _accept_verbose_anywhere(commands)
    return parser


def _accept_verbose_anywhere(commands: argparse._SubParsersAction) -> None:
    """`sparkvsr serve -v` as well as `sparkvsr -v serve`: every subcommand takes -v too."""
    for parser in commands.choices.values():
        parser.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log more detail",
        )
        for action in parser._subparsers._group_actions if parser._subparsers else ():
            _accept_verbose_anywhere(action)


def _logs_beside_progress_bars():
    """On a terminal, log lines go above the progress bars instead of onto their line."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()


def main(argv: list[str] | None = None) -> int:
    """Runs one subcommand; a SparkVSRError becomes one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        with _logs_beside_progress_bars():
            return args.run(args) or 0
    except SparkVSRError as error:
        print(f"sparkvsr: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sparkvsr: interrupted", file=sys.stderr)
        return 130
