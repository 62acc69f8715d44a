#!/usr/bin/env bash
# Sets everything up and runs the main job on a generated clip: x4 with the flow engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
.venv/bin/sparkvsr demo --output-dir "${1:-demo_output}"
