#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (what CI runs). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,server
.venv/bin/ruff check .
.venv/bin/ruff format --check .
bash scripts/test_js.sh
.venv/bin/python -m pytest "$@"
