"""Undoing a failed run in a Resolve whose deletions answer False: off the Edit page, on a first
try, or while deleting (the test double's switches), with a real server."""

import pytest
from fake_resolve import Quirks
from resolve_edits import dialog_user, two_clips


def refuse_to_place(edit, clip):
    """AppendToTimeline answers nothing for the upscaled copy of `clip` (after the others)."""
    append = edit.media_pool.AppendToTimeline

    def refusing(infos):
        return [] if infos[0]["recordFrame"] == clip.GetStart() else append(infos)

    edit.media_pool.AppendToTimeline = refusing


DELETE_CLIPS = ["edit_page", "flaky", "false_but_deleted", "any_page"]


@pytest.mark.parametrize("delete_clips", DELETE_CLIPS)
def test_delete_clips_false_off_the_edit_page_does_not_stop_a_clip_placed_again(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, delete_clips
):
    quirks = Quirks(delete_clips=delete_clips, end_frame_inclusive=True)
    edit, a, b = two_clips(make_edit, version=(20, 2, 1, 3, ""), studio=False, quirks=quirks)
    assert edit.resolve.OpenPage("fairlight")  # where the user left the UI
    # Handles: A's copy ends before its media does, so an exclusive endFrame places it a frame
    # long on this build, and that item must be deleted before A is placed again.
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"), handles=3)

    run_script(edit)

    assert "placed 2 clips on a new track" in capsys.readouterr().out
    assert [(x.GetStart(), x.GetDuration()) for x in edit.timeline.items(2)] == [
        (x.GetStart(), x.GetDuration()) for x in edit.timeline.items(1)
    ]
    assert edit.resolve.GetCurrentPage() == "fairlight"  # the user's page again


@pytest.mark.parametrize("delete_clips", DELETE_CLIPS)
def test_delete_clips_false_off_the_edit_page_still_leaves_nothing_added(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, delete_clips
):
    edit, a, b = two_clips(
        make_edit, version=(20, 2, 1, 3, ""), studio=False, quirks=Quirks(delete_clips=delete_clips)
    )
    before = edit.snapshot()
    refuse_to_place(edit, b)  # A is placed, then B fails: A must go again
    assert edit.resolve.OpenPage("fairlight")  # where the user left the UI
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))

    run_script(edit)

    assert (
        "SparkVSR: nothing was added to the project: Resolve did not place B002.mov on V2 at "
        f"frame {b.GetStart()} (it answered no item" in capsys.readouterr().out
    )
    assert edit.snapshot() == before
    assert edit.timeline.delete_calls >= 1
    assert edit.resolve.GetCurrentPage() == "fairlight"  # the user's page again


@pytest.mark.parametrize("studio", [False, True])  # the console's report, the dialog's status
def test_delete_clips_false_where_nothing_helps_names_what_is_left(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, studio
):
    edit, a, b = two_clips(make_edit, version=(20, 2, 1, 3, ""), studio=studio)
    refuse_to_place(edit, b)
    assert edit.resolve.OpenPage("color")
    edit.resolve.refuse_page_switch = True  # a modal dialog is open
    edit.timeline.refuse_track_deletion = True
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"))
    seen = {}

    run_script(edit, dialog_user(seen))

    report = seen["status"] if studio else capsys.readouterr().out
    assert (
        f"Resolve did not place B002.mov on V2 at frame {b.GetStart()} (it answered no item: it "
        "may overlap something there); undoing the run, Resolve would not remove video track "
        f"V2, A001_sparkvsr_x4_20-59.mov at frame {a.GetStart()}, A001_sparkvsr_x4_20-59.mov in "
        "the Media Pool, B002_sparkvsr_x4_5-28.mov in the Media Pool, the Media Pool bin "
        "SparkVSR: remove them by hand" in report
    )
    assert "othing was added" not in report
    assert edit.timeline.delete_calls == 2  # tried, read back, tried once more
    (left,) = edit.timeline.items(2)
    assert (left.GetStart(), left.GetDuration()) == (a.GetStart(), a.GetDuration())
