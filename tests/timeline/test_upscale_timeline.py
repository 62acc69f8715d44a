"""Upscaling a timeline's clips for real (flow engine, PyAV media) and conforming the edit."""

import json
import os
from fractions import Fraction

import av
import numpy as np
import opentimelineio as otio
import pytest
from edits import edit, marker, media, media_clip, t
from helpers import numbered_frames, write_movie_with_audio
from opentimelineio import opentime

from sparkvsr.client import Client
from sparkvsr.engines import load_engine
from sparkvsr.media import probe_video, read_frames, read_still, write_still
from sparkvsr.pipeline import run_job
from sparkvsr.settings import JobSettings
from sparkvsr.specs import FrameLayout, FrameRange, JobSpec, Keyframe, SourceFrame
from sparkvsr.timeline import (
    CANCELLED,
    TimelineSelection,
    read_timeline,
    reference_key,
    sidecar_path,
    upscale_timeline,
    write_timeline,
)

RATE = Fraction(24000, 1001)
START = "01:00:00:00"


@pytest.fixture
def shot(tmp_path):
    """A 23.976 movie starting at 01:00:00:00 and an edit using two parts of it, with a keyframe
    marker naming a still, on a gap-led track."""
    path = media(tmp_path, "shot", 80, RATE, start_timecode=START)
    still = tmp_path / "hero_0030.png"
    write_still(str(still), np.full((192, 256, 3), 200, np.uint8))
    media_start = opentime.from_timecode(START, float(RATE))
    first = media_clip("first", path, RATE, 20, 24, media_start=START, media_frames=80)
    first.markers.append(marker("SparkVSR", media_start + t(30, RATE), note=str(still)))
    second = media_clip("second", path, RATE, 60, 12, media_start=START, media_frames=80)
    timeline = edit(RATE, [6, first, 3, second])
    return timeline, path, still


def decode_sequence(pattern: str, frames: FrameRange) -> list[np.ndarray]:
    out = []
    for index in range(frames.start, frames.stop):
        with av.open(pattern % index) as container:
            out.append(next(container.decode(video=0)).to_ndarray(format="rgb48le"))
    return out


def test_clips_land_on_a_new_track_above_with_the_engines_frames(shot, tmp_path):
    timeline, path, still = shot
    out = tmp_path / "out"
    result = upscale_timeline(
        timeline, TimelineSelection(handles=2), JobSettings(output_format="png"), str(out)
    )

    assert [o.error for o in result.outcomes] == [None, None]
    first, second = result.outcomes
    assert first.output == str(out / "shot_sparkvsr_x4_18-45" / "shot_sparkvsr_x4_18-45.%06d.png")
    assert second.output.endswith("shot_sparkvsr_x4_58-73.%06d.png")

    # The decoded output is what the engine makes of those source frames and that keyframe.
    frames = FrameRange(18, 46)
    source = list(read_frames(str(path), frames))
    layout = FrameLayout(64, 48, 3, 16).scaled(4)
    spec = JobSpec(len(frames), FrameLayout(64, 48, 3, 16), 4, "flow", keyframe_indices=(12,))
    items = [Keyframe(12, read_still(str(still), layout))]
    items += [SourceFrame(i, f) for i, f in enumerate(source)]
    expected = [frame.image for frame in run_job(spec, load_engine("flow"), items)]
    got = decode_sequence(first.output, frames)
    assert len(got) == 28
    for mine, theirs in zip(got, expected):
        np.testing.assert_array_equal(mine, theirs)

    # A new track right above V1, each clip at its record position, same source range.
    tracks = list(result.timeline.tracks)
    assert [track.name for track in tracks] == ["V1", "V1 SparkVSR x4"]
    originals = [c for c in tracks[0] if isinstance(c, otio.schema.Clip)]
    upscaled = [c for c in tracks[1] if isinstance(c, otio.schema.Clip)]
    for original, new in zip(originals, upscaled):
        assert new.range_in_parent() == original.range_in_parent()
        assert new.source_range == original.source_range
    reference = upscaled[0].media_reference
    assert isinstance(reference, otio.schema.ImageSequenceReference)
    assert reference.start_frame == 18
    assert reference.target_url_for_image_number(0) == first.output % 18
    media_start = opentime.from_timecode(START, float(RATE))
    assert reference.available_range.start_time == media_start + t(18, RATE)
    # The input timeline is untouched.
    assert len(timeline.tracks) == 1


def test_the_written_edit_round_trips_through_fcp7_xml(shot, tmp_path):
    timeline, _, _ = shot
    result = upscale_timeline(
        timeline, TimelineSelection(), JobSettings(audio=False), str(tmp_path / "out")
    )
    xml = tmp_path / "edit.sparkvsr.xml"
    write_timeline(result.timeline, str(xml))
    back = read_timeline(str(xml))

    assert len(back.tracks) == 2
    upscaled = [c for c in back.tracks[1] if isinstance(c, otio.schema.Clip)]
    written = [c for c in result.timeline.tracks[1] if isinstance(c, otio.schema.Clip)]
    assert len(upscaled) == 2
    for got, want in zip(upscaled, written):
        assert got.range_in_parent() == want.range_in_parent()
        assert got.source_range == want.source_range
        assert got.media_reference.target_url.endswith(
            os.path.basename(want.media_reference.target_url)
        )
    # The movie's own timecode says the same as the reference's range.
    movie = probe_video(written[0].media_reference.target_url)
    assert movie.start_timecode == "01:00:00:20" and movie.frame_count == 24


def test_replace_relinks_and_as_reference_adds_a_second_reference(shot, tmp_path):
    timeline, path, _ = shot
    settings = JobSettings(audio=False)
    selection = TimelineSelection(clips=(2,))
    replaced = upscale_timeline(timeline, selection, settings, str(tmp_path / "a"), mode="replace")
    clips = [c for c in replaced.timeline.tracks[0] if isinstance(c, otio.schema.Clip)]
    assert len(replaced.timeline.tracks) == 1
    assert clips[0].media_reference.target_url == str(path)
    assert clips[1].media_reference.target_url == str(tmp_path / "a" / "shot_sparkvsr_x4_60-71.mov")

    referenced = upscale_timeline(
        timeline, selection, settings, str(tmp_path / "b"), mode="reference"
    )
    clip = [c for c in referenced.timeline.tracks[0] if isinstance(c, otio.schema.Clip)][1]
    references = clip.media_references()
    assert clip.active_media_reference_key == "DEFAULT_MEDIA"
    assert references["DEFAULT_MEDIA"].target_url == str(path)
    assert references[reference_key(4)].target_url.endswith("shot_sparkvsr_x4_60-71.mov")
    # Both survive an OTIO round trip.
    written = tmp_path / "ref.otio"
    write_timeline(referenced.timeline, str(written))
    back_timeline = read_timeline(str(written))  # held: its children die with it
    back = [c for c in back_timeline.tracks[0] if isinstance(c, otio.schema.Clip)]
    assert set(back[1].media_references()) == {"DEFAULT_MEDIA", reference_key(4)}


def test_audio_is_carried_and_a_sidecar_records_the_provenance(tmp_path):
    path = tmp_path / "talk.mov"
    left = write_movie_with_audio(path, numbered_frames(40), RATE, start_timecode=START)
    clip = media_clip("talk", path, RATE, 8, 16, media_start=START, available=False)
    clip.markers.append(
        marker("SparkVSR", opentime.from_timecode(START, float(RATE)) + t(12, RATE))
    )
    result = upscale_timeline(
        edit(RATE, [clip]),
        TimelineSelection(),
        JobSettings(),
        str(tmp_path / "out"),
    )
    (outcome,) = result.outcomes
    # No still and no provider: the keyframe cannot be made, and the message says how to fix it.
    assert outcome.error == "keyframe 12 has no still; give one, or restore it with --provider"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())

    result = upscale_timeline(
        edit(RATE, [media_clip("talk", path, RATE, 8, 16, media_start=START, available=False)]),
        TimelineSelection(),
        JobSettings(),
        str(tmp_path / "out"),
    )
    (outcome,) = result.outcomes
    with av.open(outcome.output) as container:
        audio = np.concatenate([f.to_ndarray().reshape(-1, 2) for f in container.decode(audio=0)])
    first, last = round(8 / RATE * 48000), round(24 / RATE * 48000)
    np.testing.assert_array_equal(audio[:, 0], left[first:last])

    record = json.loads(open(sidecar_path(outcome.output)).read())
    assert record["source"]["media"] == str(path)
    assert record["source"]["frames"] == [8, 23]
    assert record["source"]["frame_rate"] == "24000/1001"
    assert record["engine"] == "flow" and record["scale"] == 4
    assert record["clip"] == {"track": "V1", "number": 1, "name": "talk"}


def test_a_failing_clip_does_not_stop_the_others_and_nothing_is_overwritten(shot, tmp_path):
    timeline, _, still = shot
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "shot_sparkvsr_x4_60-71.mov"
    existing.write_bytes(b"keep me")
    still.unlink()  # the first clip's marker names a still that is gone
    result = upscale_timeline(timeline, TimelineSelection(), JobSettings(), str(out))
    first, second = result.outcomes
    assert "keyframe 30" in first.error and "hero_0030.png" in first.error
    assert second.error == f"{existing} exists; pass --overwrite to replace it"
    assert existing.read_bytes() == b"keep me"
    assert len(result.timeline.tracks) == 1  # nothing to stack


def test_cancel_keeps_finished_clips_and_leaves_no_partial_media(shot, tmp_path):
    timeline, _, _ = shot
    out = tmp_path / "out"
    seen = []

    def stop_in_second_clip():
        return len(seen) > 24 + 3

    result = upscale_timeline(
        timeline,
        TimelineSelection(),
        JobSettings(audio=False),
        str(out),
        progress=lambda plan, done, total: seen.append(plan.name),
        should_stop=stop_in_second_clip,
    )
    assert [o.error for o in result.outcomes] == [None, CANCELLED]
    assert result.cancelled
    assert sorted(os.listdir(out)) == [
        "shot_sparkvsr_x4_20-43.mov",
        "shot_sparkvsr_x4_20-43.sparkvsr.json",
    ]
    assert len([c for c in result.timeline.tracks[1] if isinstance(c, otio.schema.Clip)]) == 1


def test_identical_clips_share_one_output_and_other_keyframes_get_their_own(shot, tmp_path):
    timeline, path, _ = shot
    twin = media_clip("twin", path, RATE, 60, 12, media_start=START, media_frames=80)
    marked = media_clip("marked", path, RATE, 60, 12, media_start=START, media_frames=80)
    marked.markers.append(
        marker("SparkVSR", opentime.from_timecode(START, float(RATE)) + t(66, RATE))
    )
    timeline.tracks.append(otio.schema.Track("V2", children=[twin, marked]))
    result = upscale_timeline(
        timeline,
        TimelineSelection(tracks=("V1", "V2"), clips=(2,)),
        JobSettings(audio=False),
        str(tmp_path / "out"),
    )
    second, marked_outcome = result.outcomes
    assert second.output.endswith("shot_sparkvsr_x4_60-71.mov")
    assert (
        marked_outcome.error == "keyframe 66 has no still; give one, or restore it with --provider"
    )

    result = upscale_timeline(
        timeline,
        TimelineSelection(tracks=("V1", "V2")),
        JobSettings(audio=False),
        str(tmp_path / "out2"),
    )
    outputs = [o.output for o in result.outcomes]
    assert outputs[1] == outputs[2]  # `second` and `twin` are the same work, done once
    assert sorted(p for p in os.listdir(tmp_path / "out2") if p.endswith(".mov")) == [
        "shot_sparkvsr_x4_20-43.mov",
        "shot_sparkvsr_x4_60-71.mov",
    ]


def test_clips_run_on_a_server_like_in_process(shot, tmp_path, start_server):
    timeline, _, _ = shot
    settings = JobSettings(output_format="png", audio=False)
    local = upscale_timeline(timeline, TimelineSelection(clips=(2,)), settings, str(tmp_path / "a"))
    server = start_server()
    with Client(server.address) as client:
        remote = upscale_timeline(
            timeline, TimelineSelection(clips=(2,)), settings, str(tmp_path / "b"), runner=client
        )
    frames = FrameRange(60, 72)
    for mine, theirs in zip(
        decode_sequence(remote.outcomes[0].output, frames),
        decode_sequence(local.outcomes[0].output, frames),
    ):
        np.testing.assert_array_equal(mine, theirs)
