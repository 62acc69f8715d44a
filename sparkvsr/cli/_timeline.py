"""`sparkvsr timeline upscale`: upscale the marked clips of an edit and write the edit back."""

from __future__ import annotations

import argparse
import json
import os
from fractions import Fraction
from pathlib import Path

from sparkvsr.cli._options import add_job_options, connect, progress_bar, provider_settings
from sparkvsr.engines import engine_entry
from sparkvsr.timeline import (
    DEFAULT_MARKER_PREFIX,
    OUTPUT_FORMATS,
    MarkerConvention,
    TimelineSelection,
    UpscaleSettings,
    plan_timeline,
    read_timeline,
    upscale_timeline,
    write_timeline,
)


def _numbers(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected clip numbers like 3,5, got {text!r}") from None


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _rate(text: str) -> Fraction:
    try:
        return Fraction(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a rate like 24 or 24000/1001, got {text!r}"
        ) from None


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("timeline", help="upscale clips of an edit (OTIO, XML, EDL)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upscale = actions.add_parser(
        "upscale",
        help="upscale the selected clips and write the edit showing them",
        description="Upscale clips of an edit (anything OpenTimelineIO reads), with keyframes "
        "from markers, and write the edit with the upscaled media in place.",
    )
    upscale.add_argument("edit", help="timeline file: .otio, FCP7/Premiere .xml, .edl, ...")
    upscale.add_argument("-o", "--output-dir", required=True, help="folder for the new media")
    upscale.add_argument(
        "--track", type=_names, default=(), help="track names or V1,V2,... (default: all video)"
    )
    upscale.add_argument(
        "--clips",
        type=_numbers,
        default=(),
        help="clip numbers on each track, from 1 (default: all)",
    )
    upscale.add_argument(
        "--handles", type=int, default=0, help="extra frames on each side (default: 0)"
    )
    upscale.add_argument(
        "--markers",
        choices=("named", "any"),
        default="named",
        help="which markers are keyframes: named (by --marker-prefix or --marker-color) or any",
    )
    upscale.add_argument(
        "--marker-prefix",
        default=DEFAULT_MARKER_PREFIX,
        help=f"keyframe markers' names start with this (default: {DEFAULT_MARKER_PREFIX})",
    )
    upscale.add_argument(
        "--marker-color",
        action="append",
        default=[],
        help="markers of this colour are keyframes too (repeatable, for example RED)",
    )
    upscale.add_argument(
        "--format", choices=OUTPUT_FORMATS, default="prores_hq", help="output media format"
    )
    modes = upscale.add_mutually_exclusive_group()
    modes.add_argument(
        "--replace", action="store_true", help="relink the original clips to the new media"
    )
    modes.add_argument(
        "--as-reference",
        action="store_true",
        help="add the new media to each clip as a second media reference",
    )
    upscale.add_argument(
        "--otio-out", help="where to write the edit (default: OUTPUT_DIR/<edit>.sparkvsr.otio)"
    )
    upscale.add_argument(
        "--rate", type=_rate, default=Fraction(24), help="frame rate of EDLs (default: 24)"
    )
    upscale.add_argument("--no-audio", action="store_true", help="leave the source audio out")
    upscale.add_argument(
        "--dry-run", action="store_true", help="print the plan as JSON; touch no media"
    )
    add_job_options(upscale)
    upscale.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    timeline = read_timeline(args.edit, rate=args.rate)
    selection = TimelineSelection(
        tracks=args.track,
        clips=args.clips,
        markers=MarkerConvention(
            name_prefix=args.marker_prefix or None,
            colors=tuple(args.marker_color),
            any_marker=args.markers == "any",
        ),
        handles=args.handles,
        min_keyframe_gap=engine_entry(args.engine).info.min_keyframe_gap,
    )
    if args.dry_run:
        plans = plan_timeline(timeline, selection)
        print(json.dumps({"clips": [plan.to_json() for plan in plans]}, indent=2))
        return 0
    settings = UpscaleSettings(
        scale=args.scale,
        engine=args.engine,
        provider=provider_settings(args, args.provider),
        fit=args.fit,
        output_format=args.format,
        overwrite=args.overwrite,
        chunk_length=args.chunk_length,
        chunk_overlap=args.chunk_overlap,
        audio=not args.no_audio,
    )
    mode = "replace" if args.replace else "reference" if args.as_reference else "stack"
    bars = {}

    def progress(plan, done: int, total: int) -> None:
        if plan.label not in bars:
            bars[plan.label] = progress_bar(args, plan.label)
        bars[plan.label][1](done, total)

    client = connect(args)
    try:
        result = upscale_timeline(
            timeline,
            selection,
            settings,
            args.output_dir,
            mode=mode,
            client=client,
            progress=progress,
        )
    finally:
        for bar, _ in bars.values():
            bar.close()
        if client is not None:
            client.close()
    stem = Path(args.edit).name.split(".")[0]
    otio_out = args.otio_out or os.path.join(args.output_dir, f"{stem}.sparkvsr.otio")
    write_timeline(result.timeline, otio_out)
    print(result.summary())
    print(f"wrote {otio_out} ({mode})")
    if result.cancelled:
        return 130
    return 0 if all(outcome.done for outcome in result.outcomes) else 1
