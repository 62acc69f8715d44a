"""`sparkvsr models pull`: fetch SparkVSR weights with huggingface_hub (needs the network)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sparkvsr.errors import EngineUnavailableError, SparkVSRError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="fetch model weights")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    pull = actions.add_parser(
        "pull",
        help="download a SparkVSR checkpoint folder",
        description="Download a SparkVSR checkpoint folder from the Hugging Face Hub (needs the "
        "network and the GPU extra: pip install 'sparkvsr[gpu]').",
    )
    pull.add_argument(
        "repo_id",
        nargs="?",
        default=None,
        help="Hugging Face repository (default: JiongzeYu/SparkVSR)",
    )
    pull.add_argument("--dir", type=Path, help="where to put it (default: the Hugging Face cache)")
    pull.set_defaults(run=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    try:  # the engine's package needs torch
        from sparkvsr.engines.sparkvsr._loader import DEFAULT_REPO_ID, missing_files, pull
    except ImportError as error:
        raise EngineUnavailableError(
            f"models pull needs the GPU stack ({error.name} is missing): "
            "pip install 'sparkvsr[gpu]'"
        ) from None
    repo_id = args.repo_id or DEFAULT_REPO_ID
    try:
        folder = pull(repo_id, args.dir)
    except SparkVSRError:
        raise
    except Exception as error:  # huggingface_hub raises its own, httpx's and OS errors
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise EngineUnavailableError(
            f"could not fetch {repo_id} from the Hugging Face Hub ({type(error).__name__}: "
            f"{reason}); it needs the network, or the files already in --dir"
        ) from None
    lacking = missing_files(folder)
    print(f"SparkVSR weights in {folder}")
    if lacking:
        print(f"still missing: {', '.join(lacking)}")
    print(f"use them with: export SPARKVSR_WEIGHTS={folder}")
    return 0
