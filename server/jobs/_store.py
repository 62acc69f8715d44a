"""The durable job store: each job's spec, journal, spooled inputs and finished frames on disk,
so a server restarted on the same spool folder finds its jobs again."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import threading
import time
from pathlib import Path

import numpy as np

from sparkvsr import errors
from sparkvsr.atomic import write_atomically
from sparkvsr.errors import SparkVSRError
from sparkvsr.specs import FrameLayout, InputItem, JobSpec, JobState, Keyframe

logger = logging.getLogger(__name__)

_JOURNAL = "journal.json"


class JobFiles:
    """One job's folder: journal.json (spec and state), in/ (inputs as received), out/ (finished
    frames).

    Inputs and frames are raw top-down samples; a file exists only once it is complete (what a
    crash leaves half-written the spool removes when it is opened again).
    """

    def __init__(self, folder: Path, spec: JobSpec, journal: dict):
        self.folder = folder
        self.job_id = folder.name
        self.spec = spec
        self.journal = journal
        self._journal_lock = threading.Lock()  # the event loop and a worker thread both record

    @classmethod
    def create(cls, root: Path, job_id: str, spec: JobSpec, owner: str) -> JobFiles:
        folder = root / job_id
        (folder / "in").mkdir(parents=True)
        (folder / "out").mkdir()
        files = cls(folder, spec, {"owner": owner, "created": time.time()})
        files.journal["spec"] = dataclasses.asdict(spec)
        files.record(state=JobState.QUEUED, input_complete=False)
        return files

    @classmethod
    def open(cls, folder: Path) -> JobFiles | None:
        """The job in `folder`, or None when it is not a whole job (a crash while creating it)."""
        try:
            journal = json.loads((folder / _JOURNAL).read_text())
            spec = _spec_from_journal(journal["spec"])
            JobState(journal["state"])
        except (OSError, ValueError, KeyError, TypeError, SparkVSRError) as error:
            logger.warning("ignoring %s: not a whole job (%s)", folder.name, error)
            return None
        return cls(folder, spec, journal)

    def record(self, **changes) -> None:
        """Updates the journal on disk (state, error, input_complete, finished time)."""
        with self._journal_lock:
            for key, value in changes.items():
                self.journal[key] = value.value if isinstance(value, JobState) else value
            write_atomically(self.folder / _JOURNAL, json.dumps(self.journal).encode())

    @property
    def state(self) -> JobState:
        return JobState(self.journal["state"])

    def error(self) -> SparkVSRError | None:
        """The journalled error as its library exception, or None."""
        return journalled_error(self.journal)

    # -- inputs -----------------------------------------------------------------------------

    def put_input(self, item: InputItem) -> None:
        write_atomically(self._input_path(item), np.ascontiguousarray(item.image))

    def read_input(self, keyframe: bool, index: int) -> np.ndarray:
        layout = self.spec.output_layout if keyframe else self.spec.source_layout
        name = f"{'k' if keyframe else 'f'}{index:08d}.raw"
        return _read(self.folder / "in" / name, layout)

    def inputs_on_disk(self) -> tuple[int, set[int]]:
        """(source frames received, counted from 0 without a gap; keyframe indices received)."""
        names = {path.name for path in (self.folder / "in").iterdir()}
        frames = _contiguous(names, "f")
        keyframes = {k for k in self.spec.keyframe_indices if f"k{k:08d}.raw" in names}
        return frames, keyframes

    def _input_path(self, item: InputItem) -> Path:
        prefix = "k" if isinstance(item, Keyframe) else "f"
        return self.folder / "in" / f"{prefix}{item.index:08d}.raw"

    # -- finished frames --------------------------------------------------------------------

    def write_frame(self, index: int, image: np.ndarray) -> None:
        write_atomically(self.folder / "out" / f"{index:08d}.raw", np.ascontiguousarray(image))

    def read_frame(self, index: int) -> np.ndarray:
        return _read(self.folder / "out" / f"{index:08d}.raw", self.spec.output_layout)

    def frames_on_disk(self) -> int:
        """Finished frames on disk, counted from 0 without a gap (frames finish in order)."""
        return _contiguous({path.name for path in (self.folder / "out").iterdir()}, "")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class JobStore:
    """Every job's folder under `root`; loading it collects jobs a crash left half-made."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def create(self, job_id: str, spec: JobSpec, owner: str) -> JobFiles:
        return JobFiles.create(self.root, job_id, spec, owner)

    def load(self) -> list[JobFiles]:
        """The whole jobs stored here; half-made jobs are removed."""
        jobs = []
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            files = JobFiles.open(folder)
            if files is None:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            jobs.append(files)
        return jobs


def journalled_error(journal: dict) -> SparkVSRError | None:
    """The error a journal records ("error": its class name, "message") as its library
    exception, or None."""
    if not journal.get("message"):
        return None
    return getattr(errors, journal.get("error", ""), SparkVSRError)(journal["message"])


def _spec_from_journal(fields: dict) -> JobSpec:
    """The JobSpec dataclasses.asdict wrote into the journal."""
    return JobSpec(
        **{
            **fields,
            "source_layout": FrameLayout(**fields["source_layout"]),
            "keyframe_indices": tuple(fields["keyframe_indices"]),
        }
    )


def _read(path: Path, layout: FrameLayout) -> np.ndarray:
    return np.fromfile(path, dtype=layout.dtype).reshape(layout.shape)


def _contiguous(names: set[str], prefix: str) -> int:
    count = 0
    while f"{prefix}{count:08d}.raw" in names:
        count += 1
    return count
