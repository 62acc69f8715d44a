"""Planning a timeline: which media frames each selected clip uses, and its marker keyframes."""

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from edits import edit, marker, media, media_clip, t
from opentimelineio import opentime

from sparkvsr.errors import InvalidInputError
from sparkvsr.timeline import (
    CLIP_MARKER,
    TIMELINE_MARKER,
    TRACK_MARKER,
    MarkerConvention,
    TimelineSelection,
    exact_rate,
    plan_timeline,
    read_timeline,
    write_timeline,
)

NTSC_FILM = Fraction(24000, 1001)
NTSC_VIDEO = Fraction(30000, 1001)


def keys(plan):
    return [(key.frame, key.origin) for key in plan.keyframes]


@pytest.mark.parametrize(
    ("rate", "media_start"),
    [
        (Fraction(24), "00:00:00:00"),
        (NTSC_FILM, "10:00:00:00"),
        (Fraction(25), "01:02:03:04"),
        (NTSC_VIDEO, "00:59:59;02"),  # drop-frame, crossing the 01:00:00 minute boundary
    ],
)
def test_markers_land_on_the_media_frame_they_mark(tmp_path, rate, media_start):
    path = media(tmp_path, "shot", 120, rate, start_timecode=media_start)
    start = opentime.from_timecode(media_start, float(rate))
    clip = media_clip("shot", path, rate, 20, 50, media_start=media_start, available=False)
    clip.markers.append(marker("SparkVSR a", start + t(30, rate)))
    clip.markers.append(marker("not a keyframe", start + t(40, rate)))
    timeline = edit(rate, [10, clip])
    # 10 frames of gap, then the clip: record frame 17 shows media frame 20 + 7.
    timeline.tracks.markers.append(marker("SparkVSR b", t(17, rate)))
    timeline.tracks[0].markers.append(marker("sparkvsr C", t(52, rate), color="BLUE"))

    (plan,) = plan_timeline(timeline, TimelineSelection())

    assert plan.skipped is None
    assert (plan.used.start, plan.used.stop) == (20, 70)
    assert keys(plan) == [(27, TIMELINE_MARKER), (30, CLIP_MARKER), (62, TRACK_MARKER)]
    assert plan.timing.rate == rate


def test_drop_frame_start_timecodes_count_real_frames(tmp_path):
    # 00:00:59;00 to 00:01:00;02 is 30 frames in drop-frame (;00 and ;01 of minute 1 do not
    # exist), 32 if the timecode were read as non-drop.
    path = media(tmp_path, "df", 60, NTSC_VIDEO, start_timecode="00:00:59;00")
    start = opentime.from_timecode("00:01:00;02", float(NTSC_VIDEO))
    clip = otio.schema.Clip(
        "df",
        otio.schema.ExternalReference(str(path)),
        opentime.TimeRange(start, t(10, NTSC_VIDEO)),
    )
    (plan,) = plan_timeline(edit(NTSC_VIDEO, [clip]), TimelineSelection())
    assert plan.used.start == 30


def test_rational_rates_come_back_exact():
    assert exact_rate(24000 / 1001) == NTSC_FILM
    assert exact_rate(30000 / 1001) == NTSC_VIDEO
    assert exact_rate(25.0) == 25 and exact_rate(23.976) == NTSC_FILM


def test_handles_are_added_and_clamped_to_the_media(tmp_path):
    path = media(tmp_path, "shot", 40, Fraction(24))
    clips = [
        media_clip("head", path, Fraction(24), 2, 10),
        media_clip("middle", path, Fraction(24), 15, 10),
        media_clip("tail", path, Fraction(24), 35, 5),
    ]
    plans = plan_timeline(edit(Fraction(24), clips), TimelineSelection(handles=4))
    assert [(p.frames.start, p.frames.stop - 1) for p in plans] == [(0, 15), (11, 28), (31, 39)]


def test_missing_media_is_flagged_but_planned_from_the_timeline_range(tmp_path):
    clip = media_clip(
        "gone",
        tmp_path / "gone.mov",
        NTSC_FILM,
        100,
        24,
        media_start="01:00:00:00",
        media_frames=500,
    )
    clip.markers.append(marker("SparkVSR", opentime.from_timecode("01:00:04:12", 24000 / 1001)))
    (plan,) = plan_timeline(edit(NTSC_FILM, [clip]), TimelineSelection(handles=8))
    assert plan.skipped == f"media not found: {tmp_path / 'gone.mov'}"
    assert plan.frames == type(plan.frames)(92, 132)
    assert keys(plan) == [(4 * 24 + 12, CLIP_MARKER)]
    assert plan.to_json()["frames"] == [92, 131]


def test_tracks_and_clips_are_selected_by_name_or_number(tmp_path):
    rate = Fraction(25)
    path = media(tmp_path, "shot", 60, rate)
    lower = [media_clip(f"low{i}", path, rate, 10 * i, 5) for i in range(3)]
    upper = [4, media_clip("up1", path, rate, 0, 5), 2, media_clip("up2", path, rate, 30, 5)]
    timeline = edit(rate, lower, upper, names=["", "Graded"])

    def names(**selection):
        return [
            (p.track, p.number, p.name)
            for p in plan_timeline(timeline, TimelineSelection(**selection))
        ]

    assert names(tracks=("Graded",), clips=(2,)) == [("Graded", 2, "up2")]
    assert names(tracks=("V2",)) == [("Graded", 1, "up1"), ("Graded", 2, "up2")]
    assert names(tracks=("V1",), clips=(1, 3)) == [("V1", 1, "low0"), ("V1", 3, "low2")]
    assert len(names()) == 5
    with pytest.raises(
        InvalidInputError, match="no video track 'V3'; the timeline has: V1, Graded"
    ):
        names(tracks=("V3",))
    with pytest.raises(InvalidInputError, match="track Graded has 2 clips; there is no clip 3"):
        names(tracks=("Graded",), clips=(3,))


def test_a_timeline_marker_applies_only_to_the_clip_under_it_on_the_chosen_track(tmp_path):
    rate = Fraction(24)
    path = media(tmp_path, "shot", 100, rate)
    timeline = edit(
        rate,
        [media_clip("a", path, rate, 0, 20), media_clip("b", path, rate, 50, 20)],
        [5, media_clip("top", path, rate, 80, 10)],
    )
    timeline.tracks.markers.append(marker("SparkVSR", t(25, rate)))  # over b (and nothing on V2)
    plans = plan_timeline(timeline, TimelineSelection())
    assert [(p.name, keys(p)) for p in plans] == [
        ("a", []),
        ("b", [(55, TIMELINE_MARKER)]),
        ("top", []),
    ]


def test_speed_changes_use_the_source_frames_they_show(tmp_path):
    rate = Fraction(24)
    path = media(tmp_path, "shot", 100, rate)
    fast = media_clip("fast", path, rate, 10, 12)
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    frozen = media_clip("frozen", path, rate, 40, 12)
    frozen.effects.append(otio.schema.FreezeFrame())
    reverse = media_clip("reverse", path, rate, 60, 12)
    reverse.effects.append(otio.schema.LinearTimeWarp(time_scalar=-1.0))
    timeline = edit(rate, [fast, frozen, reverse])
    timeline.tracks.markers.append(marker("SparkVSR", t(5, rate)))  # 5 record frames into fast

    plans = plan_timeline(timeline, TimelineSelection())

    assert (plans[0].used.start, plans[0].used.stop) == (10, 34)
    assert keys(plans[0]) == [(20, TIMELINE_MARKER)]
    assert (plans[1].used.start, plans[1].used.stop) == (40, 41)
    assert plans[2].skipped == "reverse playback (speed -1) is not supported"


def test_bad_clips_are_skipped_with_the_reason_and_the_rest_planned(tmp_path):
    rate = Fraction(24)
    path = media(tmp_path, "shot", 30, rate)
    missing = media_clip("missing", tmp_path / "missing.mov", rate, 0, 10, available=False)
    generator = otio.schema.Clip(
        "bars",
        otio.schema.GeneratorReference(generator_kind="SMPTEBars"),
        opentime.TimeRange(t(0, rate), t(10, rate)),
    )
    offline = otio.schema.Clip("offline", None, opentime.TimeRange(t(0, rate), t(10, rate)))
    too_long = media_clip("too long", path, rate, 25, 10)
    crowded = media_clip("crowded", path, rate, 0, 20)
    crowded.markers.extend([marker("SparkVSR", t(2, rate)), marker("SparkVSR", t(4, rate))])
    stray = media_clip("stray", path, rate, 0, 10)
    stray.markers.append(marker("SparkVSR", t(25, rate)))
    fine = media_clip("fine", path, rate, 0, 10)
    timeline = edit(rate, [missing, generator, offline, too_long, crowded, stray, fine])

    plans = {p.name: p for p in plan_timeline(timeline, TimelineSelection(min_keyframe_gap=5))}

    assert plans["missing"].skipped == f"media not found: {tmp_path / 'missing.mov'}"
    assert "GeneratorReference, not a media file" in plans["bars"].skipped
    assert "offline" in plans["offline"].skipped
    assert plans["too long"].skipped == (
        "the clip uses media frames 25..34, outside the media's 30 frames"
    )
    assert plans["crowded"].skipped == (
        "keyframe markers on media frames 2 and 4 are 2 frames apart; the engine needs at least 5"
    )
    assert plans["stray"].skipped is None and plans["stray"].keyframes == ()
    assert "is on media frame 25, outside the frames upscaled (0..9)" in plans["stray"].warnings[0]
    assert plans["fine"].skipped is None


def test_markers_match_by_prefix_colour_or_any(tmp_path):
    rate = Fraction(24)
    path = media(tmp_path, "shot", 100, rate)
    clip = media_clip("shot", path, rate, 0, 100)
    clip.markers.extend(
        [
            marker("SPARKVSR", t(10, rate), color="GREEN"),  # upper case, as EDLs write it
            marker("note", t(20, rate), color="CYAN"),
            marker("Hero frame", t(30, rate), color="RED", note="~/stills/hero_0030.png"),
        ]
    )
    timeline = edit(rate, [clip])

    def frames(convention):
        (plan,) = plan_timeline(timeline, TimelineSelection(markers=convention))
        return [(key.frame, key.still) for key in plan.keyframes]

    assert frames(MarkerConvention()) == [(10, None)]
    hero = str(Path("~/stills/hero_0030.png").expanduser())
    assert frames(MarkerConvention(name_prefix="hero", colors=("cyan",))) == [
        (20, None),
        (30, hero),
    ]
    assert len(frames(MarkerConvention(any_marker=True))) == 3


def plan_summary(timeline):
    return [
        (p.name, p.used.start, p.used.stop, [k.frame for k in p.keyframes])
        for p in plan_timeline(timeline, TimelineSelection())
    ]


@pytest.mark.parametrize("rate", [Fraction(24), NTSC_FILM, Fraction(25)])
def test_fcp7_xml_and_edl_edits_plan_the_same_frames_as_otio(tmp_path, rate):
    path = media(tmp_path, "shot", 200, rate, start_timecode="01:00:00:00")
    media_start = "01:00:00:00"
    start = opentime.from_timecode(media_start, float(rate))
    first = media_clip("one", path, rate, 12, 30, media_start=media_start, media_frames=200)
    first.markers.append(marker("SparkVSR", start + t(20, rate)))
    second = media_clip("two", path, rate, 100, 40, media_start=media_start, media_frames=200)
    second.markers.append(marker("SparkVSR key", start + t(130, rate)))
    timeline = edit(rate, [first, 8, second])
    expected = [("one", 12, 42, [20]), ("two", 100, 140, [130])]
    assert plan_summary(timeline) == expected

    for suffix in ("otio", "xml", "edl"):
        written = tmp_path / f"edit.{suffix}"
        write_timeline(timeline, str(written))
        assert plan_summary(read_timeline(str(written), rate=rate)) == expected, suffix


def test_unknown_timeline_formats_and_missing_files_are_explained(tmp_path):
    with pytest.raises(Exception, match="no such timeline"):
        read_timeline(str(tmp_path / "nope.otio"))
    (tmp_path / "edit.doc").write_text("x")
    with pytest.raises(InvalidInputError, match="no OpenTimelineIO adapter reads or writes"):
        read_timeline(str(tmp_path / "edit.doc"))
    (tmp_path / "broken.otio").write_text("{not json")
    with pytest.raises(InvalidInputError, match="cannot read .*broken.otio as a timeline"):
        read_timeline(str(tmp_path / "broken.otio"))
