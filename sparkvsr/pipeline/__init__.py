"""Job execution shared by the in-process path and the server: plan, run engine chunks, blend."""

from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float
from sparkvsr.pipeline._plan import ChunkPlan, chunk_weights, plan_chunks, weights_of_chunk
from sparkvsr.pipeline._run import Report, run_job
from sparkvsr.pipeline._windows import WindowCache, window_key

__all__ = [
    "ChunkPlan",
    "Report",
    "WindowCache",
    "chunk_weights",
    "from_unit_float",
    "plan_chunks",
    "run_job",
    "to_unit_float",
    "weights_of_chunk",
    "window_key",
]
