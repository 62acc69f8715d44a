"""One job on the server: its state, and its inputs and finished frames in the durable store."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from sparkvsr.errors import (
    JobCancelledError,
    NotFoundError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.pipeline import check_arrival
from sparkvsr.specs import InputItem, JobState, JobStatus, Keyframe, SourceFrame
from sparkvsr_server.jobs._store import JobFiles

logger = logging.getLogger(__name__)

# How often a worker waiting for input looks at cancellation and the idle limit.
_POLL_S = 0.1


class Job:
    """A job's state, shared between the asyncio side (servicer) and its worker thread.

    State changes happen on the event loop; the worker reports through `loop.call_soon_threadsafe`.
    Inputs go to disk as they arrive; the worker reads them from there, so a restarted server
    can run the job again from its files.
    """

    def __init__(self, files: JobFiles, loop: asyncio.AbstractEventLoop, *, idle_limit_s: float):
        self.id = files.job_id
        self.spec = files.spec
        self.owner: str = files.journal.get("owner", "")
        self.files = files
        self.state = files.state
        self.error = files.error()
        self.input_complete: bool = files.journal["input_complete"]
        self.frames_done = files.frames_on_disk()
        self.finished_at: float | None = None
        if self.state.finished:  # restored: its retention counts from when it finished
            self.finished_at = time.monotonic() - (time.time() - files.journal["finished"])
        self.stage = ""
        self.readers = 0
        """Streams sending this job's frames now; shutdown waits for them."""
        self.version = 0
        self._loop = loop
        self._idle_limit_s = idle_limit_s
        self._frames_received, self._keyframes_received = files.inputs_on_disk()
        self._arrived = threading.Condition()
        self._last_input = time.monotonic()
        self._waiters: list[asyncio.Future] = []
        self._cancelled = threading.Event()
        self._started_at = time.monotonic()
        self._waiting_since: float | None = None

    def log_accepted(self) -> None:
        """The first line of a job's life in the server's log."""
        spec = self.spec
        logger.info(
            "job %s accepted: %d frames %dx%d, engine %s, x%d, %d keyframes%s",
            self.id,
            spec.frame_count,
            spec.source_layout.width,
            spec.source_layout.height,
            spec.engine,
            spec.scale,
            len(spec.keyframe_indices),
            f", for {self.owner}" if self.owner else "",
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
            stage=self.stage,
        )

    async def put_input(self, item: InputItem) -> None:
        """Checks one input item against the spec and stores it for the worker."""
        if self.state.finished:
            raise JobCancelledError(f"job {self.id} has ended; no more input is taken")
        self._check_input(item)
        try:
            await asyncio.to_thread(self.files.put_input, item)
        except OSError as error:  # its path is the server's business, not the client's
            raise ResourceExhaustedError(
                f"the server cannot store job {self.id}'s input now ({error.strerror})"
            ) from None
        with self._arrived:
            if isinstance(item, Keyframe):
                self._keyframes_received.add(item.index)
            else:
                self._frames_received += 1
            self._last_input = time.monotonic()
            self._arrived.notify_all()

    async def end_input(self) -> None:
        await asyncio.to_thread(self.files.record, input_complete=True)
        with self._arrived:
            self.input_complete = True
            self._arrived.notify_all()
        self._changed()

    def cancel(self, reason: str, *, keep_for_restart: bool = False) -> None:
        """Stops the job; frames finished so far stay fetchable. `keep_for_restart` leaves the
        journal as it was, so a server restarted on the same store runs the job again."""
        if not self.state.finished:
            self._cancelled.set()
            self._finish(
                JobState.CANCELLED, JobCancelledError(reason), journal=not keep_for_restart
            )

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
        """A finished frame from the store."""
        if index >= self.frames_done:
            raise ValueError(f"frame {index} of job {self.id} is not finished")
        try:
            return await asyncio.to_thread(self.files.read_frame, index)
        except (OSError, ValueError):  # collected meanwhile; the path is the server's business
            raise NotFoundError(
                f"frame {index} of job {self.id} is no longer kept on this server"
            ) from None

    def remove_spool(self) -> None:
        self.files.remove()

    def _finish(self, state: JobState, error: SparkVSRError | None, journal: bool = True) -> None:
        self.state = state
        self.error = error
        self.finished_at = time.monotonic()
        if journal:
            self.files.record(
                state=state,
                message=str(error or ""),
                error=type(error).__name__ if error else "",
                finished=time.time(),
            )
        with self._arrived:
            self._arrived.notify_all()
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

    def _check_input(self, item: InputItem) -> None:
        check_arrival(self.spec, item, self._frames_received, self._keyframes_received)

    # -- worker side ----------------------------------------------------------------------------

    def inputs(self, lead: int) -> Iterator[InputItem]:
        """The job's inputs from the store, each keyframe image `lead` frames before its own
        frame (as soon as a chunk can reach it), waiting for those not received yet."""
        count = self.spec.frame_count
        due: dict[int, list[int]] = {}
        for key in self.spec.keyframe_indices:
            due.setdefault(max(0, min(key - lead, count - 1)), []).append(key)
        for index in range(count):
            for key in due.get(index, ()):
                # Missing when the input ended without it: the pipeline says so when it asks.
                if self._wait_for(lambda key=key: key in self._keyframes_received):
                    yield Keyframe(key, self.files.read_input(True, key))
            if not self._wait_for(lambda index=index: self._frames_received > index):
                return
            yield SourceFrame(index, self.files.read_input(False, index))

    def _wait_for(self, arrived: Callable[[], bool]) -> bool:
        """Waits until `arrived()`; False if the input ended first. Raises when the job was
        cancelled, or its client sent nothing for the idle limit while this worker waited."""
        with self._arrived:
            waiting_since = time.monotonic()
            while not arrived():
                self._waiting_since = self._waiting_since or waiting_since
                if self._cancelled.is_set():
                    raise JobCancelledError(f"job {self.id} was cancelled")
                if self.input_complete:
                    self._waiting_since = None
                    return False
                quiet = time.monotonic() - max(self._last_input, waiting_since)
                if quiet > self._idle_limit_s:
                    raise ResourceExhaustedError(
                        f"job {self.id}: no input for {quiet:.0f} s "
                        f"(this server's stream_idle_s is {self._idle_limit_s:g} s)"
                    )
                self._arrived.wait(_POLL_S)
            self._waiting_since = None
        return True

    def waiting_for_input_s(self) -> float:
        """How long its worker side has been waiting for the client's next input (0 if not)."""
        since = self._waiting_since
        return 0.0 if since is None else time.monotonic() - since

    def started(self) -> None:
        self._loop.call_soon_threadsafe(self._set_running)

    def set_stage(self, stage: str) -> None:
        self._loop.call_soon_threadsafe(self._set_stage, stage)

    def store_frame(self, index: int, image: np.ndarray) -> None:
        """Stores a finished frame (frames finish in order) and tells the waiting streams; one
        already stored before a restart is left as it is (the same bytes)."""
        if self._cancelled.is_set():
            raise JobCancelledError(f"job {self.id} was cancelled")
        if index >= self.frames_done:
            self.files.write_frame(index, image)
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

    def _set_stage(self, stage: str) -> None:
        self.stage = stage
        self._changed()

    def _set_frames_done(self, count: int) -> None:
        self.frames_done = max(self.frames_done, count)
        self._changed()

    def _set_finished(self, state: JobState, error: SparkVSRError | None) -> None:
        if not self.state.finished:
            self._finish(state, error)
