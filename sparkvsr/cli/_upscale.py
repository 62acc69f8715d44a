"""`sparkvsr upscale`: one video file in, a movie or image sequence out."""

from __future__ import annotations

import argparse

from sparkvsr.cli._options import (
    add_job_options,
    announce_long_steps,
    input_path,
    job_settings,
    keyframe_still,
    open_runner_for,
    progress_bar,
)
from sparkvsr.connection import connection_options
from sparkvsr.media import MOVIE_CODECS
from sparkvsr.specs import FrameRange
from sparkvsr.upscale_file import FileJob, upscale_file


def _frame_range(text: str) -> FrameRange:
    start, sep, stop = text.partition(":")
    if not sep or not start.isdigit() or not stop.isdigit() or int(stop) <= int(start):
        raise argparse.ArgumentTypeError(
            f"expected START:STOP with STOP > START (stop exclusive), got {text!r}"
        )
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
        "--keyframe-dir",
        metavar="DIR",
        type=input_path,
        help="folder of stills named <anything>_<frame>.<png|tif|exr|jpg> (the ones used are "
        "listed)",
    )
    parser.add_argument(
        "--keyframes",
        metavar="auto:STRATEGY",
        type=_auto_strategy,
        help="also pick keyframes: auto:iframes, auto:scenes[:T], auto:uniform:N, auto:ends, "
        "auto:random:N:SEED",
    )
    parser.add_argument(
        "--keyframe-every-chunk",
        action="store_true",
        help="give every engine window that would continue the one before it a keyframe of its "
        "own (restored by --provider), so windows run in parallel on several GPUs or farm tasks",
    )
    parser.add_argument(
        "--frames",
        type=_frame_range,
        metavar="START:STOP",
        help="only source frames START to STOP-1 (the stop is exclusive: 0:24 is 24 frames; "
        "default: all)",
    )
    parser.add_argument(
        "--codec",
        choices=MOVIE_CODECS,
        default="prores_hq",
        help="codec of a .mov output (default: prores_hq)",
    )
    parser.add_argument("--no-audio", action="store_true", help="leave the source audio out")
    add_job_options(parser)
    parser.set_defaults(run=run)


def file_job(args: argparse.Namespace) -> FileJob:
    """The file job the parsed `sparkvsr upscale` options describe."""
    return FileJob(
        source=args.input,
        output=args.output,
        settings=job_settings(args, output_format=args.codec),
        keyframe_stills=tuple(args.keyframe_stills),
        keyframe_folder=args.keyframe_dir,
        auto_keyframes=args.keyframes,
        keyframe_every_chunk=args.keyframe_every_chunk,
        frames=args.frames,
    )


def run(args: argparse.Namespace, upscale=None) -> int:
    """Runs `sparkvsr upscale`; `upscale(job, progress)` replaces upscale_file on the runner
    (the farm's assembler)."""
    job = file_job(args)
    announce_long_steps()
    bar, progress = progress_bar(args, "upscaling")
    runner = open_runner_for(args)
    try:
        if upscale is None:
            result = upscale_file(job, runner, progress=progress)
        else:
            result = upscale(job, progress)
    finally:
        bar.close()
        runner.close()
    # The address as connected (`localhost` -> localhost:50051), not as typed.
    where = f"on {connection_options(args.server).address}" if args.server else "in process"
    size = f"{result.spec.output_layout.width}x{result.spec.output_layout.height}"
    print(
        f"wrote {result.frames_written} frames ({size}, engine {result.spec.engine}, {where}) "
        f"to {result.output}"
    )
    return 0
