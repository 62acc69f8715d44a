"""Jobs on media named by path: the server decodes, upscales through its own job manager, and
writes the mezzanine and its sidecar itself (for editor panels and farm tasks on this host)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time

from sparkvsr.errors import EngineError, InvalidInputError, JobCancelledError, SparkVSRError
from sparkvsr.sidecar import job_record, write_sidecar
from sparkvsr.specs import JobState, JobStatus
from sparkvsr.upscale_file import FileJob, check_file_job, file_job_spec, upscale_file
from sparkvsr_server.jobs._media_store import MediaJobStore
from sparkvsr_server.jobs._runner import ManagerRunner
from sparkvsr_server.jobs._store import journalled_error

logger = logging.getLogger(__name__)


class MediaJob:
    """One media job; its state lives on the event loop, its work on a thread of its own.

    It answers the same questions as an engine job (status, cancel, changes), so GetJob,
    CancelJob and WatchJob serve both. Its end is journalled in `store`, unless the server
    stopped it to run it again when it restarts.
    """

    def __init__(
        self,
        job: FileJob | None,
        runner: ManagerRunner | None,
        loop: asyncio.AbstractEventLoop,
        *,
        job_id: str,
        store: MediaJobStore,
    ):
        self.id = job_id
        self.file_job = job
        self.output = os.path.abspath(job.output) if job else ""
        self.state = JobState.QUEUED
        self.frames_done = 0
        self.frame_count = len(job.frames) if job and job.frames else 0
        self.stage = "queued"
        self.error: SparkVSRError | None = None
        self.sidecar = ""
        self.finished_at: float | None = None
        self.version = 0
        self._runner = runner
        self._loop = loop
        self._store = store
        self._waiters: list[asyncio.Future] = []
        self._cancelled = threading.Event()
        # Orders a cancel against the last frame: once that is written the movie goes into
        # place, so a later cancel lets the job finish (the files and the state then agree).
        self._commit_lock = threading.Lock()
        self._committed = False
        self._keep_for_restart = False
        self._thread: threading.Thread | None = None

    @classmethod
    def ended(
        cls, job_id: str, journal: dict, store: MediaJobStore, loop: asyncio.AbstractEventLoop
    ) -> MediaJob:
        """A media job that ended before the server restarted, as its journal tells it."""
        job = cls(None, None, loop, job_id=job_id, store=store)
        job.state = JobState(journal["state"])
        job.output, job.sidecar = journal.get("output", ""), journal.get("sidecar", "")
        job.frames_done, job.frame_count = journal.get("frames_done", 0), journal.get("frames", 0)
        job.error = journalled_error(journal)
        job.finished_at = time.monotonic() - (time.time() - journal.get("finished", time.time()))
        return job

    # -- event loop side ------------------------------------------------------------------------

    def start(self) -> None:
        name = f"sparkvsr-media-{self.id[:8]}"
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def stopped(self, timeout_s: float) -> None:
        """Returns once its thread has ended (its partial output removed), or after timeout_s."""
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, timeout_s)

    def status(self) -> JobStatus:
        done = self.state is JobState.SUCCEEDED
        return JobStatus(
            job_id=self.id,
            state=self.state,
            frames_done=self.frames_done,
            frame_count=self.frame_count,
            message=str(self.error or ""),
            input_complete=True,
            output_path=self.output if done else "",
            sidecar_path=self.sidecar if done else "",
            stage=self.stage,
        )

    def cancel(self, reason: str, *, keep_for_restart: bool = False) -> None:
        """Stops the job (its thread removes what it had written). `keep_for_restart` leaves
        its journal unfinished, so a server restarted on the same spool runs it again. A cancel
        that comes after the last frame was written changes nothing: the job finishes."""
        if self.state.finished:
            return
        with self._commit_lock:
            if self._committed:
                logger.info("media job %s: %s after its last frame; it finishes", self.id, reason)
                return
            self._cancelled.set()
        self._keep_for_restart = keep_for_restart
        self._runner.cancel(reason)
        self._set(state=JobState.CANCELLED, error=JobCancelledError(reason), stage="cancelled")

    async def wait_for_change(self, seen_version: int) -> None:
        if self.version == seen_version:
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            await waiter

    def _set(self, **changes) -> None:
        if self.state.finished:
            return  # a cancel already ended it: later reports from the thread change nothing
        for name, value in changes.items():
            setattr(self, name, value)
        if self.state.finished:
            self.finished_at = time.monotonic()
            reason = f" ({self.error})" if self.error else ""
            logger.info("media job %s %s%s", self.id, self.state.value, reason)
            if not self._keep_for_restart:
                self._journal_end()
        self.version += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _journal_end(self) -> None:
        try:
            self._store.record(
                self.id,
                state=self.state.value,
                message=str(self.error or ""),
                error=type(self.error).__name__ if self.error else "",
                output=self.output,
                sidecar=self.sidecar,
                frames_done=self.frames_done,
                frames=self.frame_count,
                finished=time.time(),
            )
        except OSError as error:  # it ended all the same; only a restart would not know
            logger.warning("media job %s: its end was not journalled (%s)", self.id, error)

    # -- worker thread side ---------------------------------------------------------------------

    def _report(self, **changes) -> None:
        self._loop.call_soon_threadsafe(lambda: self._set(**changes))

    def _work(self) -> None:
        self._report(state=JobState.RUNNING, stage="restoring keyframes")
        try:
            result = upscale_file(
                self.file_job,
                self._runner,
                progress=self._on_frame,
                check_cancelled=self._check_cancelled,
            )
            self._report(stage="writing the sidecar")
            sidecar = write_sidecar(result.output, job_record(self.file_job, result))
        except SparkVSRError as error:
            self._report(state=_ended_state(error), error=error, stage="")
            return
        except Exception as error:  # a bug must fail the job, not leave it running forever
            logger.exception("media job %s failed", self.id)
            self._report(state=JobState.FAILED, error=EngineError(f"internal error: {error}"))
            return
        logger.info("media job %s wrote %s", self.id, result.output)
        self._report(state=JobState.SUCCEEDED, sidecar=sidecar, stage="done")

    def _on_frame(self, done: int, total: int) -> None:
        with self._commit_lock:
            self._check_cancelled()
            self._committed = done == total  # no cancel stops the movie from here on
        self._report(frames_done=done, frame_count=total, stage="upscaling")

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise JobCancelledError(f"job {self.id} was cancelled")


def _ended_state(error: SparkVSRError) -> JobState:
    return JobState.CANCELLED if isinstance(error, JobCancelledError) else JobState.FAILED


async def start_media_job(
    job: FileJob,
    runner: ManagerRunner,
    loop: asyncio.AbstractEventLoop,
    *,
    job_id: str,
    store: MediaJobStore,
    journal: dict | None = None,
) -> MediaJob:
    """Checks the job as far as can be done before decoding, journals `journal` (what the job
    is, for a restart) in `store`, then starts it.

    Raises:
        NotFoundError, InvalidInputError: the source, a still, a keyframe or the output is wrong;
            the message names it. Nothing is started then.
        ResourceExhaustedError: the job store has no room for it (max_spool_bytes).
    """
    info, frames, rules = await asyncio.to_thread(check_file_job, job, runner)
    runner.check_room(file_job_spec(job, info, frames, rules, []))  # before any decoding
    if os.path.exists(job.output) and not job.settings.overwrite:
        raise InvalidInputError(f"{job.output} exists; set overwrite to replace it")
    if journal is not None:
        await asyncio.to_thread(store.record, job_id, **journal)
    media_job = MediaJob(job, runner, loop, job_id=job_id, store=store)
    logger.info("media job %s accepted: %s -> %s", job_id, job.source, job.output)
    media_job.start()
    return media_job
