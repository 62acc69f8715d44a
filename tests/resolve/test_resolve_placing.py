"""Placing upscaled clips into a Resolve that collides, floors, switches timelines and answers
re-imports from its pool (the test double's failure modes), with a real server."""

import json
import os
from fractions import Fraction

import numpy as np
import pytest
from fake_resolve import Quirks, Timeline
from resolve_edits import add_timeline_marker, two_clips

from sparkvsr.media import probe_video, write_still
from sparkvsr.timeline import sidecar_path

NTSC_FILM = Fraction(24000, 1001)
NTSC = Fraction(30000, 1001)


def dialog_user(seen, during=None):
    """Clicks Upscale, runs `during` while the job runs, waits for it, reads the status, closes."""

    def user(window):
        items = window.GetItems()
        window.click("OK")
        if during:
            during()
        while items["Cancel"].Text != "Close":
            yield
        seen["status"] = items["Status"].Text
        window.click("Cancel")
        yield

    return user


def stacked(make_edit, **options):
    """V1: A (media frames 20..59 at record offsets 10..49); V2: a cutaway C over offsets 20..34;
    In and Out around both."""
    edit = make_edit(rate=Fraction(24), **options)
    a = edit.cut(edit.import_movie("A001", 80, "10:00:00:00"), 1, 10, 20, 40)
    edit.timeline.AddTrack("video")
    c = edit.cut(edit.import_movie("C003", 30, "01:00:00:00", seed=2), 2, 20, 0, 15)
    edit.timeline.SetMarkInOut(0, 60)
    return edit, a, c


@pytest.mark.parametrize(
    ("rate", "drop_frame", "b_rate", "version"),
    [
        (NTSC_FILM, False, Fraction(24), (19, 1, 3, 7, "")),
        (Fraction(25), False, Fraction(50), (20, 2, 1, 3, "")),
        (NTSC, True, NTSC_FILM, (21, 0, 4, 3, "")),
    ],
)
def test_clips_of_any_rate_are_placed_over_the_media_frames_they_replace(
    make_edit,
    tmp_path,
    run_script,
    write_settings,
    start_server,
    capsys,
    rate,
    drop_frame,
    b_rate,
    version,
):
    edit, a, b = two_clips(
        make_edit, rate, b_rate, drop_frame=drop_frame, version=version, studio=False
    )
    marker_frame = b.GetStart() + 2
    still = tmp_path / "B002_key.png"
    write_still(str(still), np.full((192, 256, 3), 120, np.uint8))
    add_timeline_marker(edit, marker_frame, note=str(still))
    out = tmp_path / "out"
    write_settings(server=start_server().address, output_dir=str(out))

    run_script(edit)

    assert "placed 2 clips on a new track" in capsys.readouterr().out
    new_a, new_b = edit.timeline.items(2)
    for old, new, first in ((a, new_a, 20), (b, new_b, 5)):
        assert (new.GetStart(), new.GetDuration()) == (old.GetStart(), old.GetDuration())
        for frame in range(old.GetStart(), old.GetEnd()):  # the same media frame, every frame
            assert new.media_frame_at(frame) + first == old.media_frame_at(frame)
    b_output = out / new_b.GetMediaPoolItem().GetName()
    movie = probe_video(str(b_output))
    assert movie.frame_rate == b_rate
    record = json.loads(open(sidecar_path(str(b_output))).read())
    assert [(k["frame"], k["from"]) for k in record["keyframes"]] == [
        (b.media_frame_at(marker_frame), "timeline marker")
    ]
    assert edit.timeline.collisions == []


@pytest.mark.parametrize("version", [(19, 1, 3, 7, ""), (21, 0, 4, 3, "")])
def test_stacked_clips_get_a_new_track_each_never_one_shared(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, version
):
    edit, a, c = stacked(make_edit, version=version, studio=False)
    edit.timeline.select(a, c)  # used from 21.0.4; In and Out before
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert "placed 2 clips on 2 new tracks" in capsys.readouterr().out
    assert edit.timeline.collisions == []
    names = [edit.timeline.GetTrackName("video", i) for i in range(1, 5)]
    assert names == ["Video 1", "SparkVSR x4", "Video 3", "SparkVSR x4"]
    (new_a,) = edit.timeline.items(2)
    (new_c,) = edit.timeline.items(4)
    assert (new_a.GetStart(), new_a.GetDuration()) == (a.GetStart(), a.GetDuration())
    assert (new_c.GetStart(), new_c.GetDuration()) == (c.GetStart(), c.GetDuration())


def test_the_jobs_timeline_is_made_current_again_before_placing(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit, a, b = two_clips(make_edit, version=(20, 2, 1, 3, ""))
    other = Timeline("Cut 4", Fraction(25), edit.resolve.version)
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))
    seen = {}

    run_script(edit, dialog_user(seen, during=lambda: edit.project.SetCurrentTimeline(other)))

    assert "note: made timeline Cut 3 current again to place the clips" in seen["status"]
    assert edit.project.GetCurrentTimeline() is edit.timeline
    assert [x.GetStart() for x in edit.timeline.items(2)] == [a.GetStart(), b.GetStart()]
    assert (other.GetTrackCount("video"), other.items(1)) == (1, [])


def test_a_failed_run_removes_only_what_it_imported_and_reads_no_provenance_as_keyframes(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    edit, a, b = two_clips(make_edit, version=(21, 0, 4, 3, ""), studio=False)
    edit.timeline.select(a, b)
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))
    run_script(edit)
    assert "placed 2 clips on a new track" in capsys.readouterr().out
    after_first_run = edit.snapshot()
    first_media = [x.GetMediaPoolItem() for x in edit.timeline.items(2)]

    for media in first_media:  # deleted on disk to run again; the Media Pool keeps them
        os.remove(media.GetClipProperty("File Path"))
    # Whatever the keyframe prefix, the first run's "Upscaled x4" markers are no keyframes.
    write_settings(marker_prefix="Upscaled")
    edit.timeline.refuse_new_tracks = True
    run_script(edit)  # the same outputs: ImportMedia answers the first run's media pool items

    console = capsys.readouterr().out
    assert "SparkVSR: Video 1 clip 1 (A001.mov): 0 keyframes" in console
    assert (
        "nothing was added to the project: Resolve did not add an empty video track at V2"
        in console
    )
    assert edit.snapshot() == after_first_run
    assert edit.media_pool.bin("SparkVSR").GetClipList() == first_media


@pytest.mark.parametrize(
    ("collision", "answer"),
    [("ghost", "an item without a position"), ("drop", "no item")],
)
def test_a_placement_resolve_answers_with_a_ghost_or_nothing_is_undone_and_reported(
    make_edit, tmp_path, run_script, write_settings, start_server, collision, answer
):
    edit, a, _ = two_clips(
        make_edit, version=(20, 2, 1, 3, ""), quirks=Quirks(on_collision=collision)
    )
    intruder = edit.import_movie("X009", 120, "00:00:00:00", seed=3)
    before = edit.snapshot()
    name_track = edit.timeline.SetTrackName

    def someone_fills_the_new_track(track_type, index, name):
        # An edit made in Resolve between the client's calls: the new track is no longer empty.
        edit.cut(intruder, index, 0, 0, 100)
        return name_track(track_type, index, name)

    edit.timeline.SetTrackName = someone_fills_the_new_track
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))
    seen = {}

    run_script(edit, dialog_user(seen))

    assert seen["status"] == (
        f"Nothing was added to the project: Resolve did not place A001.mov on V2 at frame "
        f"{a.GetStart()} (it answered {answer}: it may overlap something there)"
    )
    assert edit.timeline.collisions == [(2, a.GetStart(), a.GetEnd())]
    assert edit.snapshot() == before


def test_a_track_added_elsewhere_than_asked_is_caught_and_removed(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    edit, _, _ = stacked(
        make_edit, version=(20, 2, 1, 3, ""), studio=False, quirks=Quirks(add_track_at_index=False)
    )
    before = edit.snapshot()
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert (
        "nothing was added to the project: Resolve did not add an empty video track at V2"
        in capsys.readouterr().out
    )
    assert edit.snapshot() == before


def test_an_answer_nobody_foresaw_is_reported_and_never_leaves_the_dialog_stuck(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit, _, _ = two_clips(make_edit, version=(20, 2, 1, 3, ""))
    before = edit.snapshot()
    edit.timeline.AddTrack = None  # what a method this Resolve lacks reads as
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))
    seen = {}

    run_script(edit, dialog_user(seen))  # the user can still read the status and close

    assert seen["status"] == (
        "Stopped by an unexpected error: TypeError(\"'NoneType' object is not callable\")"
    )
    assert edit.snapshot() == before
