"""`sparkvsr farm`: write an OpenJD job bundle for a video or an edit, and the two task
commands its steps run (run-windows, assemble), which take the same `sparkvsr` command."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
from pathlib import Path

from sparkvsr.engines import DEFAULT_ENGINE
from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.farm import (
    BundleSpec,
    assemble_file,
    clip_file_job,
    clip_work,
    map_media_paths,
    openjd_run_arguments,
    path_mapper,
    run_clip_windows,
    timeline_clips,
    write_bundle,
)
from sparkvsr.runners import LocalRunner
from sparkvsr.window_plan import window_groups

logger = logging.getLogger(__name__)

# Inputs read as edits; anything else is a video file.
EDIT_SUFFIXES = (".otio", ".otioz", ".otiod", ".xml", ".edl", ".aaf", ".fcpxml")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("farm", help="render farm job bundles (OpenJD, Deadline Cloud)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    bundle = actions.add_parser(
        "bundle",
        help="write a Deadline Cloud job bundle for a video or an edit",
        description="Write an OpenJD job bundle: an upscale step (tasks: groups of engine "
        "windows, or clips of an edit) and an assemble step. Give the video or edit first, then "
        "-o BUNDLE, --output and any option of `sparkvsr upscale` or `sparkvsr timeline upscale`.",
    )
    bundle.add_argument("job", nargs=argparse.REMAINDER, help="IN -o BUNDLE --output OUT [...]")
    bundle.set_defaults(run=run_bundle)
    for name, run, text in (
        ("run-windows", run_windows, "run windows of a bundle's job (an upscale task)"),
        ("assemble", run_assemble, "blend and write a bundle's output (the assemble task)"),
    ):
        task = actions.add_parser(name, help=text, description=text)
        task.add_argument("--work", required=True, help="the job's shared folder of windows")
        task.add_argument("--path-mapping-rules", help="OpenJD path mapping rules (JSON) file")
        if name == "run-windows":
            task.add_argument("--windows", help="window indices, e.g. 0,1,2 (default: all)")
            task.add_argument("--clip", type=int, help="the clip of an edit (its task number)")
        task.add_argument("command", nargs=argparse.REMAINDER, help="-- the sparkvsr command")
        task.set_defaults(run=run)


def _bundle_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sparkvsr farm bundle", add_help=False)
    parser.add_argument("input")
    parser.add_argument("-o", "--bundle", required=True, help="folder the bundle is written to")
    parser.add_argument(
        "--output", required=True, help="the .mov or pattern (video) or folder (edit) written"
    )
    parser.add_argument("--work", help="shared folder for windows (default: beside the output)")
    parser.add_argument("--windows-per-task", type=int, default=4)
    parser.add_argument("--sparkvsr", default="sparkvsr", help="the command on the workers")
    return parser


def run_bundle(args: argparse.Namespace) -> int:
    farm, options = _bundle_parser().parse_known_args(args.job)
    if farm.windows_per_task < 1:
        raise InvalidInputError(
            f"--windows-per-task must be at least 1, got {farm.windows_per_task}"
        )
    source, output = os.path.abspath(farm.input), os.path.abspath(farm.output)
    if not os.path.isfile(source):
        raise NotFoundError(f"input not found: {source}")
    edit = source.lower().endswith(EDIT_SUFFIXES)
    head = ["timeline", "upscale"] if edit else ["upscale"]
    command = (*head, source, "-o", output, *_absolute_paths(options))
    job_args = _parse(command)
    work_dir = os.path.abspath(farm.work or _default_work(output, edit))
    tasks = _clip_tasks(job_args) if edit else _window_tasks(job_args, work_dir, farm)
    if not tasks:
        raise InvalidInputError(f"nothing to upscale in {source}")
    spec = BundleSpec(
        kind="timeline" if edit else "file",
        command=command,
        source=source,
        output=output,
        work_dir=work_dir,
        tasks=tuple(tasks),
        gpu=(job_args.engine or DEFAULT_ENGINE) == "sparkvsr",
        executable=farm.sparkvsr,
        name=f"SparkVSR {Path(source).name}",
    )
    template = write_bundle(spec, farm.bundle)
    print(f"wrote {template.parent}: {len(tasks)} upscale tasks, then assemble")
    print("without a farm: " + shlex.join(openjd_run_arguments(spec, template)))
    return 0


# Options naming files: made absolute, since tasks run in the session's own folder.
_PATH_OPTIONS = ("--keyframe-dir", "--api-config", "--cache-dir", "--pisa-script", "--otio-out")


def _absolute_paths(options: list[str]) -> list[str]:
    absolute, after = [], None
    for option in options:
        name, equals, value = option.partition("=")
        if after == "--keyframe" and "=" in option:
            option = f"{name}={os.path.abspath(value)}"
        elif after in _PATH_OPTIONS:
            option = os.path.abspath(option)
        elif equals and name in _PATH_OPTIONS:
            option = f"{name}={os.path.abspath(value)}"
        absolute.append(option)
        after = option
    return absolute


def _default_work(output: str, edit: bool) -> str:
    return os.path.join(output, ".sparkvsr-windows") if edit else f"{output}.windows"


def _parse(command) -> argparse.Namespace:
    """The recorded `sparkvsr` command, parsed by the command's own parser."""
    from sparkvsr.cli import _timeline, _upscale

    parser = argparse.ArgumentParser(prog="sparkvsr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (_upscale, _timeline):
        module.register(commands)
    return parser.parse_args(list(command))


def _window_tasks(job_args, work_dir: str, farm) -> list[str]:
    from sparkvsr.cli._upscale import file_job

    work = clip_work(file_job(job_args), work_dir)
    groups = window_groups(work.plan, farm.windows_per_task)
    return [",".join(map(str, group)) for group in groups]


def _clip_tasks(job_args) -> list[str]:
    tasks = []
    for number, plan in enumerate(_clips(job_args, None)):
        if os.path.exists(plan.media):
            tasks.append(str(number))
        else:
            logger.warning("%s: media not found: %s; it gets no task", plan.label, plan.media)
    return tasks


def _clips(job_args, rules_file: str | None):
    from sparkvsr.cli._timeline import timeline_selection
    from sparkvsr.timeline import read_timeline

    timeline = read_timeline(job_args.edit, rate=job_args.rate)
    map_media_paths(timeline, path_mapper(rules_file))
    with LocalRunner() as runner:
        return timeline_clips(timeline, timeline_selection(job_args, runner))


def _task_command(args: argparse.Namespace) -> argparse.Namespace:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise InvalidInputError("give the sparkvsr command after --")
    return _parse(command)


def run_windows(args: argparse.Namespace) -> int:
    job_args = _task_command(args)
    if job_args.command == "upscale":
        from sparkvsr.cli._upscale import file_job

        windows = None if args.windows is None else _indices(args.windows)
        ran = run_clip_windows(clip_work(file_job(job_args), args.work), windows)
    else:
        from sparkvsr.cli._options import job_settings

        clips = _clips(job_args, args.path_mapping_rules)
        if args.clip is None or not 0 <= args.clip < len(clips):
            raise InvalidInputError(f"--clip must be within 0..{len(clips) - 1}")
        plan = clips[args.clip]
        if not os.path.exists(plan.media):
            raise NotFoundError(f"{plan.label}: media not found: {plan.media}")
        job = clip_file_job(plan, job_settings(job_args, output_format=job_args.format))
        ran = run_clip_windows(clip_work(job, args.work))
    print(f"ran windows {ran or 'none (all were stored already)'}")
    return 0


def _indices(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInputError(f"--windows expects indices like 0,1,2, got {text!r}") from None


def run_assemble(args: argparse.Namespace) -> int:
    job_args = _task_command(args)

    def assemble(job, progress):
        return assemble_file(job, args.work, progress)

    if job_args.command == "upscale":
        from sparkvsr.cli import _upscale

        return _upscale.run(job_args, upscale=assemble)
    from sparkvsr.cli import _timeline

    return _timeline.run(job_args, upscale=assemble, mapped=path_mapper(args.path_mapping_rules))
