"""The installed "Upscale with SparkVSR" script, run against the Resolve test double."""

import json
import os
import sys
from fractions import Fraction

import numpy as np
import pytest
from fake_resolve import Quirks
from helpers import free_port, kill_servers_on, numbered_frames
from resolve_edits import dialog_user

from sparkvsr.media import probe_video, read_frames, write_still
from sparkvsr.timeline import sidecar_path

NTSC_FILM = Fraction(24000, 1001)


def marked_edit(make_edit, rate, tmp_path, studio=False, **options):
    """V1: a gap of 10, clip A (media frames 20..59 of a movie starting at 10:00:00:00), a gap
    of 5, clip B (frames 4..27 of a movie starting at 00:00:00:00). A keyframe marker on A's
    item at media frame 30 names a still; a timeline marker sits over B's media frame 14; a
    plain marker is ignored."""
    edit = make_edit(rate=rate, studio=studio, **options)
    a_media = edit.import_movie("A001", 80, "10:00:00:00")
    b_media = edit.import_movie("B002", 40, "00:00:00:00", seed=1)
    a = edit.cut(a_media, 1, 10, 20, 40)
    b = edit.cut(b_media, 1, 55, 4, 24)
    still = tmp_path / "A001_hero.png"
    write_still(str(still), np.full((192, 256, 3), 120, np.uint8))
    assert a.AddMarker(30, "Blue", "SparkVSR hero", str(still), 1)
    assert a.AddMarker(40, "Red", "client note", "", 1)
    assert edit.timeline.AddMarker(55 + (14 - 4), "Green", "SparkVSR", "", 1)
    edit.timeline.SetMarkInOut(0, 90)
    return edit, a, b


@pytest.mark.parametrize("rate", [NTSC_FILM, Fraction(25)])
def test_marked_clips_are_upscaled_and_placed_above_at_the_same_record_frames(
    make_edit, tmp_path, rate, run_script, write_settings, start_server, capsys
):
    edit, a, b = marked_edit(make_edit, rate, tmp_path)
    server = start_server()
    out = tmp_path / "out"
    write_settings(server=server.address, output_dir=str(out), provider="local")

    run_script(edit)  # the free edition: no dialog, saved settings, report on the console

    console = capsys.readouterr().out
    assert "shows no script windows; running with the saved settings" in console
    assert "placed 2 clips on a new track" in console
    assert edit.timeline.GetTrackCount("video") == 2
    assert edit.timeline.GetTrackName("video", 2) == "SparkVSR x4"
    new_a, new_b = edit.timeline.items(2)
    for old, new in ((a, new_a), (b, new_b)):
        assert (new.GetStart(), new.GetDuration()) == (old.GetStart(), old.GetDuration())
        assert new.GetLeftOffset() == 0  # no handles: the new media starts at the used range
    assert [c.GetName() for c in edit.media_pool.bin("SparkVSR").GetClipList()] == [
        "A001_sparkvsr_x4_20-59.mov",
        "B002_sparkvsr_x4_4-27.mov",
    ]
    # The markers became the right media frames, and say where they came from.
    a_record = json.loads(open(sidecar_path(str(out / "A001_sparkvsr_x4_20-59.mov"))).read())
    assert [(k["frame"], k["from"], k["restored_by"]) for k in a_record["keyframes"]] == [
        (30, "clip marker", None)
    ]
    b_record = json.loads(open(sidecar_path(str(out / "B002_sparkvsr_x4_4-27.mov"))).read())
    assert [(k["frame"], k["from"], k["restored_by"]) for k in b_record["keyframes"]] == [
        (14, "timeline marker", "local")
    ]
    # The new media keeps the source's timing: 10:00:00:00 + 20 frames.
    movie = probe_video(str(out / "A001_sparkvsr_x4_20-59.mov"))
    assert movie.frame_rate == rate and movie.frame_count == 40
    nominal = round(rate)
    assert movie.start_timecode == f"10:00:00:{20 % nominal:02d}"
    # Its frames are the engine's output of the right source frames (content moves 3 px/frame).
    first = next(read_frames(str(out / "A001_sparkvsr_x4_20-59.mov")))
    low = numbered_frames(80)
    small = (first[::4, ::4] >> 8).astype(np.uint8)
    errors = [np.abs(small.astype(int) - f.astype(int)).mean() for f in low]
    assert int(np.argmin(errors)) == 20
    # A marker on each placed clip records what was done; its customData names the output.
    markers = edit.timeline.GetMarkers()
    done = markers[float(a.GetStart() - edit.timeline.GetStartFrame())]
    assert done["name"] == "Upscaled x4"
    assert json.loads(done["customData"])["output"] == str(out / "A001_sparkvsr_x4_20-59.mov")


def test_the_dialog_runs_the_job_and_saves_its_choices(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path, studio=True)
    server = start_server()
    settings = write_settings(server=server.address, output_dir=str(tmp_path / "out"))
    seen = {}

    run_script(edit, dialog_user(seen, Provider="local", Format="prores_4444"))

    assert "Video 1 clip 1 (A001.mov): media frames 20-59, keyframes: 30 (still)" in seen["clips"]
    assert "Video 1 clip 2 (B002.mov): media frames 4-27, keyframes: 14 (restored)" in seen["clips"]
    assert "placed 2 clips on a new track" in seen["status"]
    assert probe_video(str(tmp_path / "out" / "A001_sparkvsr_x4_20-59.mov")).codec == "prores"
    saved = json.loads(settings.read_text())
    assert (saved["provider"], saved["output_format"]) == ("local", "prores_4444")


def test_cancel_in_the_dialog_leaves_the_project_and_folder_clean(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path, studio=True)
    server = start_server(delay_s=0.2)  # slow enough to cancel mid-clip
    out = tmp_path / "out"
    write_settings(server=server.address, output_dir=str(out), provider="local")
    before = edit.snapshot()
    seen = {}

    def user(window):
        items = window.GetItems()
        window.click("OK")
        while "frame" not in items["Status"].Text:
            yield
        window.click("Cancel")
        while items["Cancel"].Text != "Close":
            yield
        seen["status"] = items["Status"].Text
        window.close()
        yield

    run_script(edit, user)

    assert "cancelled: nothing was added to the project" in seen["status"]
    assert edit.snapshot() == before
    assert not [p for p in os.listdir(out) if p.endswith(".mov")] if out.exists() else True


def test_missing_media_is_reported_and_changes_nothing(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    os.remove(tmp_path / "A001.mov")
    os.remove(tmp_path / "B002.mov")
    before = edit.snapshot()
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    console = capsys.readouterr().out
    assert f"skipped: media not found: {tmp_path / 'A001.mov'}" in console
    assert "0 of 2 clips upscaled" in console
    assert edit.snapshot() == before


def test_an_offline_server_is_reported_and_changes_nothing(
    make_edit, tmp_path, run_script, write_settings, capsys
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    before = edit.snapshot()
    port = free_port()
    write_settings(server=f"127.0.0.1:{port}", output_dir=str(tmp_path / "out"))

    run_script(edit)

    console = capsys.readouterr().out
    assert (
        f"SparkVSR: nothing was added to the project: no SparkVSR server answers at "
        f"127.0.0.1:{port}; start one with `sparkvsr serve`" in console
    )
    assert edit.snapshot() == before


@pytest.mark.skipif(sys.platform != "linux", reason="finds the server it started in /proc")
def test_a_local_server_is_started_when_none_answers(
    make_edit, tmp_path, run_script, write_settings, capsys
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    port = free_port()
    write_settings(local_port=port, output_dir=str(tmp_path / "out"), provider="local")
    try:
        run_script(edit)
    finally:
        kill_servers_on(port)
    console = capsys.readouterr().out
    assert f"starting a local SparkVSR server on port {port}" in console
    assert "placed 2 clips on a new track" in console


def test_resolve_18_uses_the_clip_under_the_playhead_and_a_track_on_top(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit = make_edit(rate=Fraction(24), studio=False, version=(18, 6, 6, 2, ""))
    clip = edit.import_movie("C003", 30, "01:00:00:00")
    other = edit.import_movie("D004", 30, "01:00:00:00", seed=2)
    edit.cut(clip, 1, 0, 0, 12)
    edit.timeline.AddTrack("video")
    edit.cut(other, 2, 20, 5, 10)
    edit.timeline.SetCurrentTimecode("01:00:00:05")  # over C003 only
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    seen = {}
    run_script(edit, dialog_user(seen))  # before 19.1 even the free edition shows it

    assert "placed 1 clips on a new track" in seen["status"]
    assert edit.timeline.GetTrackCount("video") == 3  # appended on top: 18 cannot insert
    (placed,) = edit.timeline.items(3)
    assert placed.GetMediaPoolItem().GetName() == "C003_sparkvsr_x4_0-11.mov"


def test_too_old_a_resolve_and_no_selection_are_explained(
    make_edit, tmp_path, run_script, write_settings, capsys
):
    run_script(make_edit(version=(17, 4, 6, 4, "")))
    assert "DaVinci Resolve Studio 17.4.6 is too old" in capsys.readouterr().out
    run_script(make_edit())
    assert (
        "no clip to upscale: select clips, set In and Out around them, or park the playhead on "
        "one" in capsys.readouterr().out
    )


def test_sequence_formats_are_refused_before_anything_runs(
    make_edit, tmp_path, run_script, write_settings, capsys
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    write_settings(output_format="exr")
    run_script(edit)
    assert "Resolve imports movies: choose an output format of" in capsys.readouterr().out


def test_handles_extend_the_media_and_the_placed_clip_starts_inside_it(
    make_edit, tmp_path, run_script, write_settings, start_server
):
    edit, a, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    write_settings(
        server=start_server().address, output_dir=str(tmp_path / "out"), handles=6, provider="local"
    )
    run_script(edit)
    new_a, _ = edit.timeline.items(2)
    assert new_a.GetMediaPoolItem().GetName() == "A001_sparkvsr_x4_14-65.mov"
    assert (new_a.GetLeftOffset(), new_a.GetStart(), new_a.GetDuration()) == (
        6,
        a.GetStart(),
        a.GetDuration(),
    )


@pytest.mark.parametrize(
    ("source_frames", "reason"),
    [
        ("exact", "it has a speed change (24 media frames over 48 timeline frames)"),
        (
            "zero",
            "Resolve reports no source frames for it (none before 19.0.2, 0/0 on timelines "
            "conformed from XML), and its offsets and duration span 80 frames where its media "
            "has 40: it has a speed change",
        ),
    ],
)
def test_a_retimed_clip_is_skipped_with_the_reason_and_the_others_placed(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, source_frames, reason
):
    quirks = Quirks(source_frames=source_frames)
    edit, a, b = marked_edit(make_edit, Fraction(24), tmp_path, quirks=quirks)
    b.retime(50)  # 24 media frames over 48 timeline frames
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    console = capsys.readouterr().out
    assert f"SparkVSR: B002.mov: skipped: {reason}" in console
    assert "which Resolve's scripting API cannot place back; render it at 100% first" in console
    assert "placed 1 clips on a new track" in console
    (placed,) = edit.timeline.items(2)
    assert placed.GetStart() == a.GetStart()


def test_a_server_that_requires_a_token_is_reached_with_the_saved_token(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys
):
    edit, _, _ = marked_edit(make_edit, Fraction(24), tmp_path)
    server = start_server(token="s3cret")
    write_settings(server=server.address, output_dir=str(tmp_path / "out"), provider="local")
    before = edit.snapshot()

    run_script(edit)
    assert "missing or wrong token" in capsys.readouterr().out
    assert edit.snapshot() == before

    write_settings(token="s3cret")
    run_script(edit)
    assert "placed 2 clips on a new track" in capsys.readouterr().out
