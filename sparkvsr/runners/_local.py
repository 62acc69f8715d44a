"""Runs jobs in this process on engines from the registry, each loaded once per runner."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sparkvsr.engines import DEFAULT_ENGINE, Engine, EngineInfo, check_job_fits_engine, engine_entry
from sparkvsr.pipeline import run_job
from sparkvsr.specs import InputItem, JobSpec, OutputFrame


class LocalRunner:
    """The in-process Runner: the registry's engines, checked and run by `run_job`."""

    def __init__(self, default_engine: str = DEFAULT_ENGINE):
        self._default_engine = default_engine
        self._engines: dict[str, Engine] = {}

    @property
    def default_engine(self) -> str:
        return self._default_engine

    def engine_info(self, name: str) -> EngineInfo:
        return engine_entry(name).info

    def run(self, spec: JobSpec, items: Iterable[InputItem]) -> Iterator[OutputFrame]:
        check_job_fits_engine(spec, self.engine_info(spec.engine))
        return run_job(spec, self._engine(spec.engine), items)

    def _engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = engine_entry(name).load()
        return self._engines[name]

    def close(self) -> None:
        self._engines.clear()

    def __enter__(self) -> LocalRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
