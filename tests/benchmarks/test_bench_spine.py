"""benchmarks/bench_spine.py runs through (tiny sizes) and prints its figures."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_spine.py"


@pytest.mark.slow
def test_the_spine_benchmark_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--frames", "4", "--transport-mb", "8"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("in-process job (4 frames, 480x270 -> 1920x1080")
    assert lines[-1].startswith("gRPC / raw socket: ")
    assert float(lines[-1].split(": ")[1]) > 0
