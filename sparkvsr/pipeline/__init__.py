"""Job execution shared by the in-process path, the server and farm tasks: run windows, blend."""

from sparkvsr.pipeline._assemble import Assembler
from sparkvsr.pipeline._inputs import check_arrival, from_unit_float, to_unit_float
from sparkvsr.pipeline._run import run_job, run_windows
from sparkvsr.pipeline._window import WindowOutput, WindowSource, blend_frame, run_window
from sparkvsr.pipeline._windows import (
    Report,
    StoredWindow,
    WindowCache,
    WindowRunner,
    pack_window,
    unpack_window,
    window_key,
)

__all__ = [
    "Assembler",
    "Report",
    "StoredWindow",
    "WindowCache",
    "WindowOutput",
    "WindowRunner",
    "WindowSource",
    "blend_frame",
    "check_arrival",
    "from_unit_float",
    "pack_window",
    "run_job",
    "run_window",
    "run_windows",
    "to_unit_float",
    "unpack_window",
    "window_key",
]
