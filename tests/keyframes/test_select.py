"""Keyframe selection on real encoded videos with known GOP structure and known cuts."""

import json
import logging

import av
import numpy as np
import pytest

from sparkvsr.cli import main
from sparkvsr.demo import camera_clip, sample_photo
from sparkvsr.errors import InvalidInputError
from sparkvsr.keyframes import codec_keyframes, scene_cuts, suggest_keyframes
from sparkvsr.specs import FrameRange
from sparkvsr.window_plan import plan_chunks


def encode_h264(path, frames, gop):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        # A fixed GOP: I-frames exactly every `gop` frames, none added at scene changes.
        stream.options = {"x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0", "bf": "2"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory):
    """50 frames: a pan over one photo, then from frame 30 another photo; I-frames every 12."""
    first = camera_clip(sample_photo("motorcycle"), (128, 80), 30, seed=1)
    second = camera_clip(sample_photo("rocket"), (128, 80), 20, seed=2)
    return encode_h264(
        tmp_path_factory.mktemp("v") / "shots.mp4", np.concatenate([first, second]), 12
    )


def test_iframes_come_from_the_packets(two_shots):
    assert codec_keyframes(two_shots) == [0, 12, 24, 36, 48]


def test_scene_cuts_are_found_where_the_shot_changes(two_shots):
    assert [frame for frame, _ in scene_cuts(two_shots, 0.35)] == [30]
    choices = suggest_keyframes(two_shots, "scenes")
    assert [c.frame for c in choices] == [0, 30]
    assert "scene cut" in choices[1].reason


def test_uniform_ends_random_and_ranges(two_shots):
    assert [c.frame for c in suggest_keyframes(two_shots, "uniform:16")] == [0, 16, 32, 48]
    assert [c.frame for c in suggest_keyframes(two_shots, "ends")] == [0, 24, 49]
    within = suggest_keyframes(two_shots, "ends", frames=FrameRange(10, 21))
    assert [c.frame for c in within] == [10, 15, 20]
    picks = [c.frame for c in suggest_keyframes(two_shots, "random:5:7")]
    assert (
        picks == [c.frame for c in suggest_keyframes(two_shots, "random:5:7")] and len(picks) == 5
    )


def test_the_gap_rule_drops_close_candidates_and_says_so(two_shots, caplog):
    caplog.set_level(logging.WARNING)
    choices = suggest_keyframes(two_shots, "uniform:3", min_gap=4, explicit=(10,))
    frames = [c.frame for c in choices]
    assert 10 in frames and all(b - a >= 4 for a, b in zip(frames, frames[1:]))
    assert "not using frame 9" in caplog.text
    with pytest.raises(InvalidInputError, match="keyframes 10 and 12 are 2 frames apart"):
        suggest_keyframes(two_shots, "ends", min_gap=4, explicit=(10, 12))


def test_every_chunk_gets_a_keyframe_when_asked(two_shots):
    choices = suggest_keyframes(two_shots, "ends", min_gap=4, chunk=(9, 2))
    for chunk in plan_chunks(50, 9, 2):
        assert any(c.frame in chunk for c in choices), chunk
    assert any("middle of chunk" in c.reason for c in choices)


def test_unknown_strategies_list_the_valid_ones(two_shots):
    with pytest.raises(InvalidInputError, match="choose one of: iframes, scenes"):
        suggest_keyframes(two_shots, "every-so-often")


def test_cli_suggest_prints_json(two_shots, capsys):
    assert main(["keyframes", "suggest", two_shots, "--strategy", "iframes", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed[1] == {"frame": 12, "reason": "codec I-frame"}
    args = ["keyframes", "suggest", two_shots, "--strategy", "ends", "--chunk", "9:2", "--json"]
    assert main(args) == 0
    assert len(json.loads(capsys.readouterr().out)) > 3
