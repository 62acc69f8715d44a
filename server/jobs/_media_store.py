"""Media jobs on disk: each one's request and state in a small journal, so a server restarted on
the same spool resumes it under the same id and still answers for it once it has finished."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from sparkvsr.atomic import is_leftover, write_atomically

logger = logging.getLogger(__name__)


class MediaJobStore:
    """One `<job id>.json` per media job under `root`: {"request": ..., "state": ..., ...}."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # the event loop and media threads both record

    def record(self, job_id: str, **changes) -> None:
        """Creates or updates the job's journal (whole or not at all)."""
        with self._lock:
            journal = self._read(job_id) or {}
            journal.update(changes)
            write_atomically(self._path(job_id), json.dumps(journal))

    def load(self) -> dict[str, dict]:
        """Every stored media job's journal by id (unreadable ones are skipped, and said)."""
        jobs = {}
        for path in sorted(self.root.glob("*.json")):
            if is_leftover(path):
                continue
            journal = self._read(path.stem)
            if journal is None or "request" not in journal:
                logger.warning("ignoring media job %s: its journal is not whole", path.stem)
                continue
            jobs[path.stem] = journal
        return jobs

    def remove(self, job_id: str) -> None:
        self._path(job_id).unlink(missing_ok=True)

    def _read(self, job_id: str) -> dict | None:
        try:
            return json.loads(self._path(job_id).read_text())
        except (OSError, ValueError):
            return None

    def _path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"
