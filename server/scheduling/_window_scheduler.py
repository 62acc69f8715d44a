"""Windows of every job scheduled across the devices: one worker thread per device, each with
its own engines loaded onto that device; jobs' windows run as chains (a window that continues
another runs after it) and come back to each job's one assembler. A worker only takes a window
whose input has all arrived: a chain whose next window waits for its client is set aside and
queued again when that input comes, so no device ever waits on a client."""

from __future__ import annotations

import inspect
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sparkvsr.engines import Engine, EngineInfo
from sparkvsr.errors import EngineUnavailableError, JobCancelledError
from sparkvsr.pipeline import Assembler, Report, WindowCache, WindowRunner, run_window
from sparkvsr.pipeline._inputs import InputBuffer
from sparkvsr.pipeline._run import LOOKAHEAD_SLACK_FRAMES
from sparkvsr.specs import InputItem, JobSpec, OutputFrame
from sparkvsr.window_plan import Window, plan_windows, window_length
from sparkvsr_server.scheduling._fair_queue import FairQueue

logger = logging.getLogger(__name__)

EngineFactory = Callable[..., Engine]
"""Builds an engine; registry factories take `device=` (None = the engine's default)."""


# Loading engines one at a time: model loaders patch process-wide state while they build a
# model (diffusers and transformers swap torch's parameter initialisation for "meta" tensors), and
# two threads loading at once can leave it patched for every later load.
_LOADING = threading.Lock()


def load_on(factory: EngineFactory, device: str | None) -> Engine:
    """The factory's engine on `device`; factories that take no device load their default."""
    with _LOADING:
        if device is None or "device" not in inspect.signature(factory).parameters:
            return factory()
        return factory(device=device)


@dataclass
class _WindowInputs:
    """One window's source frames and keyframes, copied out of its job's input buffer so that
    any worker can run it while the job reads on."""

    frames: dict[int, np.ndarray] = field(default_factory=dict)
    keyframes: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def frame(self, index: int) -> np.ndarray:
        return self.frames[index]

    def keyframe(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return self.keyframes[index]


def _snapshot(inputs: InputBuffer, window: Window) -> _WindowInputs:
    first = window.frames.start - 1 if window.depends_on else window.frames.start
    taken = _WindowInputs()
    for index in range(first, window.frames.stop):
        taken.frames[index] = inputs.frame(index)
    for index in window.keyframes:
        taken.keyframes[index] = inputs.keyframe(index)
    return taken


class _JobRun:
    """One job's windows in flight: inputs handed to chains, outputs handed back."""

    def __init__(self, spec: JobSpec, plan: Sequence[Window], runner: WindowRunner, owner: str):
        self.spec, self.engine, self.plan, self.runner = spec, spec.engine, plan, runner
        self.owner = owner
        # Only the windows handed out and not yet taken: a long clip costs nothing up front.
        self._inputs: dict[int, _WindowInputs] = {}
        # Chains waiting for the input of their next window: its index -> the outputs so far.
        self._waiting: dict[int, dict[int, np.ndarray]] = {}
        self._lock = threading.Lock()
        self.results: queue.Queue = queue.Queue()
        self.stopped = threading.Event()

    def hand(self, index: int, inputs: _WindowInputs) -> dict[int, np.ndarray] | None:
        """Keeps a window's inputs; returns the outputs of the chain that waited for them (to
        be queued again), or None."""
        with self._lock:
            self._inputs[index] = inputs
            return self._waiting.pop(index, None)

    def take(self, index: int, outputs: dict[int, np.ndarray]) -> _WindowInputs | None:
        """The inputs of window `index`, or None when they have not come yet: the chain then
        waits, with `outputs`, until `hand` gives them."""
        if self.stopped.is_set():
            raise JobCancelledError("the job stopped")
        with self._lock:
            if index not in self._inputs:
                self._waiting[index] = outputs
                return None
            return self._inputs.pop(index)


class WindowScheduler:
    """Device workers and the chains of windows they run."""

    def __init__(
        self,
        devices: Sequence[str | None],
        engines: Mapping[str, tuple[EngineInfo, EngineFactory]],
        default_engine: str,
    ):
        self._devices = tuple(devices)
        self._engines = dict(engines)
        self._default = default_engine
        self._chains: FairQueue[tuple[_JobRun, int, dict]] = FairQueue()
        self._ready = threading.Barrier(len(self._devices) + 1)
        self.engine_failure: str | None = None
        """Why the default engine failed to load, if it did; its jobs then fail with this."""
        self._threads = [
            threading.Thread(target=self._work, args=(d,), name=f"sparkvsr-device-{i}", daemon=True)
            for i, d in enumerate(self._devices)
        ]

    @property
    def devices(self) -> tuple[str | None, ...]:
        """The device of each worker (None = the engine's default device)."""
        return self._devices

    def start(self) -> None:
        """Starts one worker per device; returns once each has tried to load the default engine
        (see `engine_failure`)."""
        for thread in self._threads:
            thread.start()
        self._ready.wait()

    def stop(self) -> None:
        self._chains.stop(len(self._threads))
        for thread in self._threads:
            thread.join(timeout=10)

    def run(
        self,
        spec: JobSpec,
        items: Iterable[InputItem],
        *,
        windows: WindowCache | None = None,
        report: Report | None = None,
        owner: str = "",
    ) -> Iterator[OutputFrame]:
        """Upscales a job on the workers: its frames in order, the bytes `run_job` gives.

        Windows are copied out of the input as it arrives, at most a few windows ahead of the
        assembler per worker, so a job's memory stays bounded however long the clip. `windows`
        and `report` are run_job's: the window store, and what the job is doing.
        """
        if self.engine_failure and spec.engine == self._default:
            raise EngineUnavailableError(self.engine_failure)
        info = self._engines[spec.engine][0]
        plan = plan_windows(spec, info)
        buffered = window_length(spec, info) + info.keyframe_reach + LOOKAHEAD_SLACK_FRAMES
        inputs = InputBuffer(spec, items, max_buffered_frames=buffered)
        job = _JobRun(spec, plan, WindowRunner(windows, report, len(plan)), owner)
        assembler = Assembler(spec, plan)
        lookahead = 2 * len(self._devices)
        handed, returned = 0, 0
        try:
            while returned < len(plan):
                while handed < len(plan) and handed - returned < lookahead:
                    window = plan[handed]
                    waiting = job.hand(handed, _snapshot(inputs, window))
                    if not window.depends_on:  # the first window of a chain
                        self._queue_chain(job, handed, {})
                    elif waiting is not None:  # a chain that waited for this input
                        self._queue_chain(job, handed, waiting)
                    handed += 1
                    following = (
                        plan[handed].frames.start if handed < len(plan) else spec.frame_count
                    )
                    inputs.release(following - 1, following - info.keyframe_reach)
                returned += 1
                index, output = self._result(job)
                assembler.add(index, output)
                yield from assembler.finished()
            inputs.finish()
        finally:
            job.stopped.set()

    def _queue_chain(self, job: _JobRun, index: int, outputs: dict) -> None:
        self._chains.put((job, index, outputs), job.owner)

    @staticmethod
    def _result(job: _JobRun) -> tuple[int, np.ndarray]:
        result = job.results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def _work(self, device: str | None) -> None:
        engines: dict[str, Engine] = {}
        try:
            engines[self._default] = self._load(self._default, device)
        except EngineUnavailableError as error:
            self.engine_failure = str(error)
        finally:
            self._ready.wait()
        while (task := self._chains.get()) is not None:
            job, first, outputs = task
            try:
                if job.engine not in engines:
                    if self.engine_failure and job.engine == self._default:
                        raise EngineUnavailableError(self.engine_failure)
                    engines[job.engine] = self._load(job.engine, device)
                self._run_chain(job, first, engines[job.engine], outputs)
            except BaseException as error:  # the job's driver raises it: the worker lives on
                job.results.put(error)

    def _load(self, name: str, device: str | None) -> Engine:
        try:
            return load_on(self._engines[name][1], device)
        except Exception as error:  # whatever the loader raised, the jobs get its reason
            logger.exception("engine %r failed to load", name)
            raise EngineUnavailableError(f"engine {name!r} failed to load: {error}") from None

    @staticmethod
    def _run_chain(job: _JobRun, first: int, engine: Engine, outputs: dict) -> None:
        """Runs the chain from window `first` (`outputs`: those of the windows before it): it
        and the windows after it that each continue the one before, as far as their input has
        come."""
        plan, index = job.plan, first
        while True:
            source = job.take(index, outputs)
            if source is None:  # queued again when the client has sent its input
                return
            outputs[index] = run_window(job.spec, engine, plan, index, source, outputs, job.runner)
            start = plan[index].frames.start
            for old in [i for i in outputs if i < index and plan[i].frames.stop < start]:
                del outputs[old]
            job.results.put((index, outputs[index]))
            index += 1
            if index >= len(plan) or not plan[index].depends_on:
                return
