"""Runs a job: plan its windows, run them on the engine, assemble the frames in order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from sparkvsr.engines import Engine, check_job_fits_engine
from sparkvsr.pipeline._assemble import Assembler
from sparkvsr.pipeline._inputs import InputBuffer
from sparkvsr.pipeline._window import WindowOutput, WindowSource, run_window
from sparkvsr.pipeline._windows import Report, WindowCache, WindowRunner
from sparkvsr.specs import InputItem, JobSpec, OutputFrame
from sparkvsr.window_plan import Window, plan_windows, window_length

# Frames a job may read past the current chunk while it waits for a keyframe image.
LOOKAHEAD_SLACK_FRAMES = 64


def run_job(
    spec: JobSpec,
    engine: Engine,
    items: Iterable[InputItem],
    *,
    windows: WindowCache | None = None,
    report: Report | None = None,
) -> Iterator[OutputFrame]:
    """Upscales the job's frames, yielding each as soon as no later window can change it.

    Args:
        spec: the job; checked against the engine's rules before any frame is read.
        engine: the engine to run windows on.
        items: source frames (in order) and keyframe images (anywhere), read lazily.
        windows: finished windows by key: a window found there is not run again, and every
            window run is saved there.
        report: told about reused windows and out-of-memory retries.

    Raises:
        InvalidInputError: the spec or an input item breaks a rule; the message names it.
        EngineError: the engine returned something malformed, or failed.
    """
    info = engine.info
    check_job_fits_engine(spec, info)
    plan = plan_windows(spec, info)
    reach = info.keyframe_reach
    buffered = window_length(spec, info) + reach + LOOKAHEAD_SLACK_FRAMES
    inputs = InputBuffer(spec, items, max_buffered_frames=buffered)
    assembler = Assembler(spec, plan)
    runner = WindowRunner(windows, report, len(plan))
    for index, output in run_windows(spec, engine, plan, range(len(plan)), inputs, runner=runner):
        assembler.add(index, output)
        yield from assembler.finished()
        # The last finished frame's source stays: the next window may continue from it.
        done = assembler.next_frame
        inputs.release(frames_before=done - 1, keyframes_before=done - reach)
    inputs.finish()


def run_windows(
    spec: JobSpec,
    engine: Engine,
    plan: Sequence[Window],
    indices: Iterable[int],
    source: WindowSource,
    known: Mapping[int, WindowOutput] | None = None,
    runner: WindowRunner | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Runs windows `indices` of `plan` in order, yielding (index, output) as each finishes.

    A window that depends on others gets their outputs from those run here or from `known`
    (outputs finished elsewhere, such as stored windows of a retried farm task). Outputs are kept
    only while a later window may still depend on them.
    """
    outputs: dict[int, WindowOutput] = dict(known or {})
    for index in indices:
        output = run_window(spec, engine, plan, index, source, outputs, runner)
        outputs[index] = output
        start = plan[index].frames.start
        for old in [i for i in outputs if i < index and plan[i].frames.stop < start]:
            del outputs[old]
        yield index, output
