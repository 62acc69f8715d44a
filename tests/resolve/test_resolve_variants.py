"""The whole run, twice, under every variant of the Resolve test double (each switch of Quirks
at each of its values), with the user on another page than Edit and a real server."""

import os

import pytest
from fake_resolve_timeline import SWITCHES, Quirks
from resolve_edits import two_clips

VARIANTS = [(name, value) for name, values in SWITCHES.items() for value in values]


@pytest.mark.parametrize(("switch", "value"), VARIANTS, ids=[f"{n}={v}" for n, v in VARIANTS])
def test_same_rate_clips_are_placed_and_placed_again_under_every_variant(
    make_edit, tmp_path, run_script, write_settings, start_server, capsys, switch, value
):
    quirks = Quirks(**{switch: value})
    edit, a, b = two_clips(make_edit, version=(21, 0, 4, 3, ""), studio=False, quirks=quirks)
    edit.timeline.select(a, b)
    assert edit.resolve.OpenPage("color")
    write_settings(server=start_server().address, output_dir=str(tmp_path / "out"), handles=2)

    for run, track in ((1, 2), (2, 3)):  # the second run finds its media in the pool
        if (run, switch, value) == (2, "add_track_at_index", False):
            # Where AddTrack ignores the index, the track asked for above V1 lands on top (V3).
            before = edit.snapshot()
            run_script(edit)
            assert (
                "nothing was added to the project: Resolve did not add an empty video track at V2"
                in capsys.readouterr().out
            )
            assert edit.snapshot() == before
            break
        run_script(edit)

        assert "placed 2 clips on a new track" in capsys.readouterr().out, f"run {run}"
        placed = edit.timeline.items(track)
        assert [(x.GetStart(), x.GetDuration(), x.GetLeftOffset()) for x in placed] == [
            (a.GetStart(), a.GetDuration(), 2),
            (b.GetStart(), b.GetDuration(), 2),
        ]
        pooled = edit.media_pool.bin("SparkVSR").GetClipList()
        assert len(pooled) == 2
        for media in pooled:  # deleted on disk to run again; the Media Pool keeps them
            os.remove(media.GetClipProperty("File Path"))
    assert edit.resolve.GetCurrentPage() == "color"
    assert edit.timeline.collisions == []
