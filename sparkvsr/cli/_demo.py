"""`sparkvsr demo`: the main job end to end on a generated clip, with a quality report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkvsr.cli._options import at_least


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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sparkvsr.demo import run_demo

    with tqdm(total=args.frames, unit="frame", desc="upscaling", file=sys.stderr) as bar:
        result = run_demo(
            args.output_dir,
            args.frames,
            args.keyframe_every,
            progress=lambda done, total: bar.update(done - bar.n),
        )
    print(f"source clip:  {result.source}")
    print(f"upscaled x4:  {result.output}")
    print(f"comparison:   {result.comparison}")
    print(result.summary())
    return 0
