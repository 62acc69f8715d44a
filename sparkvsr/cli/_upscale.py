"""`sparkvsr upscale`: one video file in, a movie or image sequence out."""

from __future__ import annotations

import argparse
import logging
import sys

from sparkvsr.cli._options import (
    add_provider_options,
    add_server_options,
    connect,
    keyframe_still,
    provider_settings,
)
from sparkvsr.engines import DEFAULT_ENGINE
from sparkvsr.keyframes import PROVIDERS
from sparkvsr.media import MOVIE_CODECS
from sparkvsr.specs import FrameRange
from sparkvsr.upscale_file import FileJob, upscale_file


def _frame_range(text: str) -> FrameRange:
    start, sep, stop = text.partition(":")
    if not sep or not start.isdigit() or not stop.isdigit():
        raise argparse.ArgumentTypeError(f"expected START:STOP (stop exclusive), got {text!r}")
    return FrameRange(int(start), int(stop))


def _auto_strategy(text: str) -> str:
    prefix, sep, strategy = text.partition(":")
    if prefix != "auto" or not sep or not strategy:
        raise argparse.ArgumentTypeError(
            f"expected auto:STRATEGY (for example auto:uniform:32), got {text!r}"
        )
    return strategy


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "upscale",
        help="upscale a video file",
        description="Upscale a video, guided by high-resolution keyframe stills.",
    )
    parser.add_argument("input", help="source video file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="output .mov, or an image sequence pattern such as DIR/%%06d.png or DIR/%%06d.exr",
    )
    parser.add_argument("--scale", type=int, default=4, help="upscale factor (default: 4)")
    parser.add_argument(
        "--engine", default=DEFAULT_ENGINE, help=f"engine (default: {DEFAULT_ENGINE})"
    )
    parser.add_argument(
        "--keyframe",
        dest="keyframe_stills",
        action="append",
        type=keyframe_still,
        default=[],
        metavar="FRAME=PATH",
        help="high-resolution still of source frame FRAME (repeatable)",
    )
    parser.add_argument(
        "--keyframe-dir", metavar="DIR", help="folder of stills named <anything>_<frame>.<ext>"
    )
    parser.add_argument(
        "--keyframes",
        metavar="auto:STRATEGY",
        type=_auto_strategy,
        help="also pick keyframes: auto:iframes, auto:scenes[:T], auto:uniform:N, auto:ends, "
        "auto:random:N:SEED",
    )
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        help="restore keyframes that have no still with this provider",
    )
    parser.add_argument(
        "--keyframe-every-chunk",
        action="store_true",
        help="with --keyframes: also give every engine chunk that has none a keyframe",
    )
    parser.add_argument("--fit", action="store_true", help="resize stills of the wrong size")
    add_provider_options(parser)
    parser.add_argument(
        "--frames", type=_frame_range, metavar="START:STOP", help="only these frames"
    )
    parser.add_argument("--codec", choices=MOVIE_CODECS, default="prores_hq", help="movie codec")
    parser.add_argument("--chunk-length", type=int, help="frames per engine chunk")
    parser.add_argument("--chunk-overlap", type=int, help="frames blended between chunks")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_server_options(parser, "run on this SparkVSR server instead of in process")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    job = FileJob(
        source=args.input,
        output=args.output,
        scale=args.scale,
        engine=args.engine,
        keyframe_stills=tuple(args.keyframe_stills),
        keyframe_folder=args.keyframe_dir,
        auto_keyframes=args.keyframes,
        keyframe_every_chunk=args.keyframe_every_chunk,
        provider=provider_settings(args, args.provider),
        fit=args.fit,
        frames=args.frames,
        codec=args.codec,
        overwrite=args.overwrite,
        chunk_length=args.chunk_length,
        chunk_overlap=args.chunk_overlap,
    )
    from tqdm import tqdm

    # Choosing and restoring keyframes can take a while before the first frame: say what happens.
    for name in ("sparkvsr.upscale_file", "sparkvsr.keyframes"):
        logging.getLogger(name).setLevel(logging.INFO)

    bar = tqdm(unit="frame", disable=args.no_progress or None, file=sys.stderr, desc="upscaling")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    client = connect(args)
    try:
        result = upscale_file(job, client=client, progress=progress)
    finally:
        bar.close()
        if client is not None:
            client.close()
    where = f"on {args.server}" if args.server else "in process"
    size = f"{result.spec.output_layout.width}x{result.spec.output_layout.height}"
    print(
        f"wrote {result.frames_written} frames ({size}, engine {result.spec.engine}, {where}) "
        f"to {result.output}"
    )
    return 0
