"""Handover files a crashed host left behind: Load removes this user's old ones, in the folder
the plug-in writes them to, and nothing else there."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from ofx_host import OK

STALE_S = 2 * 3600  # entry.c: twice the Timeout parameter's maximum (3600 s)


@pytest.fixture
def handover_dir(monkeypatch, tmp_path) -> Path:
    """Where the plug-in writes handover files: /dev/shm where it may, else $TMPDIR."""
    if os.access("/dev/shm", os.W_OK):
        return Path("/dev/shm")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the plug-in reads it with getenv at Load
    return tmp_path


def test_load_removes_only_this_users_stale_handover_files(host, handover_dir, tmp_path):
    tag = uuid.uuid4().hex[:8]  # names no other test run on the machine uses
    made = {
        "stale": handover_dir / f"sparkvsr-ofx-{tag}a",
        "young": handover_dir / f"sparkvsr-ofx-{tag}b",  # a render in flight may hold it
        "other": handover_dir / f"another-app-{tag}",
        "folder": handover_dir / f"sparkvsr-ofx-{tag}c",  # not a plain file
        "link": handover_dir / f"sparkvsr-ofx-{tag}d",  # a link: its target is not ours to judge
    }
    target = tmp_path / "target"
    target.write_bytes(b"kept")
    try:
        for name in ("stale", "young", "other"):
            made[name].write_bytes(b"frames")
        made["folder"].mkdir()
        made["link"].symlink_to(target)
        old = time.time() - STALE_S - 600
        almost = time.time() - STALE_S + 600
        for name in ("stale", "other", "folder"):
            os.utime(made[name], (old, old))
        os.utime(made["young"], (almost, almost))
        os.utime(made["link"], (old, old), follow_symlinks=False)

        assert host.action("OfxActionLoad", None) == OK
        host.loaded = True

        left = {name for name, path in made.items() if os.path.lexists(path)}
        assert left == {"young", "other", "folder", "link"}
        assert target.read_bytes() == b"kept"
    finally:
        for path in made.values():
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            elif os.path.lexists(path):
                path.unlink()
