"""The one assembler: window outputs in any order in, finished frames out in order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sparkvsr.pipeline._window import WindowOutput, blend_frame, covering
from sparkvsr.specs import JobSpec, OutputFrame
from sparkvsr.window_plan import Window


class Assembler:
    """Blends the windows of one plan; keeps each window's output until its frames are out."""

    def __init__(self, spec: JobSpec, plan: Sequence[Window]):
        self._spec = spec
        self._plan = plan
        self._outputs: dict[int, WindowOutput] = {}
        self._next = 0

    @property
    def next_frame(self) -> int:
        """The first frame not yet finished."""
        return self._next

    def add(self, index: int, output: WindowOutput) -> None:
        """Takes window `index`'s output (float32 frames, or finished ones where alone)."""
        self._outputs[index] = output

    def finished(self) -> Iterator[OutputFrame]:
        """The frames, in order from the first not yet given, whose windows have all arrived."""
        while self._next < self._spec.frame_count:
            if any(i not in self._outputs for i in covering(self._plan, self._next)):
                return
            image = blend_frame(self._spec, self._plan, self._outputs, self._next)
            yield OutputFrame(self._next, image)
            self._next += 1
            self._release()

    def _release(self) -> None:
        for index in [i for i in self._outputs if self._plan[i].frames.stop <= self._next]:
            del self._outputs[index]
