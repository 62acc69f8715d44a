"""The job registry and its workers: one thread per device, each with its own engine instances."""

from __future__ import annotations

import asyncio
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from sparkvsr.engines import EngineInfo, check_job_fits_engine
from sparkvsr.errors import (
    EngineError,
    EngineUnavailableError,
    InvalidInputError,
    NotFoundError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.specs import JobSpec
from sparkvsr_server._config import ServerConfig
from sparkvsr_server._jobs import Job
from sparkvsr_server._scheduler import EngineFactory, WindowScheduler

logger = logging.getLogger(__name__)

_STOP = None


class JobManager:
    """Admits jobs, runs them on worker threads, keeps their frames until they expire."""

    def __init__(
        self,
        config: ServerConfig,
        engines: Mapping[str, tuple[EngineInfo, EngineFactory]],
        loop: asyncio.AbstractEventLoop,
    ):
        self._config = config
        self._engines = dict(engines)
        self._loop = loop
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue = queue.Queue()
        self._queued = 0
        self._lock = threading.Lock()
        self._accepting = True
        self._own_spool = config.spool_dir is None
        self._spool = Path(config.spool_dir or tempfile.mkdtemp(prefix="sparkvsr-jobs-"))
        # Jobs run side by side, as many as there are devices; their windows share the devices.
        self._workers = [
            threading.Thread(target=self._work, name=f"sparkvsr-job-{i}", daemon=True)
            for i in range(config.workers)
        ]
        devices = config.devices or (None,) * config.workers
        self._scheduler = WindowScheduler(devices, self._engines, config.default_engine)

    @property
    def spool(self) -> Path:
        """The folder under which jobs keep their frames (and the server its caches)."""
        return self._spool

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

    def start(self) -> None:
        """Starts the workers and returns once each has loaded the default engine."""
        self._scheduler.start()
        for worker in self._workers:
            worker.start()

    def submit(self, spec: JobSpec) -> Job:
        """Admits a job after checking it against its engine's rules."""
        if not self._accepting:
            raise EngineUnavailableError("the server is shutting down")
        if spec.engine not in self._engines:
            raise InvalidInputError(
                f"unknown engine {spec.engine!r}; this server runs: "
                f"{', '.join(sorted(self._engines))}"
            )
        check_job_fits_engine(spec, self._engines[spec.engine][0])
        self._expire_old_jobs()
        with self._lock:
            if self._queued >= self._config.max_queued_jobs:
                raise ResourceExhaustedError(
                    f"{self._queued} jobs are already waiting; try again when one has started"
                )
            self._queued += 1
        job = Job(spec, self._spool, self._loop)
        self._jobs[job.id] = job
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise NotFoundError(f"no job {job_id!r} on this server (it may have expired)") from None

    async def shutdown(self, grace_s: float) -> None:
        """Stops admitting jobs, lets running ones finish for `grace_s`, cancels the rest."""
        self._accepting = False
        deadline = time.monotonic() + grace_s
        while any(not job.state.finished for job in self._jobs.values()):
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        for job in self._jobs.values():
            job.cancel("the server is shutting down")
        for _ in self._workers:
            self._queue.put(_STOP)
        await asyncio.to_thread(self._join_workers)
        await asyncio.to_thread(self._scheduler.stop)
        if self._own_spool:
            shutil.rmtree(self._spool, ignore_errors=True)

    def _join_workers(self) -> None:
        for worker in self._workers:
            worker.join(timeout=10)

    def _expire_old_jobs(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.finished_at is not None and now - job.finished_at > self._config.job_ttl_s:
                job.remove_spool()
                del self._jobs[job_id]

    def _work(self) -> None:
        while (job := self._queue.get()) is not _STOP:
            with self._lock:
                self._queued -= 1
            if job.state.finished:  # cancelled while it waited
                continue
            try:
                self._run(job)
            except SparkVSRError as error:
                job.failed(error)
            except Exception as error:  # an engine bug must fail the job, not kill the worker
                logger.exception("job %s failed", job.id)
                job.failed(EngineError(f"internal error in the engine: {error}"))

    def _run(self, job: Job) -> None:
        job.started()
        for frame in self._scheduler.run(job.spec, job.inputs()):
            job.store_frame(frame.index, frame.image)
        job.succeeded()
