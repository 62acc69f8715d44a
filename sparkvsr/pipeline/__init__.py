"""Job execution shared by the in-process path, the server and farm tasks: run windows, blend."""

from sparkvsr.pipeline._assemble import Assembler
from sparkvsr.pipeline._inputs import from_unit_float, to_unit_float
from sparkvsr.pipeline._run import run_job, run_windows
from sparkvsr.pipeline._window import (
    WindowOutput,
    WindowSource,
    blend_frame,
    finished_alone,
    run_window,
)

__all__ = [
    "Assembler",
    "WindowOutput",
    "WindowSource",
    "blend_frame",
    "finished_alone",
    "from_unit_float",
    "run_job",
    "run_window",
    "run_windows",
    "to_unit_float",
]
