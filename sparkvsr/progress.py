"""Progress reported sparingly: one report per step of the done fraction or per interval."""

from __future__ import annotations

import time
from collections.abc import Callable


class Throttle:
    """Says when a (done, total) update is worth reporting: the first, the last, and then each
    time the done fraction moved on by `step` or `interval_s` seconds passed."""

    def __init__(
        self,
        step: float = 0.1,
        interval_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.step, self.interval_s, self._clock = step, interval_s, clock
        self.started = clock()
        self._fraction: float | None = None
        self._at = self.started

    def due(self, done: int, total: int) -> bool:
        fraction = done / total if total else 1.0
        now = self._clock()
        report = (
            self._fraction is None
            or done >= total
            or fraction - self._fraction >= self.step
            or now - self._at >= self.interval_s
        )
        if report:
            self._fraction, self._at = fraction, now
        return report

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self.started
