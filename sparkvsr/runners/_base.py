"""The Runner protocol: engine rules, running a job, closing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from sparkvsr.engines import EngineInfo
from sparkvsr.specs import InputItem, JobSpec, OutputFrame


@runtime_checkable
class Runner(Protocol):
    """Runs jobs somewhere: in this process (LocalRunner) or on a server (sparkvsr.client.Client).

    Front ends (CLI, timeline bridge, editor clients, gateway, farm tasks) take a Runner and never
    ask which one they have.
    """

    @property
    def default_engine(self) -> str:
        """The engine a job gets when its settings name none."""

    def engine_info(self, name: str) -> EngineInfo:
        """The rules of the engine called `name` where jobs run (whether or not it can run
        there now: `run` says why not).

        Raises:
            InvalidInputError: no such engine there (the message lists those there are).
        """

    def run(self, spec: JobSpec, items: Iterable[InputItem]) -> Iterator[OutputFrame]:
        """Upscales a job: finished frames in order. Closing the iterator early cancels the job."""

    def close(self) -> None:
        """Releases connections or loaded engines."""

    def __enter__(self) -> Runner: ...

    def __exit__(self, *exc) -> None: ...
