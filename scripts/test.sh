#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (what CI runs). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# The OpenFX plug-in's tests build it from source: cmake and a C compiler from Debian if missing.
if ! command -v cmake >/dev/null || ! command -v cc >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq cmake gcc g++ >/dev/null
fi
bash scripts/setup.sh test,server
.venv/bin/ruff check .
.venv/bin/ruff format --check .
bash scripts/test_js.sh
.venv/bin/python -m pytest "$@"
# The same suite on a base install (what an editor's Python gets: no torch, no diffusers); the
# GPU-stack tests skip themselves there. Slow tests ran above already.
bash scripts/setup.sh test .venv-base
.venv-base/bin/python -m pytest -m "not slow" "$@"
