"""Farm transfer benchmark: the bytes a farm job moves through a service-managed fleet's job
attachments, for one clip run under the test harness (tests/farm/fleet.py: a new session per
task, only attached inputs and upstream outputs in it, declared outputs uploaded).

Prints, per step, the bytes uploaded as job outputs, and what the user's download brings: the
Assemble step's outputs (the deliverables, `deadline job download-output --step-id`), and the
whole job's outputs. "Before" is the layout before compressed windows beside the output folder:
the same windows stored uncompressed (np.savez) inside the folder the user downloads.

Run: .venv/bin/python benchmarks/bench_farm_transfer.py [--frames 96] [--size 320x180]
     [--windows-per-task 4]
Flow engine, keyframe stills every 24 frames. Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "farm"), str(ROOT / "tests")]

from farm_jobs import hr_still  # noqa: E402
from fleet import ServiceManagedFleet  # noqa: E402
from helpers import numbered_frames, write_movie  # noqa: E402

from sparkvsr.cli import main  # noqa: E402


def _megabytes(size: int) -> str:
    return f"{size / 1e6:8.2f} MB"


def _uncompressed(data: bytes) -> int:
    """The size of a stored window saved as before (np.savez, no compression)."""
    with np.load(io.BytesIO(data)) as window:
        buffer = io.BytesIO()
        np.savez(buffer, **{name: window[name] for name in window.files})
    return buffer.getbuffer().nbytes


def run(frames: int, size: tuple[int, int], per_task: int, scratch: Path) -> None:
    studio = scratch / "studio"
    studio.mkdir()
    pictures = numbered_frames(frames, size)
    source = write_movie(studio / "take.mov", pictures, Fraction(24), codec="prores_hq")
    keys = []
    for index in range(0, frames, 24):
        still = hr_still(studio / f"hr_{index:06d}.png", pictures[index])
        keys += ["--keyframe", f"{index}={still}"]
    output = studio / "out" / "take_x4.mov"
    bundle = scratch / "bundle"
    arguments = ["farm", "bundle", str(source), "-o", str(output), "--bundle-dir", str(bundle)]
    assert main([*arguments, "--windows-per-task", str(per_task), *keys]) == 0

    fleet = ServiceManagedFleet(studio, scratch / "worker")
    outputs = fleet.run(bundle)
    fleet.download(outputs["Assemble"])

    print(
        f"\nclip: {frames} frames {size[0]}x{size[1]} -> x4, flow engine, {fleet.sessions} sessions"
    )
    print(f"source movie attached                 {_megabytes(source.stat().st_size)}")
    for step, written in outputs.items():
        files = f"({len(written.files):3d} files)"
        print(f"uploaded as {step:<8} outputs {files} {_megabytes(written.size)}")
    total = sum(written.size for written in outputs.values())
    print(f"uploaded in all                       {_megabytes(total)}")
    print(f"download of the deliverables (Assemble step) {_megabytes(outputs['Assemble'].size)}")
    print(f"download of the whole job             {_megabytes(total)}  (windows in a folder apart)")
    before = sum(_uncompressed(data) for data in outputs["Upscale"].files.values())
    movie = outputs["Assemble"].size
    print(f"before: windows uncompressed          {_megabytes(before)}")
    print(f"before: download (movie + windows in its folder) {_megabytes(movie + before)}")
    print(f"windows: {before / max(outputs['Upscale'].size, 1):.2f}x smaller compressed")


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=96)
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--windows-per-task", type=int, default=4)
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        run(args.frames, (width, height), args.windows_per_task, Path(scratch))


if __name__ == "__main__":
    main_()
