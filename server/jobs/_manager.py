"""The job registry and its workers: one thread per device, each with its own engine instances."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Protocol

from sparkvsr.engines import EngineInfo, check_job_fits_engine
from sparkvsr.errors import (
    EngineError,
    EngineUnavailableError,
    InvalidInputError,
    NotFoundError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.pipeline import WindowCache
from sparkvsr.specs import JobSpec, JobState
from sparkvsr_server._config import ServerConfig
from sparkvsr_server.jobs._job import Job
from sparkvsr_server.jobs._limits import check_job_limits, spool_bytes
from sparkvsr_server.jobs._spool import Spool
from sparkvsr_server.jobs._store import JobStore
from sparkvsr_server.scheduling import EngineFactory, FairQueue, WindowScheduler

logger = logging.getLogger(__name__)

# How often the dispatcher looks for room for the next job.
_POLL_S = 0.05
# A job whose client has sent nothing it needs for this long leaves its place to the next job.
_QUIET_S = 0.5


class CollectedWindowCache(WindowCache, Protocol):
    """A window cache whose windows unused for a while can be removed."""

    def collect(self, max_age_s: float) -> int: ...


class JobManager:
    """Admits jobs, runs them on worker threads, keeps their frames until they expire.

    Jobs live in a durable store in the spool: a manager started on the spool of one that died
    finds its jobs, runs the unfinished ones again (finished windows, kept in `windows`, are
    reused) and serves the finished ones' frames.
    """

    def __init__(
        self,
        config: ServerConfig,
        engines: Mapping[str, tuple[EngineInfo, EngineFactory]],
        loop: asyncio.AbstractEventLoop,
        spool: Spool,
        windows: CollectedWindowCache,
    ):
        self._config = config
        self._engines = dict(engines)
        self._loop = loop
        self._jobs: dict[str, Job] = {}
        self._queue: FairQueue[Job] = FairQueue()
        self._accepting = True
        self._spool = spool
        self._store = JobStore(spool.root / "jobs")
        self._windows = windows
        # A job starts whenever a device would otherwise have no window to run; each has a
        # driver thread (its input, its assembly), which may wait on the client: a device never
        # does. A job waiting for its client still counts against the jobs that may wait.
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="sparkvsr-jobs", daemon=True
        )
        self._drivers: set[threading.Thread] = set()
        self._driven: set[Job] = set()
        self._driving = threading.Semaphore(config.workers + config.max_queued_jobs)
        self._stopping = threading.Event()
        devices = config.devices or (None,) * config.workers
        self._scheduler = WindowScheduler(devices, self._engines, config.default_engine)
        self._collected_at = -float("inf")
        self._restore()

    @property
    def accepting(self) -> bool:
        """False once shutdown began: new work is refused."""
        return self._accepting

    @property
    def default_engine(self) -> str:
        return self._config.default_engine

    @property
    def engine_infos(self) -> dict[str, EngineInfo]:
        """The rules of each engine this server runs, by name."""
        return {name: info for name, (info, _) in self._engines.items()}

    @property
    def worker_devices(self) -> tuple[str | None, ...]:
        """The device of each worker (None = the engine's default device)."""
        return self._scheduler.devices

    @property
    def engine_failure(self) -> str | None:
        """Why the default engine failed to load, if it did; its jobs then fail with this."""
        return self._scheduler.engine_failure

    def start(self) -> None:
        """Starts the workers and returns once each has tried to load the default engine (see
        `engine_failure`)."""
        self._scheduler.start()
        self._dispatcher.start()

    def submit(self, spec: JobSpec, *, owner: str = "") -> Job:
        """Admits a job after checking it against its engine's rules and the server's limits;
        `owner` (a client's identity) shares the workers fairly between clients."""
        if not self._accepting:
            raise EngineUnavailableError("the server is shutting down")
        if spec.engine not in self._engines:
            raise InvalidInputError(
                f"unknown engine {spec.engine!r}; this server runs: "
                f"{', '.join(sorted(self._engines))}"
            )
        if self.engine_failure and spec.engine == self._config.default_engine:
            raise EngineUnavailableError(self.engine_failure)
        info = self._engines[spec.engine][0]
        check_job_fits_engine(spec, info)
        check_job_limits(spec, info, self._config)
        self._collect()
        if len(self._queue) >= self._config.max_queued_jobs:
            raise ResourceExhaustedError(
                f"{len(self._queue)} jobs are already waiting; try again when one has started"
            )
        self.check_room(spec)
        job = self._add(self._store.create(uuid.uuid4().hex, spec, owner))
        job.log_accepted()
        self._queue.put(job, owner)
        return job

    def check_room(self, spec: JobSpec) -> None:
        """Raises ResourceExhaustedError, saying why, when the job store has no room for a job
        of `spec` beside the jobs it keeps (ServerConfig.max_spool_bytes)."""
        held = sum(spool_bytes(job.spec) for job in self._jobs.values())
        self._spool.check_room(spool_bytes(spec), held)

    def get(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise NotFoundError(f"no job {job_id!r} on this server (it may have expired)") from None

    def jobs_of(self, owner: str) -> list[Job]:
        """The jobs `owner` submitted that are kept now (restored ones included)."""
        return [job for job in self._jobs.values() if job.owner == owner]

    def stop_accepting(self) -> None:
        """Refuses new jobs from now on; those admitted run on."""
        self._accepting = False

    async def shutdown(self, grace_s: float) -> None:
        """Stops admitting jobs, lets running ones and the streams reading them finish within
        `grace_s`, then cancels the rest (a durable store keeps them for the next start)."""
        self.stop_accepting()
        deadline = time.monotonic() + grace_s
        await _until(lambda: all(job.state.finished for job in self._jobs.values()), deadline)
        await _until(lambda: not any(job.readers for job in self._jobs.values()), deadline)
        for job in self._jobs.values():
            job.cancel("the server is shutting down", keep_for_restart=not self._spool.temporary)
        self._stopping.set()
        self._queue.stop(1)
        await asyncio.to_thread(self._join_drivers)
        await asyncio.to_thread(self._scheduler.stop)

    def _join_drivers(self) -> None:
        if self._dispatcher.is_alive():
            self._dispatcher.join(timeout=10)
        for driver in list(self._drivers):
            driver.join(timeout=10)

    def _add(self, files) -> Job:
        job = Job(files, self._loop, idle_limit_s=self._config.stream_idle_s)
        self._jobs[job.id] = job
        return job

    def _restore(self) -> None:
        """Finds the jobs a previous server left in the store and queues the unfinished ones."""
        for files in self._store.load():
            job = self._add(files)
            if job.state.finished:
                continue
            if not job.input_complete:
                job.fail(
                    EngineUnavailableError(
                        "the server restarted before it had all of the job's input; send the "
                        "job again"
                    )
                )
                continue
            job.state = JobState.QUEUED
            logger.info("resuming job %s from frame %d", job.id, job.frames_done)
            self._queue.put(job, job.owner)
        self._collect()

    def _collect(self) -> None:
        """Removes finished jobs and stored windows past their retention period (looking at
        most a few times per period: the window store can hold many files)."""
        now = time.monotonic()
        if now - self._collected_at < min(60.0, self._config.job_ttl_s / 4):
            return
        self._collected_at = now
        for job_id, job in list(self._jobs.items()):
            if job.finished_at is not None and now - job.finished_at > self._config.job_ttl_s:
                if not job.readers:
                    job.remove_spool()
                    del self._jobs[job_id]
        self._windows.collect(self._config.job_ttl_s)

    def _dispatch(self) -> None:
        """Starts the next waiting job (round-robin between clients) whenever there is room."""
        while not self._stopping.is_set():
            if not self._has_room() or not self._driving.acquire(timeout=_POLL_S):
                time.sleep(_POLL_S)
                continue
            try:  # briefly: the room it found may be gone by the time a job comes
                job = self._queue.get(_POLL_S)
            except TimeoutError:
                self._driving.release()
                continue
            if job is None:
                self._driving.release()
                return
            if job.state.finished:  # cancelled while it waited
                self._driving.release()
                continue
            driver = threading.Thread(
                target=self._drive, args=(job,), name=f"sparkvsr-job-{job.id[:8]}", daemon=True
            )
            self._drivers.add(driver)
            self._driven.add(job)
            driver.start()

    def _has_room(self) -> bool:
        """Whether a device would otherwise go without work: fewer jobs are running than there
        are devices, not counting those that have waited a while for their clients (a client
        streaming its input keeps its job's place)."""
        quiet = [job for job in list(self._driven) if job.waiting_for_input_s() > _QUIET_S]
        busy = len(self._driven) - len(quiet)
        return busy < len(self._scheduler.devices)

    def _drive(self, job: Job) -> None:
        try:
            self._run_reporting(job)
        finally:
            self._driven.discard(job)
            self._drivers.discard(threading.current_thread())
            self._driving.release()

    def _run_reporting(self, job: Job) -> None:
        """Runs the job; whatever goes wrong fails it with a reason, never the server."""
        try:
            self._run(job)
        except SparkVSRError as error:
            job.failed(error)
        except OSError as error:  # the job store: say what, not where
            logger.exception("job %s: the job store failed", job.id)
            job.failed(
                ResourceExhaustedError(
                    f"the server cannot store job {job.id}'s frames now ({error.strerror})"
                )
            )
        except Exception as error:  # an engine bug must fail the job, not kill the server
            logger.exception("job %s failed", job.id)
            job.failed(EngineError(f"internal error in the engine: {error}"))

    def _run(self, job: Job) -> None:
        job.started()
        info = self._engines[job.spec.engine][0]
        lead = (job.spec.chunk_length or info.chunk_length) + info.keyframe_reach
        frames = self._scheduler.run(
            job.spec, job.inputs(lead), windows=self._windows, report=job.set_stage, owner=job.owner
        )
        for frame in frames:
            job.store_frame(frame.index, frame.image)
        job.succeeded()


async def _until(condition: Callable[[], bool], deadline: float) -> None:
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
