"""Job execution shared by the in-process path and the server: run engine chunks, blend."""

from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float
from sparkvsr.pipeline._run import run_job

__all__ = ["from_unit_float", "run_job", "to_unit_float"]
