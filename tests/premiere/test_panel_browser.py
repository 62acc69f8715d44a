"""The panel's page in headless Chromium with the premierepro fake injected and the real gateway
behind it: Upscale runs to the end, the result is placed, and a screenshot is saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from node_driver import panel_scenario, run_node

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "build" / "premiere"


@pytest.mark.slow
def test_upscale_in_the_page_runs_to_done(gateway_url, node_packages, clip, tmp_path):
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: scripts/test_js.sh installs it (apt-get)")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOT_DIR / "panel-done.png"
    out_dir = tmp_path / "renders"
    settings = {
        "server": gateway_url,
        "scale": 4,
        "engine": "flow",
        "provider": "",
        "outputFormat": "prores_hq",
        "outputDir": str(out_dir),
    }
    payload = {
        "scenario": panel_scenario(clip, 2, 20, 12),
        "settings": settings,
        "screenshot": str(screenshot),
    }
    result = run_node("drive_browser.js", payload, tmp_path, timeout_s=300)
    assert result["errors"] == []
    assert result["plainControls"] == 0
    assert "media frames 2-19" in result["listed"][0] and "12 (still)" in result["listed"][0]
    assert result["status"].startswith("done: 1 upscaled clip in bin")
    assert (out_dir / "clip_sparkvsr_x4_2-19.mov").exists()
    (placed,) = result["state"]["tracks"][1]
    assert placed["path"] == str(out_dir / "clip_sparkvsr_x4_2-19.mov")
    assert screenshot.stat().st_size > 1000


@pytest.mark.slow
def test_a_server_the_manifest_does_not_list_is_refused_in_the_page(node_packages, clip, tmp_path):
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: scripts/test_js.sh installs it (apt-get)")
    settings = {"server": "http://127.0.0.1:9", "scale": 4, "engine": "", "provider": ""}
    settings |= {"outputFormat": "prores_hq", "outputDir": str(tmp_path / "renders")}
    payload = {
        "scenario": panel_scenario(clip, 2, 20, 12),
        "settings": settings,
        "allowServer": False,
        "screenshot": str(tmp_path / "refused.png"),
    }
    result = run_node("drive_browser.js", payload, tmp_path, timeout_s=120)
    assert result["errors"] == []
    assert result["status"].startswith(
        "the panel's manifest does not let it reach ws://127.0.0.1:9: it allows ws://localhost:50052"
    )
    assert not (tmp_path / "renders").exists()
    assert [len(track) for track in result["state"]["tracks"]] == [1]
