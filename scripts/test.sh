#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (what CI runs). Extra arguments go to pytest.
# Needs Python 3.10+, about 3 GB of disk for the environments, and from Debian (asked for before
# anything is installed: scripts/system_packages.sh) cmake and a C compiler (the OpenFX plug-in
# is built from source), mingw-w64 (its Windows cross-build), node and npm (the Premiere panel's
# checks) and chromium (its browser test).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "test.sh: $*" >&2; }
source scripts/system_packages.sh
require_packages cmake=cmake cc=gcc c++=g++ x86_64-w64-mingw32-gcc=mingw-w64 \
    node=nodejs npm=npm chromium=chromium
say "setting up .venv (test and server extras)..."
bash scripts/setup.sh test,server
say "ruff..."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
say "the Premiere panel's JavaScript checks..."
bash scripts/test_js.sh
say "the test suite..."
.venv/bin/python -m pytest "$@"
say "the OpenFX plug-in under AddressSanitizer and UndefinedBehaviorSanitizer..."
bash scripts/test_openfx_sanitized.sh "$@"
# The same suite on a base install (what an editor's Python gets: no torch, no diffusers); the
# GPU-stack tests skip themselves there. Slow tests ran above already.
say "setting up .venv-base (test extra only)..."
bash scripts/setup.sh test .venv-base
say "the test suite on the base install..."
.venv-base/bin/python -m pytest -m "not slow" "$@"
# The wheel as users install it (not editable), base and with the GPU extra.
bash scripts/check_install.sh
