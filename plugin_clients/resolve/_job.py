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
    upscale_timeline,
)
from sparkvsr_resolve._api import resolve_version
from sparkvsr_resolve._placing import add_provenance, place
from sparkvsr_resolve._resolve import ResolveTimeline
from sparkvsr_resolve._settings import LOCAL_SERVER, ResolveSettings

SERVER_START_TIMEOUT_S = 60.0
Log = Callable[[str], None]


@dataclass
class ResolveReport:
    """What a run did, for the console or the dialog."""

    result: TimelineResult
    placed: int
    tracks: int = 1
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.result.cancelled:
            return self.result.summary() + "\ncancelled: nothing was added to the project"
        where = "a new track" if self.tracks <= 1 else f"{self.tracks} new tracks"
        lines = [self.result.summary(), f"placed {self.placed} clips on {where}"]
        return "\n".join(lines + [f"note: {note}" for note in self.notes])


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
        selected, left_out = self.resolve_timeline.selected_items()
        self.timeline, refused = self.resolve_timeline.to_otio(selected)
        self.refused: list[str] = left_out + refused
        """One line per chosen item left out (transitions, stale items, clips Resolve cannot
        have placed back), saying why."""
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
        scale = self.settings.scale
        placed = place(self.resolve_timeline, result.outcomes, scale, self.settings.bin_name)
        notes = list(placed.notes)
        for outcome in result.outcomes:
            if not outcome.done:
                continue
            keys = ", ".join(str(key.frame) for key in outcome.plan.keyframes) or "none (blind)"
            note = add_provenance(
                self.resolve_timeline,
                outcome,
                # Not the keyframe prefix: a later run must not take it for a keyframe.
                f"Upscaled x{scale}",
                f"Upscaled with {self.settings.engine}; keyframes at media frames {keys}; "
                f"{outcome.output}",
            )
            notes += [note] if note else []
        return ResolveReport(result, len(placed.items), placed.tracks, tuple(notes))


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
