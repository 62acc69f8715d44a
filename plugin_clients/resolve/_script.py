"""The entry point behind Workspace > Scripts > SparkVSR > Upscale with SparkVSR."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sparkvsr.errors import SparkVSRError
from sparkvsr_resolve._api import ResolveError
from sparkvsr_resolve._dialog import run_dialog
from sparkvsr_resolve._job import ResolveJob
from sparkvsr_resolve._settings import load_settings, settings_path
from sparkvsr_resolve._undo import failure_text


def find_resolve(script_globals: Mapping):
    """The live `resolve` object: given to menu scripts in both editions, or reached through
    DaVinciResolveScript (external scripting, Studio only)."""
    resolve = script_globals.get("resolve")
    if resolve is None and script_globals.get("bmd") is not None:
        resolve = script_globals["bmd"].scriptapp("Resolve")
    if resolve is None:
        try:
            import DaVinciResolveScript  # noqa: PLC0415 - only exists where Resolve is installed
        except ImportError:
            return None
        resolve = DaVinciResolveScript.scriptapp("Resolve")
    return resolve


def main(script_globals: Mapping, log: Callable[[str], None] = print) -> int:
    """Upscales the selected clips: with the dialog where Resolve shows script windows, with the
    saved settings otherwise. Returns 0 when clips were placed, 1 when none were, 2 on an error
    (said in one line on the console; nothing in the project changed)."""
    try:
        resolve = find_resolve(script_globals)
        if resolve is None:
            raise ResolveError(
                "Resolve is not reachable: run this from Workspace > Scripts inside Resolve "
                "(scripting from outside needs Resolve Studio)"
            )
        job = ResolveJob(resolve, load_settings(), log)
    except SparkVSRError as error:
        log(f"SparkVSR: {error}")
        return 2
    bmd = script_globals.get("bmd")
    if job.version.shows_script_windows and bmd is not None:
        return run_dialog(job, resolve.Fusion(), bmd)
    log(
        f"SparkVSR: {job.version} shows no script windows; running with the saved settings "
        f"in {settings_path()} (edit that file to change them)"
    )
    return run_with_saved_settings(job, log)


def run_with_saved_settings(job: ResolveJob, log: Callable[[str], None]) -> int:
    """The dialog-less run: the plan, progress every 10%, and the report on the console."""
    for line in job.refused:
        log(f"SparkVSR: {line}")
    for plan in job.plans():
        state = f"skipped: {plan.skipped}" if plan.skipped else f"{len(plan.keyframes)} keyframes"
        log(f"SparkVSR: {plan.label}: {state}")
    reported: dict[str, int] = {}

    def progress(plan, done: int, total: int) -> None:
        tenth = done * 10 // total
        if reported.get(plan.label) != tenth:
            reported[plan.label] = tenth
            log(f"SparkVSR: {plan.label}: {done}/{total} frames")

    try:
        report = job.place(job.upscale(progress=progress))
    except SparkVSRError as error:
        log(f"SparkVSR: {failure_text(error)}")
        return 2
    log(report.text)
    return 0 if report.placed else 1
