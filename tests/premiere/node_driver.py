"""Running the panel's node drivers (drive_panel.js, drive_browser.js) from pytest, and the fake
Premiere project they start from."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def panel_scenario(clip, first: int, stop: int, keyframe: int) -> dict:
    """A 24 fps sequence with the clip trimmed to media frames [first, stop) at sequence frame 48,
    and a clip marker naming the keyframe's still."""
    return {
        "sequence": {"name": "Edit", "rate": [24, 1]},
        "media": [
            {
                "id": "clip",
                "path": str(clip.path),
                "rate": [24, 1],
                "frames": len(clip.low),
                "startTimecode": "01:00:00:00",
            }
        ],
        "clips": [{"media": "clip", "start": 48, "in": first, "out": stop}],
        "clipMarkers": [
            {
                "media": "clip",
                "name": "SparkVSR key",
                "frame": keyframe,
                "comment": str(clip.stills[keyframe]),
            }
        ],
    }


def run_node(script: str, payload: dict, tmp_path: Path, timeout_s: float = 120) -> dict:
    """Runs a driver script with its input in a JSON file and returns the JSON it prints."""
    source = tmp_path / "driver-input.json"
    source.write_text(json.dumps(payload))
    result = subprocess.run(
        ["node", "--experimental-websocket", "--no-warnings", str(HERE / script), str(source)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
