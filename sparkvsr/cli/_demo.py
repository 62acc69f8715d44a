"""`sparkvsr demo`: the main job end to end on a generated clip, with a quality report."""

from __future__ import annotations

import argparse
from pathlib import Path

from sparkvsr.cli._options import at_least, progress_bar


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo", help="upscale a generated clip x4 with the flow engine and report its quality"
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=Path("demo_output"),
        help="where to write the clip, keyframes, result and comparison",
    )
    parser.add_argument("--frames", type=at_least(1), default=48, help="clip length (default: 48)")
    parser.add_argument("--keyframe-every", type=at_least(1), default=24, help="keyframe spacing")
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress (default: a bar on a terminal, a line per 10%% or 10 s elsewhere)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from sparkvsr.demo import run_demo

    bar, progress = progress_bar(args, "upscaling")
    try:
        result = run_demo(args.output_dir, args.frames, args.keyframe_every, progress=progress)
    finally:
        bar.close()
    print(f"source clip:  {result.source}")
    print(f"upscaled x4:  {result.output}")
    print(f"comparison:   {result.comparison}")
    print(result.summary())
    return 0
