"""One run of "Upscale with SparkVSR": the selection as a timeline, the upscaling, the import.

The upscaling itself is the library's timeline bridge; this module only connects it to Resolve
and to a server. The slow part (`upscale`) touches no Resolve object, so a dialog can run it on
a worker thread; `place` must run where Resolve's API may be called (the script's thread).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sparkvsr.client import Client
from sparkvsr.engines import engine_entry
from sparkvsr.errors import InvalidInputError, ServerUnavailableError
from sparkvsr.keyframes import provider_settings_from_env
from sparkvsr.media import MOVIE_CODECS
from sparkvsr.timeline import (
    ClipPlan,
    MarkerConvention,
    TimelineResult,
    TimelineSelection,
    UpscaleSettings,
    plan_timeline,
    sidecar_path,
    upscale_timeline,
)
from sparkvsr_resolve._resolve import ResolveTimeline, resolve_version
from sparkvsr_resolve._settings import LOCAL_SERVER, ResolveSettings

SERVER_START_TIMEOUT_S = 60.0
Log = Callable[[str], None]


@dataclass
class ResolveReport:
    """What a run did, for the console or the dialog."""

    result: TimelineResult
    placed: int

    @property
    def text(self) -> str:
        if self.result.cancelled:
            return self.result.summary() + "\ncancelled: nothing was added to the project"
        return self.result.summary() + f"\nplaced {self.placed} clips on a new track"


class ResolveJob:
    """The clips selected in Resolve's current timeline and what to do with them.

    Raises (on construction):
        ResolveError / SparkVSRError: no project, timeline or selection, an old Resolve, or
            settings Resolve cannot use; nothing in the project is changed.
    """

    def __init__(self, resolve, settings: ResolveSettings, log: Log = print):
        self.version = resolve_version(resolve)
        self.log = log
        self.resolve_timeline = ResolveTimeline(resolve, self.version)
        selected = self.resolve_timeline.selected_items()
        self.refused: list[str] = []
        """One line per selected clip Resolve cannot have placed back, saying why."""
        supported = []
        for chosen in selected:
            reason = self.resolve_timeline.unsupported(chosen.item)
            if reason:
                self.refused.append(f"{chosen.item.GetName()}: skipped: {reason}")
            else:
                supported.append(chosen)
        self.timeline = self.resolve_timeline.to_otio(supported)
        self.use(settings)

    def use(self, settings: ResolveSettings) -> None:
        """Runs with these settings from now on (the dialog's choices)."""
        if settings.output_format not in MOVIE_CODECS:
            raise InvalidInputError(
                f"Resolve imports movies: choose an output format of {', '.join(MOVIE_CODECS)}"
            )
        self.settings = settings
        self.selection = TimelineSelection(
            markers=MarkerConvention(name_prefix=settings.marker_prefix),
            handles=settings.handles,
            min_keyframe_gap=engine_entry(settings.engine).info.min_keyframe_gap,
        )

    def plans(self) -> list[ClipPlan]:
        """The selected clips, their frames and keyframes (or why one will be skipped)."""
        return plan_timeline(self.timeline, self.selection)

    @property
    def output_dir(self) -> str:
        return self.settings.output_folder(self.resolve_timeline.project.GetName())

    def upscale(
        self,
        progress: Callable[[ClipPlan, int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> TimelineResult:
        """Upscales the selected clips on the configured server (starting a local one if
        allowed). Touches nothing in Resolve.

        Raises:
            ServerUnavailableError: no server answers and none may or could be started.
        """
        settings = self.settings
        upscale_settings = UpscaleSettings(
            scale=settings.scale,
            engine=settings.engine,
            provider=provider_settings_from_env(name=settings.provider)
            if settings.provider
            else None,
            output_format=settings.output_format,
        )
        with connected(settings, self.log) as client:
            return upscale_timeline(
                self.timeline,
                self.selection,
                upscale_settings,
                self.output_dir,
                client=client,
                progress=progress,
                should_stop=should_stop,
            )

    def place(self, result: TimelineResult) -> ResolveReport:
        """Imports and places the finished clips, and marks each with what was done; a
        cancelled run adds nothing."""
        if result.cancelled:
            return ResolveReport(result, 0)
        placed = self.resolve_timeline.place(
            result.outcomes, self.settings.scale, self.settings.bin_name
        )
        for outcome in result.outcomes:
            if not outcome.done:
                continue
            plan = outcome.plan
            keys = ", ".join(str(key.frame) for key in plan.keyframes) or "none (blind)"
            self.resolve_timeline.add_marker(
                plan.clip.metadata["resolve"]["record_frame"],
                f"SparkVSR x{self.settings.scale}",
                f"Upscaled with {self.settings.engine}; keyframes at media frames {keys}; "
                f"{outcome.output}",
                {"output": outcome.output, "sidecar": sidecar_path(outcome.output)},
            )
        return ResolveReport(result, len(placed))


@contextlib.contextmanager
def connected(settings: ResolveSettings, log: Log) -> Iterator[Client]:
    """A Client for the settings' server, started on this machine first when it is the local
    one, none answers, and the settings allow it."""
    client = Client(settings.address)
    try:
        if not _answers(client):
            if settings.server != LOCAL_SERVER or not settings.start_local_server:
                hint = " or allow starting it" if settings.server == LOCAL_SERVER else ""
                raise ServerUnavailableError(
                    f"no SparkVSR server answers at {settings.address}; start one with "
                    f"`sparkvsr serve`{hint}"
                )
            _start_local_server(settings, client, log)
        yield client
    finally:
        client.close()


def _answers(client: Client) -> bool:
    try:
        client.server_info(timeout_s=2.0)
    except ServerUnavailableError:
        return False
    return True


def _start_local_server(settings: ResolveSettings, client: Client, log: Log) -> None:
    python = settings.python
    if not python or not os.path.exists(python):
        raise ServerUnavailableError(
            "no local SparkVSR server answers and the settings name no Python to start one "
            "with: run `sparkvsr resolve install` again, or start `sparkvsr serve` yourself"
        )
    port = settings.address.rsplit(":", 1)[1]
    log_path = os.path.join(tempfile.gettempdir(), "sparkvsr-resolve-server.log")
    log(f"starting a local SparkVSR server on port {port} (log: {log_path})")
    with open(log_path, "ab") as server_log:
        process = subprocess.Popen(
            [python, "-m", "sparkvsr", "serve", "--port", port],
            stdout=server_log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives the script, serves the next run too
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not _answers(client):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerUnavailableError(f"the local SparkVSR server did not start; see {log_path}")
        time.sleep(0.25)
