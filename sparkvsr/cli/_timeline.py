"""`sparkvsr timeline upscale`: upscale the marked clips of an edit and write the edit back."""

from __future__ import annotations

import argparse
import json
import os
from fractions import Fraction
from pathlib import Path

from sparkvsr.cli._options import (
    add_job_options,
    announce_long_steps,
    job_settings,
    open_runner_for,
    output_path,
    progress_bar,
)
from sparkvsr.engines import EngineInfo, engine_entry
from sparkvsr.errors import InvalidInputError
from sparkvsr.runners import Runner
from sparkvsr.settings import OUTPUT_FORMATS
from sparkvsr.timeline import (
    DEFAULT_MARKER_PREFIX,
    MarkerConvention,
    PathMapping,
    TimelineResult,
    TimelineSelection,
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


def _mapping(text: str) -> PathMapping:
    try:
        return PathMapping.parse(text)
    except InvalidInputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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
        help="which markers are keyframes: named (by --marker-prefix or --marker-color) or any "
        "(default: named)",
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
        "--format",
        choices=OUTPUT_FORMATS,
        default="prores_hq",
        help="output media format (default: prores_hq)",
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
        "--otio-out",
        type=output_path,
        help="where to write the edit (default: OUTPUT_DIR/<edit>.sparkvsr.otio)",
    )
    upscale.add_argument(
        "--rate",
        type=_rate,
        help="frame rate of an EDL, which does not record one (default: its media files' rate; "
        "refused when none is here)",
    )
    upscale.add_argument(
        "--map-path",
        type=_mapping,
        action="append",
        default=[],
        metavar="FROM=TO",
        help="media the edit names under FROM (made on another machine: D:\\media, "
        "file:///D:/media, /Volumes/media) is under TO here; repeatable, first match wins",
    )
    upscale.add_argument("--no-audio", action="store_true", help="leave the source audio out")
    upscale.add_argument(
        "--dry-run", action="store_true", help="print the plan as JSON; touch no media"
    )
    add_job_options(upscale)
    upscale.set_defaults(run=run)


def timeline_selection(
    args: argparse.Namespace, runner: Runner, path_map: tuple = ()
) -> TimelineSelection:
    """The clips and markers the parsed `sparkvsr timeline upscale` options select."""
    engine = args.engine or runner.default_engine
    return TimelineSelection(
        tracks=args.track,
        clips=args.clips,
        markers=MarkerConvention(
            name_prefix=args.marker_prefix or None,
            colors=tuple(args.marker_color),
            any_marker=args.markers == "any",
        ),
        handles=args.handles,
        min_keyframe_gap=_engine_rules(args, runner, engine).min_keyframe_gap,
        path_map=path_map,
    )


def run(args: argparse.Namespace, upscale=None) -> int:
    """Runs `sparkvsr timeline upscale`; `upscale(job, progress)` replaces upscale_file for each
    clip (the farm's assembler, which maps paths with `args.map_path`)."""
    path_map = tuple(getattr(args, "map_path", ()))
    timeline = read_timeline(args.edit, rate=args.rate, path_map=path_map)
    with open_runner_for(args) as runner:
        selection = timeline_selection(args, runner, path_map)
        plans = plan_timeline(timeline, selection)
        if not plans:
            raise InvalidInputError(
                f"no clips on the selected video tracks of {args.edit}: nothing to upscale"
            )
        if args.dry_run:
            print(json.dumps({"clips": [plan.to_json() for plan in plans]}, indent=2))
            return 0
        result = _upscale(args, timeline, selection, runner, upscale)
    # The table first: it says why clips were skipped even if writing the edit fails.
    print(result.summary())
    stem = Path(args.edit).name.split(".")[0]
    otio_out = args.otio_out or os.path.join(args.output_dir, f"{stem}.sparkvsr.otio")
    os.makedirs(os.path.dirname(os.path.abspath(otio_out)), exist_ok=True)
    write_timeline(result.timeline, otio_out)
    print(f"wrote {otio_out} ({_mode(args)})")
    if result.cancelled:
        return 130
    return 0 if all(outcome.done for outcome in result.outcomes) else 1


def _engine_rules(args: argparse.Namespace, runner: Runner, engine: str) -> EngineInfo:
    """The engine's rules where the job will run; a dry run in process needs no loadable engine."""
    if args.dry_run and not args.server:
        return engine_entry(engine).info
    return runner.engine_info(engine)


def _mode(args: argparse.Namespace) -> str:
    return "replace" if args.replace else "reference" if args.as_reference else "stack"


def _upscale(args, timeline, selection, runner: Runner, upscale) -> TimelineResult:
    announce_long_steps()
    bars = {}

    def progress(plan, done: int, total: int) -> None:
        if plan.label not in bars:
            bars[plan.label] = progress_bar(args, plan.label)
        bars[plan.label][1](done, total)

    try:
        return upscale_timeline(
            timeline,
            selection,
            job_settings(args, output_format=args.format),
            args.output_dir,
            mode=_mode(args),
            runner=runner,
            progress=progress,
            upscale=upscale,
        )
    finally:
        for bar, _ in bars.values():
            bar.close()
