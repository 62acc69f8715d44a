"""Jobs on media named by path: the server decodes, upscales through its own job manager, and
writes the mezzanine and its sidecar itself (for editor panels and farm tasks on this host)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import uuid

from sparkvsr.errors import EngineError, InvalidInputError, JobCancelledError, SparkVSRError
from sparkvsr.sidecar import job_record, write_sidecar
from sparkvsr.specs import JobState, JobStatus
from sparkvsr.upscale_file import FileJob, check_file_job, upscale_file
from sparkvsr_server.jobs._runner import ManagerRunner

logger = logging.getLogger(__name__)


class MediaJob:
    """One media job; its state lives on the event loop, its work on a thread of its own.

    It answers the same questions as an engine job (status, cancel, changes), so GetJob,
    CancelJob and WatchJob serve both.
    """

    def __init__(self, job: FileJob, runner: ManagerRunner, loop: asyncio.AbstractEventLoop):
        self.id = uuid.uuid4().hex
        self.file_job = job
        self.state = JobState.QUEUED
        self.frames_done = 0
        self.frame_count = len(job.frames) if job.frames else 0
        self.stage = "queued"
        self.error: SparkVSRError | None = None
        self.sidecar = ""
        self.finished_at: float | None = None
        self.version = 0
        self._runner = runner
        self._loop = loop
        self._waiters: list[asyncio.Future] = []
        self._cancelled = threading.Event()

    # -- event loop side ------------------------------------------------------------------------

    def start(self) -> None:
        name = f"sparkvsr-media-{self.id[:8]}"
        threading.Thread(target=self._work, name=name, daemon=True).start()

    def status(self) -> JobStatus:
        done = self.state is JobState.SUCCEEDED
        return JobStatus(
            job_id=self.id,
            state=self.state,
            frames_done=self.frames_done,
            frame_count=self.frame_count,
            message=str(self.error or ""),
            input_complete=True,
            output_path=os.path.abspath(self.file_job.output) if done else "",
            sidecar_path=self.sidecar if done else "",
            stage=self.stage,
        )

    def cancel(self, reason: str) -> None:
        if self.state.finished:
            return
        self._cancelled.set()
        engine_job = self._runner.current
        if engine_job is not None:
            engine_job.cancel(reason)
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
        self.version += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- worker thread side ---------------------------------------------------------------------

    def _report(self, **changes) -> None:
        self._loop.call_soon_threadsafe(lambda: self._set(**changes))

    def _work(self) -> None:
        self._report(state=JobState.RUNNING, stage="restoring keyframes")
        try:
            result = upscale_file(self.file_job, self._runner, progress=self._on_frame)
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
        if self._cancelled.is_set():
            raise JobCancelledError(f"job {self.id} was cancelled")
        self._report(frames_done=done, frame_count=total, stage="upscaling")


def _ended_state(error: SparkVSRError) -> JobState:
    return JobState.CANCELLED if isinstance(error, JobCancelledError) else JobState.FAILED


async def start_media_job(
    job: FileJob, runner: ManagerRunner, loop: asyncio.AbstractEventLoop
) -> MediaJob:
    """Checks the job as far as can be done before decoding, then starts it.

    Raises:
        NotFoundError, InvalidInputError: the source, a still, a keyframe or the output is wrong;
            the message names it. Nothing is started then.
    """
    await asyncio.to_thread(check_file_job, job, runner)
    if os.path.exists(job.output) and not job.settings.overwrite:
        raise InvalidInputError(f"{job.output} exists; set overwrite to replace it")
    media_job = MediaJob(job, runner, loop)
    media_job.start()
    return media_job
