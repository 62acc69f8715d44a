"""Every media job of the server by id: started, journalled in the spool, resumed under the same
id after a restart, finished or stopped for a restart at shutdown, collected after retention."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from sparkvsr.atomic import LEFTOVER_PREFIX
from sparkvsr.errors import SparkVSRError
from sparkvsr.settings import FileJob
from sparkvsr.specs import JobState
from sparkvsr_server.jobs._manager import JobManager
from sparkvsr_server.jobs._media_job import MediaJob, start_media_job
from sparkvsr_server.jobs._media_store import MediaJobStore
from sparkvsr_server.jobs._runner import ManagerRunner

logger = logging.getLogger(__name__)

MakeFileJob = Callable[[dict], Awaitable[FileJob]]
"""Turns a stored request (the protobuf JSON of StartMediaJobRequest) into its file job."""

# How long a stopped media job's thread may take to remove what it had written.
_STOP_S = 10.0


class MediaJobRegistry:
    """Media jobs by id, each journalled in `root` from the moment it is accepted."""

    def __init__(
        self, manager: JobManager, loop: asyncio.AbstractEventLoop, root: Path, ttl_s: float
    ):
        self._manager = manager
        self._loop = loop
        self._store = MediaJobStore(root)
        self._ttl_s = ttl_s
        self._jobs: dict[str, MediaJob] = {}

    async def start(self, job: FileJob, request: dict) -> MediaJob:
        """Checks and starts a media job (see start_media_job), journalling its request first."""
        job_id = uuid.uuid4().hex
        media_job = await self._start(job_id, job, request)
        self._jobs[job_id] = media_job
        return media_job

    def get(self, job_id: str) -> MediaJob | None:
        self._expire()
        return self._jobs.get(job_id)

    async def resume(self, make_job: MakeFileJob) -> None:
        """Brings back the media jobs a previous server left: ended ones answer for their end,
        unfinished ones run again under their id (their engine windows are reused)."""
        for job_id, journal in self._store.load().items():
            if "state" in journal:
                self._jobs[job_id] = MediaJob.ended(job_id, journal, self._store, self._loop)
                continue
            for engine_job in self._manager.jobs_of(_owner(job_id)):
                engine_job.cancel("its media job runs again")
            try:
                job = await make_job(journal["request"])
                # What is there is this job's own output, from before the restart.
                job = dataclasses.replace(
                    job, settings=dataclasses.replace(job.settings, overwrite=True)
                )
                _remove_partial_output(Path(job.output))
                self._jobs[job_id] = await self._start(job_id, job, None)
            except SparkVSRError as error:
                self._jobs[job_id] = self._failed(job_id, journal, error)
                continue
            logger.info("resuming media job %s", job_id)
        self._expire()

    async def finish(self, deadline: float) -> None:
        """At shutdown: lets media jobs finish until `deadline` (time.monotonic()), then stops
        the rest, to run again when the server restarts, and waits for their cleanup."""
        while any(not job.state.finished for job in self._jobs.values()):
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        for job in self._jobs.values():
            job.cancel("the server is shutting down", keep_for_restart=True)
        await asyncio.gather(*(job.stopped(_STOP_S) for job in self._jobs.values()))

    async def _start(self, job_id: str, job: FileJob, request: dict | None) -> MediaJob:
        runner = ManagerRunner(self._manager, self._loop, owner=_owner(job_id))
        return await start_media_job(
            job,
            runner,
            self._loop,
            job_id=job_id,
            store=self._store,
            journal=None if request is None else {"request": request},
        )

    def _failed(self, job_id: str, journal: dict, error: SparkVSRError) -> MediaJob:
        """A media job that cannot run again (its source went, say): failed, with the reason."""
        end = {
            "state": JobState.FAILED.value,
            "message": f"the server restarted and cannot run the job again: {error}",
            "error": type(error).__name__,
            "finished": time.time(),
        }
        self._store.record(job_id, **end)
        return MediaJob.ended(job_id, {**journal, **end}, self._store, self._loop)

    def _expire(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.finished_at is not None and now - job.finished_at > self._ttl_s:
                del self._jobs[job_id]
                self._store.remove(job_id)


def _owner(job_id: str) -> str:
    """The owner of a media job's engine jobs (fair scheduling; found again after a restart)."""
    return f"media job {job_id}"


def _remove_partial_output(output: Path) -> None:
    """A movie a killed server was writing for this job (named by sparkvsr.atomic)."""
    for leftover in output.parent.glob(f"{LEFTOVER_PREFIX}*-{output.name}"):
        leftover.unlink(missing_ok=True)
