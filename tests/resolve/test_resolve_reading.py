"""Reading timelines as real Resolve fills them: transitions, stale items, media of other rates,
source-frame readers that fail, the runs' own markers (the test double's failure modes)."""

import json
import math
from fractions import Fraction

import pytest
from fake_resolve import Quirks, Resolve
from fake_resolve_timeline import SWITCHES
from resolve_edits import add_timeline_marker, two_clips

from sparkvsr_resolve import ResolveError, ResolveJob, ResolveSettings
from sparkvsr_resolve._api import frame_rate, resolve_version

NTSC_FILM = Fraction(24000, 1001)
NTSC = Fraction(30000, 1001)


def job_of(edit) -> ResolveJob:
    return ResolveJob(edit.resolve, ResolveSettings(), log=lambda line: None)


def plans_by_name(job):
    return {plan.name: plan for plan in job.plans()}


def test_a_transition_is_skipped_with_a_note_and_the_clips_keep_their_media_frames(make_edit):
    edit, a, b = two_clips(make_edit)
    edit.timeline.add_transition(1, cut=b.GetStart(), frames=10)  # overlaps A's end, B's start
    marker_frame = b.GetStart() + 7
    add_timeline_marker(edit, marker_frame)

    job = job_of(edit)

    assert job.refused == [
        "Cross Dissolve (transition on V1): skipped: transitions are not upscaled, and the clips "
        "either side keep their places"
    ]
    plans = plans_by_name(job)
    assert (plans["A001.mov"].used.start, plans["A001.mov"].used.stop) == (20, 60)
    b_plan = plans["B002.mov"]
    assert (b_plan.used.start, b_plan.used.stop) == (5, 29)
    # Laid end to end, the transition would shift B by its length and move this keyframe.
    assert [key.frame for key in b_plan.keyframes] == [b.media_frame_at(marker_frame)] == [12]


def test_stale_items_are_skipped_with_a_note_never_a_type_error(make_edit):
    edit, _, _ = two_clips(make_edit)
    edit.timeline.add_ghost(1)

    job = job_of(edit)

    assert job.refused == [
        "an item on V1: skipped: Resolve reports no name or frames for it (a stale item)"
    ]
    assert sorted(plans_by_name(job)) == ["A001.mov", "B002.mov"]


def test_a_selection_of_only_stale_items_is_explained(make_edit):
    edit, _, _ = two_clips(make_edit, version=(21, 0, 4, 3, ""))
    edit.timeline.select(edit.timeline.add_ghost(1))
    with pytest.raises(ResolveError, match=r"a stale item\); no clip to upscale: select clips"):
        job_of(edit)


@pytest.mark.parametrize(
    ("version", "expected"),
    [((21, 0, 4, 3, ""), ["B002.mov"]), ((21, 0, 3, 2, ""), ["A001.mov", "B002.mov"])],
)
def test_the_clips_selected_on_the_timeline_are_used_where_resolve_tells(
    make_edit, version, expected
):
    edit, _, b = two_clips(make_edit, version=version)
    edit.timeline.select(b)  # In and Out still span both: the selection wins from 21.0.4
    assert sorted(plans_by_name(job_of(edit))) == expected


@pytest.mark.parametrize(
    ("rate", "drop_frame", "b_rate"),
    [
        (NTSC_FILM, False, Fraction(24)),
        (Fraction(25), False, Fraction(50)),
        (NTSC, True, NTSC_FILM),
    ],
)
@pytest.mark.parametrize("source_end", SWITCHES["source_end"])
def test_mixed_rate_clips_take_keyframes_from_the_media_frames_they_show(
    make_edit, rate, drop_frame, b_rate, source_end
):
    quirks = Quirks(source_end=source_end)
    edit, a, b = two_clips(make_edit, rate, b_rate, drop_frame=drop_frame, quirks=quirks)
    assert b.GetLeftOffset() * b_rate / rate != 5  # the left offset cannot say where B starts
    marker_frame = b.GetStart() + 2
    add_timeline_marker(edit, marker_frame)
    assert b.AddMarker(20, "Blue", "SparkVSR hero", "", 1)  # item markers count media frames

    plan = plans_by_name(job_of(edit))["B002.mov"]

    assert plan.skipped is None
    shown = b.GetDuration() * b_rate / rate
    assert (plan.used.start, len(plan.used)) == (5, math.ceil(shown))
    assert [key.frame for key in plan.keyframes] == [b.media_frame_at(marker_frame), 20]
    assert plans_by_name(job_of(edit))["A001.mov"].used.start == 20


@pytest.mark.parametrize("quirk", ["zero", "early"])
def test_source_frames_that_are_zero_or_a_frame_early_do_not_move_same_rate_clips(make_edit, quirk):
    edit, a, b = two_clips(make_edit, quirks=Quirks(source_frames=quirk))
    plans = plans_by_name(job_of(edit))
    assert [(p.used.start, p.used.stop, p.skipped) for p in plans.values()] == [
        (20, 60, None),
        (5, 29, None),
    ]


@pytest.mark.parametrize(
    ("quirk", "reason"),
    [
        ("exact", "it has a speed change (24 media frames over 48 timeline frames)"),
        ("early", "it has a speed change (24 media frames over 48 timeline frames)"),
        (
            "zero",
            "Resolve reports no source frames for it (none before 19.0.2, 0/0 on timelines "
            "conformed from XML), and its offsets and duration span 120 frames where its media "
            "has 60: it has a speed change",
        ),
    ],
)
def test_source_frames_unknown_never_pass_a_retimed_clip_as_100_percent(make_edit, quirk, reason):
    edit, a, b = two_clips(make_edit, quirks=Quirks(source_frames=quirk))
    b.retime(50)  # its left offset now reads 10 where its media starts at frame 5

    job = job_of(edit)

    assert job.refused == [
        f"B002.mov: skipped: {reason}, which Resolve's scripting API cannot place back; render "
        "it at 100% first"
    ]
    assert [(p.name, p.used.start, p.used.stop) for p in job.plans()] == [("A001.mov", 20, 60)]


def test_source_frames_unknown_before_19_0_2_a_retimed_clip_is_refused(make_edit):
    edit, _, b = two_clips(make_edit, version=(19, 0, 1, 5, ""))
    b.retime(200)
    edit.timeline.SetCurrentTimecode("01:00:02:05")  # no In/Out before 19.1: the playhead on B
    job = job_of(edit)
    assert job.refused == [
        "B002.mov: skipped: Resolve reports no source frames for it (none before 19.0.2, 0/0 on "
        "timelines conformed from XML), and its offsets and duration span 29 frames where its "
        "media has 60: it has a speed change, which Resolve's scripting API cannot place back; "
        "render it at 100% first"
    ]


def test_a_reversed_clip_is_refused_with_the_reason(make_edit):
    edit, _, b = two_clips(make_edit)
    b.retime(-100)
    assert job_of(edit).refused == [
        "B002.mov: skipped: it plays in reverse (media frames 29 down to 5), which Resolve's "
        "scripting API cannot place back; render it first"
    ]


@pytest.mark.parametrize(("quirk", "read"), [("early", 19), ("late", 21)])
def test_a_mixed_rate_clip_whose_source_start_frame_is_a_frame_off_is_refused(
    make_edit, quirk, read
):
    edit = make_edit(rate=Fraction(25), quirks=Quirks(source_frames=quirk))
    movie = edit.import_movie("C003", 80, "01:00:00:00", rate=Fraction(50))
    edit.cut(movie, 1, 10, 20, 24)  # media frames 20..43: left offset 10 fits 19, 20 and 21
    edit.timeline.SetMarkInOut(0, 40)
    assert job_of(edit).refused == [
        f"C003.mov: skipped: its media runs at 50 fps on a 25 fps timeline, and Resolve's "
        f"source start frame ({read}) disagrees with its source start time (media frame 20), "
        "so which media frames it shows cannot be known; set the clip's frame rate to the "
        "timeline's or render it first"
    ]


def test_a_mixed_rate_clip_starts_where_its_source_start_time_says_on_timecoded_media(make_edit):
    edit = make_edit(rate=Fraction(25))
    movie = edit.import_movie("C003", 80, "01:00:00:00", rate=Fraction(50))
    edit.cut(movie, 1, 10, 21, 24)
    edit.timeline.SetMarkInOut(0, 40)
    (plan,) = job_of(edit).plans()
    assert (plan.skipped, plan.used.start) == (None, 21)


def test_a_mixed_rate_clip_without_source_frames_is_refused_with_the_reason(make_edit):
    edit, _, _ = two_clips(make_edit, b_rate=Fraction(50), quirks=Quirks(source_frames="zero"))
    job = job_of(edit)
    assert job.refused == [
        "B002.mov: skipped: its media runs at 50 fps on a 25 fps timeline and this Resolve "
        "reports no source start frame for it (none before 19.0.2, 0/0 on timelines conformed "
        "from XML), so which media frames it shows cannot be known; set the clip's frame rate "
        "to the timeline's or render it first"
    ]
    assert sorted(plans_by_name(job)) == ["A001.mov"]


def test_resolve_before_19_0_2_has_no_source_frames_and_still_reads_same_rate_clips(make_edit):
    edit, a, _ = two_clips(make_edit, version=(19, 0, 1, 5, ""))
    edit.timeline.SetCurrentTimecode("01:00:01:00")  # no In/Out before 19.1: the playhead
    assert [(p.name, p.used.start) for p in job_of(edit).plans()] == [("A001.mov", 20)]


def test_a_mixed_rate_clip_resolve_would_place_a_frame_long_is_refused(make_edit):
    edit, _, b = two_clips(make_edit, b_rate=Fraction(24))
    b.trim(24)  # 24 timeline frames show 23.04 media frames: 24 of them would last 25
    assert job_of(edit).refused == [
        "B002.mov: skipped: its media runs at 24 fps on a 25 fps timeline: Resolve would place "
        "the 24-frame upscaled copy over 25 timeline frames, not 24, so it could not replace "
        "the clip frame for frame"
    ]


def test_the_runs_own_markers_are_never_keyframes(make_edit):
    edit, a, b = two_clips(make_edit)
    start = edit.timeline.GetStartFrame()
    output = {"output": "/out/A.mov", "sidecar": "/out/A.mov.sparkvsr.json"}
    provenance = json.dumps({"kind": "sparkvsr-provenance", **output})
    edit.timeline.AddMarker(a.GetStart() - start, "Purple", "Upscaled x4", "", 1, provenance)
    # What earlier versions wrote: named like a keyframe marker, customData naming the output.
    edit.timeline.AddMarker(
        b.GetStart() - start, "Purple", "SparkVSR x4", "", 1, json.dumps(output)
    )
    edit.timeline.AddMarker(a.GetStart() + 5 - start, "Green", "SparkVSR key", "", 1)

    plans = plans_by_name(job_of(edit))

    assert [key.frame for key in plans["A001.mov"].keyframes] == [25]
    assert plans["B002.mov"].keyframes == ()


def test_frame_rate_strings_resolve_writes():
    assert frame_rate("29.97 DF", "t") == NTSC
    assert frame_rate("59.94NDF", "t") == Fraction(60000, 1001)
    assert frame_rate("23.976", "t") == NTSC_FILM
    assert frame_rate("25", "t") == 25
    with pytest.raises(ResolveError, match=r"cannot read the frame rate of timeline X: 'fast'"):
        frame_rate("fast", "timeline X")


def test_clip_info_with_a_track_and_record_frame_needs_resolve_18_1():
    with pytest.raises(ResolveError, match=r"18\.0\.4 is too old: .* needs DaVinci Resolve 18\.1"):
        resolve_version(Resolve(None, version=(18, 0, 4, 3, "")))
    assert str(resolve_version(Resolve(None, version=(18, 1, 0, 16, "")))).endswith("18.1.0")
