"""End to end: the panel's JavaScript, driven by node against the real server and its gateway on
loopback, upscales a real clip; its output's frames equal the library's in-process output, and
the fake Premiere project holds the result in bin SparkVSR on a new track."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from node_driver import panel_scenario, run_node

from sparkvsr.media import read_frames
from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.specs import FrameRange
from sparkvsr.upscale_file import upscale_file

TICKS_PER_SECOND = 254016000000


def ticks(frames: int, rate: int = 24) -> str:
    return str(Fraction(frames * TICKS_PER_SECOND, rate))


@pytest.mark.slow
def test_panel_output_equals_the_library_in_process(gateway_url, node_packages, clip, tmp_path):
    first, stop, keyframe = 2, 20, 12
    out_dir = tmp_path / "renders"
    settings = {
        "scale": 4,
        "engine": "flow",
        "provider": "",
        "outputFormat": "prores_hq",
        "outputDir": str(out_dir),
    }
    payload = {
        "gatewayUrl": gateway_url,
        "scenario": panel_scenario(clip, first, stop, keyframe),
        "settings": settings,
    }
    result = run_node("drive_panel.js", payload, tmp_path, timeout_s=300)
    assert "error" not in result, result["error"]

    output = out_dir / f"clip_sparkvsr_x4_{first}-{stop - 1}.mov"
    sidecar = out_dir / f"clip_sparkvsr_x4_{first}-{stop - 1}.sparkvsr.json"
    assert output.exists() and sidecar.exists()
    reference = upscale_file(
        FileJob(
            source=str(clip.path),
            output=str(tmp_path / "reference.mov"),
            settings=JobSettings(scale=4, engine="flow", audio=False),
            keyframe_stills=((keyframe, str(clip.stills[keyframe])),),
            frames=FrameRange(first, stop),
        )
    )
    ours = np.stack(list(read_frames(str(output))))
    theirs = np.stack(list(read_frames(reference.output)))
    assert ours.shape == (stop - first, *theirs.shape[1:])
    np.testing.assert_array_equal(ours, theirs)

    state = result["state"]
    assert {"name": "SparkVSR", "items": [output.name]} in state["bins"]
    (placed,) = state["tracks"][1]  # a new track above V1
    assert placed["path"] == str(output)
    assert (placed["start"], placed["end"]) == (ticks(48), ticks(48 + stop - first))
    assert (placed["in"], placed["out"]) == (ticks(0), ticks(stop - first))
    assert str(sidecar) in placed["markers"][0]["comment"]
    assert result["progress"][-1][1] == "JOB_STATE_SUCCEEDED"


def test_panel_reports_a_missing_source_and_changes_nothing(
    gateway_url, node_packages, clip, tmp_path
):
    scenario = panel_scenario(clip, 0, 10, 0)
    scenario["media"][0]["path"] = str(tmp_path / "moved-away.mov")
    settings = {
        "scale": 4,
        "engine": "flow",
        "provider": "",
        "outputFormat": "prores_hq",
        "outputDir": str(tmp_path / "renders"),
    }
    payload = {"gatewayUrl": gateway_url, "scenario": scenario, "settings": settings}
    result = run_node("drive_panel.js", payload, tmp_path)
    assert "moved-away.mov" in result["error"]
    # No "SparkVSR" bin, nothing imported, no track added.
    assert [bin_["items"] for bin_ in result["state"]["bins"]] == [[]]
    assert "SparkVSR" not in [bin_["name"] for bin_ in result["state"]["bins"]]
    assert [len(track) for track in result["state"]["tracks"]] == [1]
