"""`sparkvsr models pull`: fetch SparkVSR weights with huggingface_hub (needs the network)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="fetch model weights")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    pull = actions.add_parser("pull", help="download a SparkVSR checkpoint folder")
    pull.add_argument(
        "repo_id",
        nargs="?",
        default=None,
        help="Hugging Face repository (default: JiongzeYu/SparkVSR)",
    )
    pull.add_argument("--dir", type=Path, help="where to put it (default: the Hugging Face cache)")
    pull.set_defaults(run=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    from sparkvsr.engines.sparkvsr._loader import DEFAULT_REPO_ID, missing_files, pull

    folder = pull(args.repo_id or DEFAULT_REPO_ID, args.dir)
    lacking = missing_files(folder)
    print(f"SparkVSR weights in {folder}")
    if lacking:
        print(f"still missing: {', '.join(lacking)}")
    print(f"use them with: export SPARKVSR_WEIGHTS={folder}")
    return 0
