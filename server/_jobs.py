"""One job on the server: its input queue, its state, and its finished frames spooled on disk."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sparkvsr.errors import JobCancelledError, SparkVSRError
from sparkvsr.specs import InputItem, JobSpec, JobState, JobStatus

logger = logging.getLogger(__name__)

# Items (frames or keyframe images) buffered between the network and the worker: the bound is what
# makes gRPC flow control push back on a client that sends faster than the engine runs.
INPUT_QUEUE_ITEMS = 8
_END_OF_INPUT = object()


class Job:
    """A job's state, shared between the asyncio side (servicer) and its worker thread.

    State changes happen on the event loop; the worker reports through `loop.call_soon_threadsafe`.
    """

    def __init__(self, spec: JobSpec, spool_root: Path, loop: asyncio.AbstractEventLoop):
        self.id = uuid.uuid4().hex
        self.spec = spec
        self.state = JobState.QUEUED
        self.frames_done = 0
        self.error: SparkVSRError | None = None
        self.input_complete = False
        self.finished_at: float | None = None
        self._loop = loop
        self._spool = spool_root / self.id
        self._spool.mkdir(parents=True)
        self._inputs: asyncio.Queue = asyncio.Queue(maxsize=INPUT_QUEUE_ITEMS)
        self.version = 0
        self._waiters: list[asyncio.Future] = []
        self._cancelled = threading.Event()
        self._started_at = time.monotonic()
        logger.info(
            "job %s accepted: %d frames %dx%d, engine %s, x%d, %d keyframes",
            self.id,
            spec.frame_count,
            spec.source_layout.width,
            spec.source_layout.height,
            spec.engine,
            spec.scale,
            len(spec.keyframe_indices),
        )

    # -- asyncio side ---------------------------------------------------------------------------

    def status(self) -> JobStatus:
        return JobStatus(
            job_id=self.id,
            state=self.state,
            frames_done=self.frames_done,
            frame_count=self.spec.frame_count,
            message=str(self.error or ""),
            input_complete=self.input_complete,
        )

    async def put_input(self, item: InputItem) -> None:
        """Hands one input item to the worker, waiting while the queue is full."""
        await self._inputs.put(item)

    async def end_input(self) -> None:
        await self._inputs.put(_END_OF_INPUT)
        self.input_complete = True
        self._changed()

    def cancel(self, reason: str) -> None:
        """Stops the job; frames finished so far stay fetchable."""
        if not self.state.finished:
            self._cancelled.set()
            self._finish(JobState.CANCELLED, JobCancelledError(reason))

    def fail(self, error: SparkVSRError) -> None:
        if not self.state.finished:
            self._cancelled.set()
            self._finish(JobState.FAILED, error)

    async def wait_for_change(self, seen_version: int) -> None:
        """Returns once anything (state, frames done, input) changed after `seen_version`."""
        if self.version == seen_version:
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            await waiter

    async def read_frame(self, index: int) -> np.ndarray:
        """A finished frame from the spool."""
        if index >= self.frames_done:
            raise ValueError(f"frame {index} of job {self.id} is not finished")
        return await asyncio.to_thread(self._read_frame, index)

    def remove_spool(self) -> None:
        shutil.rmtree(self._spool, ignore_errors=True)

    def _finish(self, state: JobState, error: SparkVSRError | None) -> None:
        self.state = state
        self.error = error
        self.finished_at = time.monotonic()
        logger.info(
            "job %s %s: %d of %d frames in %.1f s%s",
            self.id,
            state.value,
            self.frames_done,
            self.spec.frame_count,
            self.finished_at - self._started_at,
            f" ({error})" if error else "",
        )
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- worker side ----------------------------------------------------------------------------

    def inputs(self) -> Iterator[InputItem]:
        """The job's input items, blocking the worker thread until each arrives."""
        while True:
            future = asyncio.run_coroutine_threadsafe(self._inputs.get(), self._loop)
            while True:
                if self._cancelled.is_set():
                    future.cancel()
                    raise JobCancelledError(f"job {self.id} was cancelled")
                try:
                    item = future.result(timeout=0.2)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            if item is _END_OF_INPUT:
                return
            yield item

    def started(self) -> None:
        self._loop.call_soon_threadsafe(self._set_running)

    def store_frame(self, index: int, image: np.ndarray) -> None:
        """Spools a finished frame (frames finish in order) and tells the waiting streams."""
        if self._cancelled.is_set():
            raise JobCancelledError(f"job {self.id} was cancelled")
        image.tofile(self._frame_path(index))
        self._loop.call_soon_threadsafe(self._set_frames_done, index + 1)

    def succeeded(self) -> None:
        self._loop.call_soon_threadsafe(self._set_finished, JobState.SUCCEEDED, None)

    def failed(self, error: SparkVSRError) -> None:
        state = JobState.CANCELLED if isinstance(error, JobCancelledError) else JobState.FAILED
        self._loop.call_soon_threadsafe(self._set_finished, state, error)

    # -- helpers --------------------------------------------------------------------------------

    def _set_running(self) -> None:
        if self.state is JobState.QUEUED:
            self.state = JobState.RUNNING
            self._started_at = time.monotonic()
            logger.info("job %s started", self.id)
            self._changed()

    def _set_frames_done(self, count: int) -> None:
        self.frames_done = max(self.frames_done, count)
        self._changed()

    def _set_finished(self, state: JobState, error: SparkVSRError | None) -> None:
        if not self.state.finished:
            self._finish(state, error)

    def _frame_path(self, index: int) -> Path:
        return self._spool / f"{index:08d}.raw"

    def _read_frame(self, index: int) -> np.ndarray:
        layout = self.spec.output_layout
        return np.fromfile(self._frame_path(index), dtype=layout.dtype).reshape(layout.shape)
