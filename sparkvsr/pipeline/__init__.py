"""Job execution shared by the in-process path and the server: plan, run engine chunks, blend."""

from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float
from sparkvsr.pipeline._plan import chunk_weights, plan_chunks
from sparkvsr.pipeline._run import run_job

__all__ = [
    "chunk_weights",
    "from_unit_float",
    "plan_chunks",
    "run_job",
    "to_unit_float",
]
