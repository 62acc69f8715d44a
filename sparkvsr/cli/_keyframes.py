"""`sparkvsr keyframes suggest|restore`: choose keyframes, and restore them to stills."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sparkvsr.cli._options import add_provider_options, at_least, provider_settings
from sparkvsr.keyframes import PROVIDERS


def _frame_list(text: str) -> list[int]:
    try:
        return sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected frame numbers like 0,48,96, got {text!r}"
        ) from None


def _chunk_plan(text: str) -> tuple[int, int]:
    length, sep, overlap = text.partition(":")
    if not sep or not length.isdigit() or not overlap.isdigit():
        raise argparse.ArgumentTypeError(f"expected LENGTH:OVERLAP such as 49:8, got {text!r}")
    return int(length), int(overlap)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("keyframes", help="suggest keyframes, or restore them to stills")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    suggest = actions.add_parser("suggest", help="print suggested keyframes and why")
    suggest.add_argument("input", help="source video")
    suggest.add_argument(
        "--strategy",
        default="scenes",
        help="iframes | scenes[:THRESHOLD] | uniform:N | ends | random:N:SEED (default: scenes)",
    )
    suggest.add_argument(
        "--min-gap", type=int, default=1, help="smallest distance between keyframes (SparkVSR: 4)"
    )
    suggest.add_argument(
        "--chunk",
        type=_chunk_plan,
        metavar="LENGTH:OVERLAP",
        help="add a keyframe to every chunk of this plan that has none",
    )
    suggest.add_argument("--json", action="store_true", help='print [{"frame": N, "reason": ...}]')
    suggest.set_defaults(run=run_suggest)

    restore = actions.add_parser("restore", help="restore source frames to high-resolution stills")
    restore.add_argument("input", help="source video")
    restore.add_argument(
        "--at", type=_frame_list, required=True, metavar="0,48,...", help="frames to restore"
    )
    restore.add_argument("--provider", default="local", choices=PROVIDERS)
    restore.add_argument("--scale", type=at_least(1), default=4)
    restore.add_argument("-o", "--output-dir", type=Path, required=True)
    add_provider_options(restore)
    restore.set_defaults(run=run_restore)


def run_suggest(args: argparse.Namespace) -> int:
    from sparkvsr.keyframes import suggest_keyframes

    choices = suggest_keyframes(args.input, args.strategy, min_gap=args.min_gap, chunk=args.chunk)
    if args.json:
        print(json.dumps([{"frame": c.frame, "reason": c.reason} for c in choices]))
    else:
        for choice in choices:
            print(f"{choice.frame:8d}  {choice.reason}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from sparkvsr.errors import InvalidInputError
    from sparkvsr.media import probe_video, read_frames, write_still
    from sparkvsr.specs import FrameRange

    info = probe_video(args.input)
    outside = [f for f in args.at if f >= info.frame_count]
    if outside:
        raise InvalidInputError(f"frames {outside} are past the video's {info.frame_count} frames")
    provider = provider_settings(args, args.provider).build()
    target = info.layout.scaled(args.scale)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(args.input).stem
    for index in args.at:
        source = next(read_frames(args.input, FrameRange(index, index + 1)))
        path = args.output_dir / f"{stem}_{index:06d}.png"
        write_still(str(path), provider.provide(index, source, target))
        print(f"frame {index}: {path}")
    return 0
