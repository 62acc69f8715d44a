"""Whole-or-nothing files and content keys: the two helpers every store and writer uses."""

import numpy as np
import pytest

from sparkvsr.atomic import (
    atomic_file,
    atomic_folder,
    atomic_path,
    is_leftover,
    remove_leftovers,
    temporary_path,
    write_atomically,
    write_first,
)
from sparkvsr.content_key import ContentKey, each_frame_key, file_key


def test_a_failed_write_leaves_neither_target_nor_temporary(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_file(target, "w") as file:
        file.write("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_the_target_appears_only_when_complete(tmp_path):
    target = tmp_path / "frame.png"
    write_atomically(target, b"old")
    with atomic_path(target) as temporary:
        assert temporary.suffix == ".png" and is_leftover(temporary)
        temporary.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["frame.png"]


def test_files_follow_the_umask_like_a_plain_open(tmp_path):
    write_atomically(tmp_path / "a", "text")
    (tmp_path / "b").write_text("text")
    assert (tmp_path / "a").stat().st_mode == (tmp_path / "b").stat().st_mode


def test_an_array_is_written_as_its_samples(tmp_path):
    array = np.arange(12, dtype=np.uint16).reshape(3, 4)
    write_atomically(tmp_path / "raw", array)
    assert np.array_equal(np.fromfile(tmp_path / "raw", np.uint16).reshape(3, 4), array)


def test_the_first_writer_wins(tmp_path):
    target = tmp_path / "keyframe.npy"
    assert write_first(target, lambda path: path.write_bytes(b"first"))
    assert not write_first(target, lambda path: path.write_bytes(b"second"))
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["keyframe.npy"]


def test_leftovers_are_found_and_only_they_go(tmp_path):
    (tmp_path / "sub").mkdir()
    keep = tmp_path / "sub" / "window.npz"
    keep.write_bytes(b"x")
    for folder in (tmp_path, tmp_path / "sub"):  # what a SIGKILL mid-write leaves
        temporary_path(folder / "window.npz").write_bytes(b"half")
    assert remove_leftovers(tmp_path, older_than_s=3600) == 0
    assert remove_leftovers(tmp_path) == 1
    assert remove_leftovers(tmp_path, recursive=True) == 1
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [keep]


def test_keys_depend_on_every_part_and_on_how_parts_are_split(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (4, 8, 8, 3), dtype=np.uint8)
    key = ContentKey({"scale": 4}).add_frames(frames).hexdigest()
    assert key == ContentKey({"scale": 4}).add_frames(list(frames)).hexdigest()
    changed = frames.copy()
    changed[3, 7, 7, 2] ^= 1
    assert key != ContentKey({"scale": 4}).add_frames(changed).hexdigest()
    assert key != ContentKey({"scale": 2}).add_frames(frames).hexdigest()
    assert ContentKey(b"ab", b"c").hexdigest() != ContentKey(b"a", b"bc").hexdigest()
    assert ContentKey(frames).hexdigest() != ContentKey(frames.astype(np.uint16)).hexdigest()
    (tmp_path / "still.png").write_bytes(b"pixels")
    assert (
        file_key(tmp_path / "still.png")
        == ContentKey().add_file(tmp_path / "still.png").hexdigest()
    )
    assert len(ContentKey().hexdigest(16)) == 16


def test_a_folder_is_replaced_whole_or_left_as_it_was(tmp_path):
    target = tmp_path / "plugin"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(OSError), atomic_folder(target) as partial:
        partial.mkdir()
        (partial / "new.txt").write_text("half")
        raise OSError("disk full")
    assert [p.name for p in tmp_path.iterdir()] == ["plugin"]
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    with atomic_folder(target) as partial:
        partial.mkdir()
        (partial / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["plugin"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_each_frame_key_is_the_key_of_that_frame_alone():
    frames = np.random.default_rng(0).integers(0, 256, (5, 7 * 9 * 3), dtype=np.uint8)
    frames[3] = frames[1]
    keys = each_frame_key(frames)
    assert keys == [ContentKey(frame).hexdigest() for frame in frames]
    assert keys[1] == keys[3] and len(set(keys)) == 4
