"""Placing upscaled clips into a Resolve that collides, floors, switches timelines and answers
re-imports from its pool (the test double's failure modes), with a real server."""

import json
import os
from fractions import Fraction

import numpy as np
import pytest
from fake_resolve import Quirks, Timeline
from resolve_edits import add_timeline_marker, dialog_user, two_clips

from sparkvsr.media import probe_video, write_still
from sparkvsr.timeline import sidecar_path

NTSC_FILM = Fraction(24000, 1001)
NTSC = Fraction(30000, 1001)


def stacked(make_edit, **options):
    """V1: A (media frames 20..59 at record offsets 10..49); V2: a cutaway C over offsets 20..34;
    In and Out around both."""
    edit = make_edit(rate=Fraction(24), **options)
    a = edit.cut(edit.import_movie("A001", 80, "10:00:00:00"), 1, 10, 20, 40)
    edit.timeline.AddTrack("video")
    c = edit.cut(edit.import_movie("C003", 30, "01:00:00:00", seed=2), 2, 20, 0, 15)
    edit.timeline.SetMarkInOut(0, 60)
    return edit, a, c


def placed_over_the_same_media_frames(edit, originals, track=2) -> None:
    """Each original has an upscaled copy on `track` at its record frame, as long, showing the
    same media frames (the copies start at the used range: no handles)."""
    copies = edit.timeline.items(track)
    assert len(copies) == len(originals)
    for old, new in zip(originals, copies):
        assert (new.GetStart(), new.GetDuration()) == (old.GetStart(), old.GetDuration())
        first = old.media_frame_at(old.GetStart())
        for frame in range(old.GetStart(), old.GetEnd()):
            assert new.media_frame_at(frame) + first == old.media_frame_at(frame)


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
    placed_over_the_same_media_frames(edit, [a, b])
    _, new_b = edit.timeline.items(2)
    b_output = out / new_b.GetMediaPoolItem().GetName()
    movie = probe_video(str(b_output))
    assert movie.frame_rate == b_rate
    record = json.loads(open(sidecar_path(str(b_output))).read())
    assert [(k["frame"], k["from"]) for k in record["keyframes"]] == [
        (b.media_frame_at(marker_frame), "timeline marker")
    ]
    assert edit.timeline.collisions == []


def placed_frame_counts(edit) -> list[int]:
    """endFrame - startFrame of every AppendToTimeline call so far."""
    return [infos[0]["endFrame"] - infos[0]["startFrame"] for infos in edit.media_pool.appended]


def mixed_rate_first(make_edit, **options):
    """V1: B (24 media frames of a 50p movie on the 25p timeline: whichever way Resolve counts
    endFrame, 24 or 25 of them fill the same 12 frames); V2: A (same rate) after it."""
    edit = make_edit(rate=Fraction(25), **options)
    b = edit.cut(
        edit.import_movie("B002", 60, "00:00:00:00", seed=1, rate=Fraction(50)), 1, 10, 5, 24
    )
    edit.timeline.AddTrack("video")
    a = edit.cut(edit.import_movie("A001", 80, "10:00:00:00"), 2, 30, 20, 40)
    edit.timeline.SetMarkInOut(0, 80)
    return edit, b, a


@pytest.mark.parametrize("version", [(19, 1, 3, 7, ""), (21, 0, 4, 3, "")])
def test_end_frame_exclusive_is_learnt_from_the_first_placement(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, version
):
    edit, a, b = two_clips(make_edit, b_rate=Fraction(50), version=version, studio=False)
    edit.timeline.select(a, b)
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert "placed 2 clips on a new track" in capsys.readouterr().out
    placed_over_the_same_media_frames(edit, [a, b])
    assert placed_frame_counts(edit)[2:] == [40, 24]  # after the two cuts: one call per clip
    assert edit.timeline.collisions == []


@pytest.mark.parametrize(
    ("past_media", "calls"),
    # A ends at its media's end: an exclusive endFrame there is one past it, which a build
    # that counts it inclusively refuses (then A is placed again, and B knows) or cuts short
    # (then A lands right and nothing is learnt; B neither, for the same reason).
    [("refuse", [40, 39, 23]), ("clamp", [40, 24])],
)
def test_end_frame_inclusive_is_learnt_from_the_first_placement_and_kept(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, past_media, calls
):
    quirks = Quirks(end_frame_inclusive=True, end_frame_past_media=past_media)
    edit, a, b = two_clips(
        make_edit, b_rate=Fraction(50), version=(19, 1, 3, 7, ""), studio=False, quirks=quirks
    )
    edit.timeline.select(a, b)
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert "placed 2 clips on a new track" in capsys.readouterr().out
    placed_over_the_same_media_frames(edit, [a, b])
    assert placed_frame_counts(edit)[2:] == calls
    assert edit.timeline.collisions == []


def test_end_frame_inclusive_is_learnt_from_the_first_clip_that_can_tell(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    edit, b, a = mixed_rate_first(
        make_edit, version=(20, 2, 1, 3, ""), studio=False, quirks=Quirks(end_frame_inclusive=True)
    )
    # Handles: neither clip ends at its media's end, so only the placed lengths can tell.
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"), handles=2)

    run_script(edit)

    assert "placed 2 clips on 2 new tracks" in capsys.readouterr().out
    (new_b,) = edit.timeline.items(2)
    (new_a,) = edit.timeline.items(4)
    for old, new in ((b, new_b), (a, new_a)):
        assert (new.GetStart(), new.GetDuration()) == (old.GetStart(), old.GetDuration())
    assert placed_frame_counts(edit)[2:] == [24, 40, 39]  # B cannot tell (12 frames either way)


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


@pytest.mark.parametrize("reimport", ["existing", "nothing", "none", "duplicate"])
def test_a_failed_run_removes_only_what_it_imported_and_reads_no_provenance_as_keyframes(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, reimport
):
    quirks = Quirks(reimport=reimport)  # what ImportMedia answers for a pooled path
    edit, a, b = two_clips(make_edit, version=(21, 0, 4, 3, ""), studio=False, quirks=quirks)
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
    run_script(edit)  # the same outputs: the first run's media pool items are found by path

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


def test_an_import_reported_under_another_path_is_removed_with_the_rest(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    """ImportMedia imports B's copy but reports it under another spelling of its path (the
    run cannot use it): the run stops, and that item goes too, as everything it imported (the
    bin is the user's, so it stays and must be left as it was)."""
    edit, a, b = two_clips(make_edit, version=(21, 0, 4, 3, ""), studio=False)
    edit.media_pool.AddSubFolder(edit.media_pool.GetRootFolder(), "SparkVSR")
    before = edit.snapshot()
    import_media = edit.media_pool.ImportMedia

    def misreported(paths):
        items = import_media(paths)
        for item in items:
            if "B002" in item.GetName():
                item._properties["File Path"] += ".as-reported"
        return items

    edit.media_pool.ImportMedia = misreported
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert "nothing was added to the project: Resolve could not import" in capsys.readouterr().out
    assert edit.snapshot() == before
