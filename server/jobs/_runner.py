"""A Runner over this server's own job manager, for work the server drives itself (media jobs,
windows): the same queue, workers and engines as jobs streamed over gRPC."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterable, Iterator

from sparkvsr.engines import EngineInfo
from sparkvsr.errors import InvalidInputError, JobCancelledError, SparkVSRError
from sparkvsr.specs import InputItem, JobSpec, OutputFrame
from sparkvsr_server.jobs._job import Job
from sparkvsr_server.jobs._manager import JobManager


class ManagerRunner:
    """Runs jobs on the manager from a thread other than the event loop's."""

    def __init__(self, manager: JobManager, loop: asyncio.AbstractEventLoop, owner: str = ""):
        self._manager = manager
        self._loop = loop
        self._owner = owner
        self.current: Job | None = None
        """The engine job running now (set on the event loop)."""
        self._cancelled: str | None = None

    @property
    def default_engine(self) -> str:
        return self._manager.default_engine

    def engine_info(self, name: str) -> EngineInfo:
        infos = self._manager.engine_infos
        if name not in infos:
            raise InvalidInputError(
                f"unknown engine {name!r}; this server runs: {', '.join(sorted(infos))}"
            )
        return infos[name]

    def check_room(self, spec: JobSpec) -> None:
        """Refuses (ResourceExhaustedError) a job the server's job store has no room for."""
        self._manager.check_room(spec)

    def cancel(self, reason: str) -> None:
        """On the event loop: cancels the engine job running now and refuses any later one (its
        owner was cancelled while it did other work, restoring keyframes say)."""
        self._cancelled = reason
        if self.current is not None:
            self.current.cancel(reason)

    def run(self, spec: JobSpec, items: Iterable[InputItem]) -> Iterator[OutputFrame]:
        job = self._on_loop(self._submit(spec))
        feeder = threading.Thread(target=self._feed, args=(job, items), daemon=True)
        feeder.start()
        return self._frames(job, spec.frame_count)

    def _frames(self, job: Job, count: int) -> Iterator[OutputFrame]:
        try:
            for index in range(count):
                while job.frames_done <= index:
                    seen = job.version
                    if job.state.finished and job.frames_done <= index:
                        raise job.error or JobCancelledError(f"job {job.id} ended early")
                    self._on_loop(job.wait_for_change(seen))
                yield OutputFrame(index, self._on_loop(job.read_frame(index)))
        except GeneratorExit:
            self._loop.call_soon_threadsafe(job.cancel, "its output is no longer wanted")
            raise

    def _feed(self, job: Job, items: Iterable[InputItem]) -> None:
        try:
            for item in items:
                if not self._put(job, job.put_input(item)):
                    return
            self._put(job, job.end_input())
        except SparkVSRError as error:
            self._loop.call_soon_threadsafe(job.fail, error)
        except Exception as error:  # noqa: BLE001 - a decoder's own error, reported as such
            reason = InvalidInputError(f"reading the job's input failed: {error}")
            self._loop.call_soon_threadsafe(job.fail, reason)

    def _put(self, job: Job, coroutine) -> bool:
        """Waits for the job's input queue to take an item; False once the job has ended."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        while True:
            try:
                future.result(timeout=0.2)
                return True
            except concurrent.futures.TimeoutError:
                if job.state.finished:
                    future.cancel()
                    return False

    async def _submit(self, spec: JobSpec) -> Job:
        # On the loop, as `cancel` is: a job is either refused here or cancelled there.
        if self._cancelled is not None:
            raise JobCancelledError(self._cancelled)
        self.current = self._manager.submit(spec, owner=self._owner)
        return self.current

    def _on_loop(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        self.current = None

    def __enter__(self) -> ManagerRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
