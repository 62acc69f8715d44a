"""Bundles run as a service-managed fleet with job attachments runs them (tests/farm/fleet.py):
the same frames as `sparkvsr upscale` / `sparkvsr timeline upscale`, the edit and sidecars
naming the studio's paths, windows kept apart from the deliverables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import make_cut, make_shot
from farm_jobs import hr_still, needs_openjd, same_frames
from fleet import ServiceManagedFleet
from helpers import RestorationService, numbered_frames, png_data_uri

from sparkvsr.cli import main
from sparkvsr.timeline import read_timeline

pytestmark = needs_openjd


def bundle(tmp_path: Path, source: Path, output: Path, *options: str) -> Path:
    folder = tmp_path / "bundle"
    arguments = ["farm", "bundle", str(source), "-o", str(output), "--bundle-dir", str(folder)]
    assert main([*arguments, *options]) == 0
    return folder


def fleet_run(tmp_path: Path, studio: Path, folder: Path):
    fleet = ServiceManagedFleet(studio, tmp_path / "worker")
    outputs = fleet.run(folder)
    fleet.download(outputs["Assemble"])
    return fleet, outputs


@pytest.mark.slow
def test_a_clip_gives_the_frames_of_upscale_and_only_deliverables_come_down(tmp_path, studio):
    path, keys = make_shot(studio)
    local, farmed = tmp_path / "local.mov", studio / "out" / "shot_x4.mov"
    assert main(["upscale", str(path), "-o", str(local), "--no-progress", *keys]) == 0
    folder = bundle(tmp_path, path, farmed, "--windows-per-task", "3", *keys)

    fleet, outputs = fleet_run(tmp_path, studio, folder)

    assert same_frames(local, farmed)
    assert fleet.sessions == 3 + 1  # windows 0-2, 3-5, 6-7, then assembly: each a new session
    windows = outputs["Upscale"].files
    assert len(windows) == 8 and all(name.endswith(".npz") for name in windows)
    assert all(name.startswith("out.sparkvsr-work/") for name in windows)  # not in out/
    assert set(outputs["Assemble"].files) == {"out/shot_x4.mov"}  # the deliverable only
    assert "openjd_progress: 100" in "".join(fleet.logs)


@pytest.mark.slow
def test_an_edit_gives_the_frames_of_timeline_upscale_naming_the_studios_paths(tmp_path, studio):
    cut = make_cut(studio)
    local, farmed = tmp_path / "local", studio / "farmed"
    assert main(["timeline", "upscale", str(cut), "-o", str(local), "--no-progress"]) == 0
    folder = bundle(tmp_path, cut, farmed)
    assets = json.loads((folder / "asset_references.yaml").read_text())["assetReferences"]
    attached = {Path(name).name for name in assets["inputs"]["filenames"]}
    assert attached == {"cut.otio", "A001.mov", "B002.mov", "a_0008.png", "b_0004.png"}

    fleet_run(tmp_path, studio, folder)

    movies = sorted(p.name for p in local.glob("*.mov"))
    assert len(movies) == 3 and movies == sorted(p.name for p in farmed.glob("*.mov"))
    stills = []
    for name in movies:
        assert same_frames(local / name, farmed / name), name
        record = json.loads((farmed / name).with_suffix(".sparkvsr.json").read_text())
        assert record["output"] == str(farmed / name)
        assert Path(record["source"]["media"]).parent == studio
        stills += [key["still"] for key in record["keyframes"] if key["still"]]
    assert sorted(stills) == [str(studio / "a_0008.png"), str(studio / "b_0004.png")]
    edited = read_timeline(str(farmed / "cut.sparkvsr.otio"))
    urls = {clip.media_reference.target_url for clip in edited.find_clips()}
    assert urls and all(url.startswith(str(studio)) for url in urls), urls


@pytest.mark.slow
def test_a_keyframe_folder_is_attached_and_mapped(tmp_path, studio):
    path, _ = make_shot(studio)
    keys = studio / "keys"
    keys.mkdir()
    for index in (0, 16):
        hr_still(keys / f"hero_{index:06d}.png", numbered_frames(32, (48, 32))[index])
    local, farmed = tmp_path / "local.mov", studio / "out" / "shot_x4.mov"
    options = ["--keyframe-dir", str(keys)]
    assert main(["upscale", str(path), "-o", str(local), "--no-progress", *options]) == 0
    folder = bundle(tmp_path, path, farmed, *options)
    assets = json.loads((folder / "asset_references.yaml").read_text())["assetReferences"]
    assert assets["inputs"]["directories"] == [str(keys)]

    fleet_run(tmp_path, studio, folder)

    assert same_frames(local, farmed)


@pytest.mark.slow
def test_a_keyframe_step_restores_each_keyframe_once_for_all_upscale_tasks(tmp_path, studio):
    path, keys = make_shot(studio)
    service = RestorationService()
    # A service that answers differently each time, as a generative one does.
    service.replies = [
        (200, {"image": png_data_uri(np.full((128, 192, 3), grey, np.uint8))}, 0)
        for grey in (40, 80, 120, 160)
    ]
    config = studio / "api.json"
    config.write_text(json.dumps({"url": service.url}))
    farmed = studio / "out" / "shot_x4.mov"
    provider = ["--provider", "api", "--api-config", str(config)]
    ends = ["--keyframes", "auto:ends"]  # the last frame has no still: the provider's
    folder = bundle(tmp_path, path, farmed, "--windows-per-task", "3", *keys[:4], *ends, *provider)
    folder_assets = json.loads((folder / "asset_references.yaml").read_text())
    assert str(config) in folder_assets["assetReferences"]["inputs"]["filenames"]
    template = json.loads((folder / "template.yaml").read_text())
    assert [step["name"] for step in template["steps"]] == ["Keyframes", "Upscale", "Assemble"]
    try:
        _, outputs = fleet_run(tmp_path, studio, folder)
    finally:
        service.close()
    restored = [name for name in outputs["Keyframes"].files if name.endswith(".npy")]
    assert restored and all(name.startswith("out.sparkvsr-work/") for name in restored)
    # Restored once each, by the keyframe step; the three upscale tasks used those images.
    assert len(service.requests) == len(restored)
    assert farmed.is_file()
