"""`sparkvsr farm`: write an OpenJD job bundle for a video or an edit, and the task commands its
steps run (restore-keyframes, run-windows, assemble), which take the same `sparkvsr` command."""

from __future__ import annotations

import argparse
import logging
import math
import os
import shlex
import sys
from pathlib import Path

from sparkvsr.engines import DEFAULT_ENGINE
from sparkvsr.errors import InvalidInputError, NotFoundError, SparkVSRError
from sparkvsr.farm import (
    BundleSpec,
    SessionPaths,
    assemble_file,
    change_paths,
    clip_file_job,
    clip_work,
    clips_with_tasks,
    map_media_paths,
    openjd_run_arguments,
    path_options,
    paths_in,
    restore_keyframes,
    run_clip_windows,
    studio_paths_in_record,
    why_not_run,
    windows_from,
    write_bundle,
)
from sparkvsr.runners import LocalRunner
from sparkvsr.window_plan import window_chains

logger = logging.getLogger(__name__)

# Inputs read as edits; anything else is a video file.
EDIT_SUFFIXES = (".otio", ".otioz", ".otiod", ".xml", ".edl", ".aaf", ".fcpxml")

# A step of more tasks than this gets longer window ranges instead: a long take's template and
# the farm's task list stay small.
MAX_TASKS = 1000

# GPU memory an upscale task of the diffusion engine asks its host for (the 5B model in bf16).
DEFAULT_GPU_MEMORY_GIB = 24


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("farm", help="render farm job bundles (OpenJD, Deadline Cloud)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    bundle = actions.add_parser(
        "bundle",
        help="write a Deadline Cloud job bundle for a video or an edit",
        description="Write an OpenJD job bundle: a keyframe step (with --provider), an upscale "
        "step (tasks: ranges of engine windows, or clips of an edit) and an assemble step. Give "
        "the video or edit, -o OUTPUT, --bundle-dir BUNDLE and any option of `sparkvsr upscale` "
        "or `sparkvsr timeline upscale`.",
    )
    bundle.add_argument("job", nargs=argparse.REMAINDER, help="IN -o OUT --bundle-dir DIR [...]")
    bundle.set_defaults(run=run_bundle)
    for name, run, text in (
        ("restore-keyframes", run_restore, "restore a bundle's keyframes (the keyframe task)"),
        ("run-windows", run_windows, "run windows of a bundle's job (an upscale task)"),
        ("assemble", run_assemble, "blend and write a bundle's output (the assemble task)"),
    ):
        task = actions.add_parser(name, help=text, description=text)
        task.add_argument("--work-dir", required=True, help="the job's folder of windows")
        task.add_argument("--path-mapping-rules", help="OpenJD path mapping rules (JSON) file")
        if name in ("restore-keyframes", "assemble"):
            task.add_argument(
                "--clips",
                help="the clips of an edit that have an upscale task, e.g. 0,2 (default: those "
                "that can run here): any of them that cannot be done here fails the task",
            )
        if name == "run-windows":
            task.add_argument("--windows", help="window indices, e.g. 0,1,2 (default: all)")
            task.add_argument("--first-window", type=int, help="run chains starting here...")
            task.add_argument("--windows-per-task", type=int, default=1, help="...to here")
            task.add_argument("--clip", type=int, help="the clip of an edit (all clips counted)")
        task.add_argument("command", nargs=argparse.REMAINDER, help="-- the sparkvsr command")
        task.set_defaults(run=_reported(run))


def _bundle_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sparkvsr farm bundle", add_help=False)
    parser.add_argument("input")
    parser.add_argument(
        "-o", "--output", required=True, help="the .mov or pattern (video) or folder (edit)"
    )
    parser.add_argument("--bundle-dir", required=True, help="folder the bundle is written to")
    parser.add_argument(
        "--work-dir", help="windows and restored keyframes (default: OUTPUT_FOLDER.sparkvsr-work)"
    )
    parser.add_argument("--windows-per-task", type=int, default=4)
    parser.add_argument(
        "--python", default=sys.executable, help="the Python that runs sparkvsr on the workers"
    )
    parser.add_argument("--wheel", help="a sparkvsr wheel to install on each worker")
    parser.add_argument("--gpu-memory-gib", type=int, default=DEFAULT_GPU_MEMORY_GIB)
    return parser


def run_bundle(args: argparse.Namespace) -> int:
    farm, options = _bundle_parser().parse_known_args(args.job)
    if farm.windows_per_task < 1:
        raise InvalidInputError(
            f"--windows-per-task must be at least 1, got {farm.windows_per_task}"
        )
    spec = _bundle_spec(farm, options)
    template = write_bundle(spec, farm.bundle_dir)
    print(f"wrote {template.parent}: upscale tasks {spec.tasks}, then assemble")
    openjd = Path(sys.executable).with_name("openjd")
    arguments = openjd_run_arguments(spec, template, str(openjd) if openjd.exists() else "openjd")
    print("without a farm: " + shlex.join(arguments))
    return 0


def _bundle_spec(farm: argparse.Namespace, options: list[str]) -> BundleSpec:
    """The bundle of the job `farm.input -o farm.output OPTIONS`: every path made absolute, the
    files it reads found, its tasks planned."""
    source, output = os.path.abspath(farm.input), os.path.abspath(farm.output)
    if not os.path.isfile(source):
        raise NotFoundError(f"input not found: {source}")
    if farm.wheel and not os.path.isfile(farm.wheel):
        raise NotFoundError(f"--wheel not found: {os.path.abspath(farm.wheel)}")
    edit = source.lower().endswith(EDIT_SUFFIXES)
    head = ["timeline", "upscale"] if edit else ["upscale"]
    known = _path_options(head)
    options = change_paths(options, known, lambda _, path: os.path.abspath(path))
    command = (*head, source, "-o", output, *options)
    job_args = _parse(command)
    if job_args.server:
        raise InvalidInputError(
            "--server has no place in a farm job: each task runs the engine on its own worker; "
            "leave it out"
        )
    folder = output if edit else os.path.dirname(output)
    work_dir = os.path.abspath(farm.work_dir or f"{folder.rstrip(os.sep)}.sparkvsr-work")
    attached = _attached(paths_in(options, known))
    if edit:
        tasks, per_task, media = _clip_tasks(job_args)
        attached["input"] += media
    else:
        tasks, per_task = _window_tasks(job_args, work_dir, farm.windows_per_task)
    engine = job_args.engine or DEFAULT_ENGINE
    return BundleSpec(
        kind="timeline" if edit else "file",
        command=command,
        source=source,
        output=output,
        work_dir=work_dir,
        tasks=tasks,
        windows_per_task=per_task,
        restores_keyframes=job_args.provider is not None,
        gpu_memory_mib=farm.gpu_memory_gib * 1024 if engine == "sparkvsr" else 0,
        python=farm.python,
        wheel=farm.wheel and os.path.abspath(farm.wheel),
        inputs=tuple(attached["input"]),
        input_dirs=tuple(attached["input_dir"]),
        outputs=tuple(attached["output"]),
        name=f"SparkVSR {Path(source).name}",
    )


def _path_options(head: list[str]):
    """The path options of `sparkvsr upscale` or `sparkvsr timeline upscale`, from their parser."""
    from sparkvsr.cli._options import PATH_TYPES, keyframe_still

    parser = _command_parser()
    for name in head:
        parser = _subcommands(parser)[name]
    return path_options(parser, PATH_TYPES, (keyframe_still,))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _attached(found) -> dict[str, list[str]]:
    """Files and folders of path options that the job reads (attached) or writes (declared)."""
    attached = {"input": [], "input_dir": [], "output": []}
    for option, path in found:
        if option.kind == "input" and os.path.isdir(path):
            attached["input_dir"].append(path)
        elif option.kind == "input" and os.path.isfile(path):
            attached["input"].append(path)
        elif option.kind == "output":
            attached["output"].append(os.path.dirname(path))
    return attached


def _command_parser() -> argparse.ArgumentParser:
    from sparkvsr.cli import _timeline, _upscale

    parser = argparse.ArgumentParser(prog="sparkvsr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (_upscale, _timeline):
        module.register(commands)
    return parser


def _parse(command) -> argparse.Namespace:
    """The recorded `sparkvsr` command, parsed by the command's own parser."""
    return _command_parser().parse_args(list(command))


def _window_tasks(job_args, work_dir: str, per_task: int) -> tuple[str, int]:
    """The tasks' first windows as a range expression (`0-40:4`): a task runs the chains that
    start at its K windows, and only ranges where a chain starts get a task; K grows so that a
    step has at most MAX_TASKS tasks however long the take."""
    from sparkvsr.cli._upscale import file_job

    plan = clip_work(file_job(job_args), work_dir).plan
    per_task = max(per_task, math.ceil(len(plan) / MAX_TASKS))
    firsts = sorted({chain[0] // per_task * per_task for chain in window_chains(plan)})
    return _range_expression(firsts, per_task), per_task


def _range_expression(values: list[int], step: int) -> str:
    """Sorted multiples of `step` as an OpenJD integer range expression (`0-8:4,20`)."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + step:
            runs[-1].append(value)
        else:
            runs.append([value])
    return ",".join(f"{run[0]}-{run[-1]}:{step}" if len(run) > 1 else str(run[0]) for run in runs)


def _clip_tasks(job_args) -> tuple[str, int, list[str]]:
    """The numbers of the clips that get a task, and the media and stills they read."""
    from sparkvsr.cli._options import job_settings

    plans = _plans(job_args, SessionPaths())
    numbers = clips_with_tasks(plans, job_settings(job_args, output_format=job_args.format))
    if not numbers:
        raise InvalidInputError(f"nothing to upscale in {job_args.edit}")
    read = []
    for number in numbers:
        read += [plans[number].media] + [key.still for key in plans[number].keyframes if key.still]
    return ",".join(map(str, numbers)), 1, sorted(set(read))


def _plans(job_args, paths: SessionPaths):
    """Every selected clip of the edit, in order (task N is clip N wherever it runs), with the
    media and stills named by the edit mapped into the session."""
    from sparkvsr.cli._timeline import timeline_selection
    from sparkvsr.timeline import plan_timeline, read_timeline

    _map_edit_paths(job_args, paths)
    timeline = read_timeline(job_args.edit, rate=job_args.rate, path_map=tuple(job_args.map_path))
    with LocalRunner() as runner:
        return plan_timeline(timeline, timeline_selection(job_args, runner, job_args.map_path))


def _map_edit_paths(job_args, paths: SessionPaths) -> None:
    """The edit's own path mappings, then the session's (`--map-path`: first match wins)."""
    job_args.map_path = list(paths.then(tuple(job_args.map_path)))


def _reported(run):
    """A task command whose failure is also an `openjd_fail` line, which the farm shows
    (openjd-specifications wiki/How-Jobs-Are-Run.md, "Stdout/Stderr Messages")."""

    def reported(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except SparkVSRError as error:
            print(f"openjd_fail: {error}", flush=True)
            raise

    return reported


def _progress(done: int, total: int) -> None:
    print(f"openjd_progress: {100 * done // max(total, 1)}", flush=True)


def _task_command(args: argparse.Namespace) -> tuple[argparse.Namespace, SessionPaths]:
    """The job's command with every path option mapped into the session."""
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise InvalidInputError("give the sparkvsr command after --")
    paths = SessionPaths.read(args.path_mapping_rules)
    head = command[:2] if command[0] == "timeline" else command[:1]
    command = change_paths(command, _path_options(head), lambda _, path: paths.mapped(path))
    return _parse(command), paths


def _clip_works(job_args, args, paths: SessionPaths, numbers=None, option: str = "--clip"):
    """The file works of the command: the video's, or the edit's clips `numbers` (default: those
    that can run here), each of which must be able to run here."""
    if job_args.command == "upscale":
        from sparkvsr.cli._upscale import file_job

        return [clip_work(file_job(job_args), args.work_dir)]
    plans, settings, numbers = _numbered_clips(job_args, paths, numbers, option)
    for number in numbers:
        reason = why_not_run(plans[number], settings)
        if reason:
            raise InvalidInputError(f"{plans[number].label}: {reason}")
    return [clip_work(clip_file_job(plans[n], settings), args.work_dir) for n in numbers]


def _numbered_clips(job_args, paths: SessionPaths, numbers, option: str):
    """(plans, settings, numbers) of the edit: `numbers` checked against its clips, or those
    that can run here when None."""
    from sparkvsr.cli._options import job_settings

    settings = job_settings(job_args, output_format=job_args.format)
    plans = _plans(job_args, paths)
    if numbers is None:
        return plans, settings, clips_with_tasks(plans, settings)
    if any(not 0 <= number < len(plans) for number in numbers):
        joined = ",".join(map(str, numbers))
        raise InvalidInputError(f"{option} must be within 0..{len(plans) - 1}, got {joined}")
    return plans, settings, list(numbers)


def run_restore(args: argparse.Namespace) -> int:
    job_args, paths = _task_command(args)
    numbers = None if args.clips is None else _indices(args.clips, "--clips")
    works = _clip_works(job_args, args, paths, numbers, "--clips")
    restored = 0
    for done, work in enumerate(works, start=1):
        restored += restore_keyframes(work)
        _progress(done, len(works))
    print(f"openjd_status: restored {restored} keyframes", flush=True)
    return 0


def run_windows(args: argparse.Namespace) -> int:
    job_args, paths = _task_command(args)
    if job_args.command != "upscale" and args.clip is None:
        raise InvalidInputError("an edit's windows run one clip at a time: give --clip N")
    (work,) = _clip_works(job_args, args, paths, [args.clip] if args.clip is not None else None)
    windows = None
    if args.windows is not None:
        windows = _indices(args.windows)
    elif args.first_window is not None:
        windows = windows_from(work.plan, args.first_window, args.windows_per_task)
    count = len(work.plan) if windows is None else len(windows)
    print(f"openjd_status: {count} windows", flush=True)
    ran = run_clip_windows(work, windows, progress=_progress)
    print(f"ran windows {ran or 'none (all were stored already)'}")
    return 0


def _indices(text: str, option: str = "--windows") -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInputError(f"{option} expects indices like 0,1,2, got {text!r}") from None


def run_assemble(args: argparse.Namespace) -> int:
    job_args, paths = _task_command(args)

    def assemble(job, progress):
        def both(done: int, total: int) -> None:
            progress(done, total)
            if done == total or done % 24 == 0:
                _progress(done, total)

        return assemble_file(job, args.work_dir, both)

    if job_args.command == "upscale":
        from sparkvsr.cli import _upscale

        return _upscale.run(job_args, upscale=assemble)
    from sparkvsr.cli import _timeline

    tasks = _task_clips(job_args, paths, args.clips)
    assembled = set()

    def assemble_clip(job, progress):
        result = assemble(job, progress)
        assembled.add(_clip_work_of(job))
        return result

    code = _timeline.run(job_args, upscale=assemble_clip)
    _name_studio_paths(job_args, paths)
    # Clips that never had a task were skipped with the reason in the table, as `sparkvsr
    # timeline upscale` skips them; a clip with a task that was not assembled fails the job.
    missing = [label for work, label in tasks.items() if work not in assembled]
    if code != 130 and missing:
        raise InvalidInputError(f"{', '.join(missing)}: not assembled (the table says why)")
    if code == 1:
        print("openjd_status: some clips were skipped (see the table)", flush=True)
    return 0 if code == 1 else code


def _task_clips(job_args, paths: SessionPaths, clips: str | None) -> dict[tuple, str]:
    """The edit's clips that had an upscale task (`clips`, as the bundle lists them), by their
    work, with their labels; maps the edit's paths into the session as the run does."""
    wanted = None if clips is None else _indices(clips, "--clips")
    plans, settings, numbers = _numbered_clips(job_args, paths, wanted, "--clips")
    return {
        _clip_work_of(clip_file_job(plans[number], settings)): plans[number].label
        for number in numbers
    }


def _clip_work_of(job) -> tuple:
    """What tells a clip's file job from another's, whatever its output."""
    return (job.source, job.frames, job.keyframe_stills, job.keyframe_frames)


def _name_studio_paths(job_args, paths: SessionPaths) -> None:
    """Rewrites the edit and the sidecars written in the session to name the studio's paths."""
    if not paths.rules:
        return
    from sparkvsr.timeline import read_timeline, write_timeline

    stem = Path(job_args.edit).name.split(".")[0]
    edit = job_args.otio_out or os.path.join(job_args.output_dir, f"{stem}.sparkvsr.otio")
    timeline = read_timeline(edit)
    map_media_paths(timeline, paths.unmapped)
    write_timeline(timeline, edit)
    for record in Path(job_args.output_dir).glob("*.sparkvsr.json"):
        studio_paths_in_record(str(record), paths)
