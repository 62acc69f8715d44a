"""One run of "Upscale with SparkVSR": the selection as a timeline, the upscaling, the import.

The upscaling itself is the library's timeline bridge; this module only connects it to Resolve
and to a server. The slow part (`upscale`) touches no Resolve object, so a dialog can run it on
a worker thread; `place` must run where Resolve's API may be called (the script's thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkvsr.connection import connection_options
from sparkvsr.engines import DEFAULT_ENGINE, engine_entries
from sparkvsr.errors import InvalidInputError
from sparkvsr.media import MOVIE_CODECS
from sparkvsr.runners import ensure_server, open_runner
from sparkvsr.timeline import (
    ClipPlan,
    MarkerConvention,
    TimelineResult,
    TimelineSelection,
    plan_timeline,
    upscale_timeline,
)
from sparkvsr_resolve._api import resolve_version
from sparkvsr_resolve._placing import add_provenance, place
from sparkvsr_resolve._resolve import ResolveTimeline
from sparkvsr_resolve._settings import LOCAL_SERVER, ResolveSettings

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
        self.engine = settings.job.engine or DEFAULT_ENGINE
        """The engine the clips ran on (the server's default when the settings name none)."""
        self.use(settings)

    def use(self, settings: ResolveSettings) -> None:
        """Runs with these settings from now on (the dialog's choices)."""
        if settings.job.output_format not in MOVIE_CODECS:
            raise InvalidInputError(
                f"Resolve imports movies: choose an output format of {', '.join(MOVIE_CODECS)}"
            )
        self.settings = settings
        # The engine's spacing rule as the registry knows it; a server-only engine is checked
        # by the server when the job runs.
        engine = settings.job.engine or DEFAULT_ENGINE
        known = {entry.info.name: entry.info for entry in engine_entries()}
        self.selection = TimelineSelection(
            markers=MarkerConvention(name_prefix=settings.marker_prefix),
            handles=settings.handles,
            min_keyframe_gap=known[engine].min_keyframe_gap if engine in known else 1,
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
        options = connection_options(settings.address, token=settings.token)
        ensure_server(
            options,
            start_local=settings.server == LOCAL_SERVER and settings.start_local_server,
            python=settings.python or None,
            log=self.log,
        )
        with open_runner(options) as runner:
            self.engine = settings.job.engine or runner.default_engine
            return upscale_timeline(
                self.timeline,
                self.selection,
                settings.job,
                self.output_dir,
                runner=runner,
                progress=progress,
                should_stop=should_stop,
            )

    def place(self, result: TimelineResult) -> ResolveReport:
        """Imports and places the finished clips, and marks each with what was done; a
        cancelled run adds nothing."""
        if result.cancelled:
            return ResolveReport(result, 0)
        scale = self.settings.job.scale
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
                f"Upscaled with {self.engine}; keyframes at media frames {keys}; {outcome.output}",
            )
            notes += [note] if note else []
        return ResolveReport(result, len(placed.items), placed.tracks, tuple(notes))
