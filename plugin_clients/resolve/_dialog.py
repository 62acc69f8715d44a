"""The dialog, built with Resolve's own UIManager (Fusion's UI toolkit).

Upscaling runs on a worker thread that never touches Resolve; a UI timer shows its progress and,
once it has finished, imports and places the media from the script's own thread.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from sparkvsr.engines import DEFAULT_ENGINE, engine_entries
from sparkvsr.errors import SparkVSRError
from sparkvsr.keyframes import PROVIDERS, provider_settings_from_env
from sparkvsr.media import MOVIE_CODECS
from sparkvsr_resolve._job import ResolveJob
from sparkvsr_resolve._settings import ResolveSettings, save_settings
from sparkvsr_resolve._undo import failure_text

WINDOW = "SparkVSRUpscale"
POLL = "SparkVSRPoll"
STILLS_ONLY = "stills in marker notes only"
SCALES = ("2", "4")
logger = logging.getLogger(__name__)


class _Worker:
    """The upscaling thread and what it shares with the UI thread."""

    def __init__(self, job: ResolveJob):
        self.job = job
        self.stop = threading.Event()
        self.status = "starting"
        self.result = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, name="sparkvsr-upscale", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        def progress(plan, done: int, total: int) -> None:
            self.status = f"{plan.label}: frame {done} of {total}"

        try:
            self.result = self.job.upscale(progress=progress, should_stop=self.stop.is_set)
        except Exception as error:  # reported by the UI thread, never a silently dead worker
            self.error = error

    @property
    def finished(self) -> bool:
        return not self.thread.is_alive()


def clip_lines(job: ResolveJob) -> str:
    lines = list(job.refused)
    for plan in job.plans():
        if plan.skipped:
            lines.append(f"{plan.label}: will be skipped: {plan.skipped}")
            continue
        keys = ", ".join(
            f"{k.frame} ({'still' if k.still else 'restored'})" for k in plan.keyframes
        )
        lines.append(
            f"{plan.label}: media frames {plan.frames.start}-{plan.frames.stop - 1}, "
            f"keyframes: {keys or 'none (blind)'}"
        )
        lines += [f"    note: {warning}" for warning in plan.warnings]
    return "\n".join(lines)


def run_dialog(job: ResolveJob, fusion, bmd) -> int:
    """Shows the dialog until the user closes it; 0 if a job ran and placed its clips."""
    ui = fusion.UIManager
    dispatcher = bmd.UIDispatcher(ui)
    settings = job.settings
    window = dispatcher.AddWindow(
        {"ID": WINDOW, "WindowTitle": "Upscale with SparkVSR", "Geometry": [200, 150, 760, 560]},
        ui.VGroup(
            [
                ui.Label({"Text": f"Clips on {job.resolve_timeline.name}:"}),
                ui.TextEdit({"ID": "Clips", "ReadOnly": True, "PlainText": clip_lines(job)}),
                _row(ui, "Scale", ui.ComboBox({"ID": "Scale"})),
                _row(ui, "Engine", ui.ComboBox({"ID": "Engine"})),
                _row(ui, "Keyframes", ui.ComboBox({"ID": "Provider"})),
                _row(ui, "Output codec", ui.ComboBox({"ID": "Format"})),
                _row(ui, "Output folder", ui.LineEdit({"ID": "OutputDir", "Text": job.output_dir})),
                _row(ui, "Server", ui.LineEdit({"ID": "Server", "Text": settings.server})),
                ui.CheckBox(
                    {
                        "ID": "StartServer",
                        "Text": "Start a local server if none answers",
                        "Checked": settings.start_local_server,
                    }
                ),
                ui.Label({"ID": "Status", "Text": "", "WordWrap": True}),
                ui.HGroup(
                    [
                        ui.HGap(),
                        ui.Button({"ID": "Cancel", "Text": "Cancel"}),
                        ui.Button({"ID": "OK", "Text": "Upscale"}),
                    ]
                ),
            ]
        ),
    )
    items = window.GetItems()
    asked = settings.job
    engines = [entry.info.name for entry in engine_entries()]
    _choose(items["Scale"], SCALES, str(asked.scale))
    _choose(items["Engine"], engines, asked.engine or DEFAULT_ENGINE)
    _choose(
        items["Provider"],
        (STILLS_ONLY, *PROVIDERS),
        asked.provider.name if asked.provider else STILLS_ONLY,
    )
    _choose(items["Format"], MOVIE_CODECS, asked.output_format)
    timer = ui.Timer({"ID": POLL, "Interval": 250})
    state: dict = {"worker": None, "code": 1}

    def chosen_settings() -> ResolveSettings:
        provider = items["Provider"].CurrentText
        asked = dataclasses.replace(
            settings.job,
            scale=int(items["Scale"].CurrentText),
            engine=items["Engine"].CurrentText,
            provider=None if provider == STILLS_ONLY else provider_settings_from_env(name=provider),
            output_format=items["Format"].CurrentText,
        )
        return dataclasses.replace(
            settings,
            job=asked,
            output_dir=items["OutputDir"].Text,
            server=items["Server"].Text.strip() or settings.server,
            start_local_server=bool(items["StartServer"].Checked),
        )

    def on_ok(event) -> None:
        if state["worker"] is not None:
            return
        try:
            job.use(chosen_settings())
            save_settings(job.settings)
        except SparkVSRError as error:
            items["Status"].Text = f"Cannot start: {error}"
            return
        items["OK"].Enabled = False
        items["Status"].Text = "Upscaling..."
        state["worker"] = _Worker(job)
        timer.Start()

    def on_poll(event) -> None:
        worker = state["worker"]
        if not worker.finished:
            items["Status"].Text = worker.status
            return
        timer.Stop()
        state["worker"] = None
        try:
            if worker.error is not None:
                raise worker.error
            report = job.place(worker.result)
        except SparkVSRError as error:
            text = failure_text(error)
            items["Status"].Text = text[:1].upper() + text[1:]
        except Exception as error:  # an answer nobody foresaw must not leave the dialog stuck
            logger.exception("the SparkVSR job failed")
            items["Status"].Text = f"Stopped by an unexpected error: {error!r}"
        else:
            items["Status"].Text = report.text
            state["code"] = 0 if report.placed and not report.result.cancelled else 1
        items["Cancel"].Text = "Close"

    def on_cancel(event) -> None:
        worker = state["worker"]
        if worker is not None:
            worker.stop.set()
            items["Status"].Text = "Cancelling..."
            return
        dispatcher.ExitLoop()

    window.On.OK.Clicked = on_ok
    window.On.Cancel.Clicked = on_cancel
    getattr(window.On, WINDOW).Close = on_cancel
    getattr(dispatcher.On, POLL).Timeout = on_poll
    window.Show()
    dispatcher.RunLoop()
    window.Hide()
    return state["code"]


def _row(ui, label: str, widget):
    return ui.HGroup([ui.Label({"Text": label, "Weight": 0.25}), widget])


def _choose(combo, options, current: str) -> None:
    combo.AddItems(list(options))
    combo.CurrentText = current
