"""The RunWindow output store: shared memory when there is room, else the spool; a byte budget
kept by dropping the least recently used output; rows flipped on request; cleaned up."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from sparkvsr_server.windows import OutputStore

FRAME = np.arange(3 * 4 * 2, dtype=np.uint16).reshape(3, 4, 2)  # 48 bytes


def store_in(tmp_path, budget: int, memory: bool = True) -> OutputStore:
    (tmp_path / "memory").mkdir(exist_ok=True)
    return OutputStore(tmp_path / "spool", budget, tmp_path / "memory" if memory else None)


def test_outputs_go_to_shared_memory_and_read_back_flipped(tmp_path):
    store = store_in(tmp_path, 1000)
    path = store.write("a", [FRAME, FRAME + 1], 2 * FRAME.nbytes, bottom_up=True)
    assert path.parent.parent == tmp_path / "memory"
    stored = np.fromfile(path, np.uint16).reshape(2, *FRAME.shape)
    assert np.array_equal(stored, np.stack([FRAME[::-1], FRAME[::-1] + 1]))
    assert store.lookup("a") == path and store.lookup("b") is None
    store.close()
    assert not path.parent.exists()


def test_without_shared_memory_or_room_there_the_spool_holds_them(tmp_path):
    assert store_in(tmp_path, 1000, memory=False).root.parent == tmp_path / "spool"
    too_big = store_in(tmp_path, 1 << 60)  # more than any shared memory holds
    assert too_big.root.parent == tmp_path / "spool"


def test_the_least_recently_used_output_goes_first(tmp_path):
    store = store_in(tmp_path, 2 * FRAME.nbytes)
    a = store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    store.write("b", [FRAME], FRAME.nbytes, bottom_up=False)
    assert store.lookup("a") == a  # a is now the more recent
    store.write("c", [FRAME], FRAME.nbytes, bottom_up=False)
    assert store.lookup("b") is None and store.lookup("a") and store.lookup("c")
    assert sorted(p.name for p in store.root.iterdir()) == ["a.raw", "c.raw"]


def test_an_output_over_the_budget_is_kept_alone(tmp_path):
    store = store_in(tmp_path, FRAME.nbytes)
    store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    big = store.write("b", [FRAME, FRAME], 2 * FRAME.nbytes, bottom_up=False)
    assert store.lookup("a") is None and store.lookup("b") == big


def test_a_failed_write_leaves_nothing_and_frees_its_room(tmp_path):
    store = store_in(tmp_path, 2 * FRAME.nbytes)

    def failing():
        yield FRAME
        raise RuntimeError("engine failed")

    with pytest.raises(RuntimeError):
        store.write("a", failing(), 2 * FRAME.nbytes, bottom_up=False)
    assert list(store.root.iterdir()) == [] and store.lookup("a") is None
    store.write("b", [FRAME, FRAME], 2 * FRAME.nbytes, bottom_up=False)
    assert store.lookup("b")


def test_folders_of_dead_servers_are_removed_at_start(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True).stdout.strip()  # fmt: skip
    (tmp_path / "memory" / f"sparkvsr-windows-{dead}-x").mkdir(parents=True)
    (tmp_path / "memory" / f"sparkvsr-windows-{os.getpid()}-y").mkdir()
    store_in(tmp_path, 1000)
    names = {p.name for p in (tmp_path / "memory").iterdir()}
    assert f"sparkvsr-windows-{dead}-x" not in names
    assert f"sparkvsr-windows-{os.getpid()}-y" in names


def test_a_server_keeps_window_outputs_until_it_stops(start_server):
    server = start_server(gateway_port=0)
    root = server.server.service.windows.store.root
    assert root.is_dir()
    server.stop()
    assert not root.exists()


def leases_work(folder) -> bool:
    """Whether the kernel grants write leases on files in `folder` (Linux, leases enabled, a
    local file system)."""
    fcntl = pytest.importorskip("fcntl")
    probe = folder / "lease-probe"
    probe.write_bytes(b"x")
    fd = os.open(probe, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return True
    except (AttributeError, OSError):
        return False
    finally:
        os.close(fd)
        probe.unlink()


def test_an_evicted_output_nobody_reads_is_written_over(tmp_path):
    if not leases_work(tmp_path):
        pytest.skip("no write leases here: evicted outputs are never reused")
    store = store_in(tmp_path, FRAME.nbytes)
    a = store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    os.link(a, tmp_path / "witness")  # a second name for a's memory (no process opens it)
    b = store.write("b", [FRAME + 1], FRAME.nbytes, bottom_up=False)
    assert not a.exists() and b.samefile(tmp_path / "witness")  # the same memory, renamed
    assert np.array_equal(np.fromfile(b, np.uint16).reshape(FRAME.shape), FRAME + 1)
    assert sorted(p.name for p in store.root.iterdir()) == ["b.raw"]


def test_an_evicted_output_a_client_still_reads_keeps_its_content(tmp_path):
    store = store_in(tmp_path, FRAME.nbytes)
    a = store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    with open(a, "rb") as reader:  # a client between the reply and its copy
        b = store.write("b", [FRAME + 1], FRAME.nbytes, bottom_up=False)
        assert not os.path.samestat(os.fstat(reader.fileno()), b.stat())
        assert np.array_equal(np.fromfile(reader, np.uint16).reshape(FRAME.shape), FRAME)
    assert sorted(p.name for p in store.root.iterdir()) == ["b.raw"]


@pytest.mark.skipif(not hasattr(os, "posix_fallocate"), reason="no allocation ahead here")
def test_a_spare_made_ahead_is_the_next_outputs_memory(tmp_path):
    store = store_in(tmp_path, 3 * FRAME.nbytes)
    store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    store.prepare_spare(FRAME.nbytes)
    os.link(store.root / "spare.partial", tmp_path / "witness")
    b = store.write("b", [FRAME + 1], FRAME.nbytes, bottom_up=False)
    assert b.samefile(tmp_path / "witness") and store.lookup("a")
    assert np.array_equal(np.fromfile(b, np.uint16).reshape(FRAME.shape), FRAME + 1)


def test_a_spare_takes_only_free_room_and_one_of_another_size_goes_only_for_room(tmp_path):
    store = store_in(tmp_path, 3 * FRAME.nbytes)
    store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    store.prepare_spare(3 * FRAME.nbytes)  # no room without evicting a: none made
    assert not (store.root / "spare.partial").exists() and store.lookup("a")
    store.prepare_spare(FRAME.nbytes)
    store.write("b", [FRAME], FRAME.nbytes, bottom_up=False)  # the spare becomes b
    store.prepare_spare(FRAME.nbytes)  # fills the budget
    store.write("c", [FRAME, FRAME], 2 * FRAME.nbytes, bottom_up=False)
    # The spare of another size went first, then the oldest output.
    assert sorted(p.name for p in store.root.iterdir()) == ["b.raw", "c.raw"]


@pytest.mark.skipif(not hasattr(os, "posix_fallocate"), reason="no allocation ahead here")
def test_a_failed_write_over_reused_memory_gives_its_room_back(tmp_path):
    store = store_in(tmp_path, 2 * FRAME.nbytes)
    store.write("a", [FRAME], FRAME.nbytes, bottom_up=False)
    store.prepare_spare(FRAME.nbytes)

    def failing():
        raise RuntimeError("engine failed")
        yield

    with pytest.raises(RuntimeError):
        store.write("x", failing(), FRAME.nbytes, bottom_up=False)  # over the spare
    store.write("b", [FRAME], FRAME.nbytes, bottom_up=False)
    assert store.lookup("a") and store.lookup("b")  # room for both: none was lost
