#!/usr/bin/env bash
# Builds the sdist and the wheel (no packaging warnings allowed), installs the wheel (not editable)
# into fresh environments, base and with the GPU extra, and from a folder outside the source tree
# runs every command's --help, a real job, and (with the demo extra) the demo. Needs .venv (the
# test setup) for the build tool. Pip's cache is reused; `-k` keeps the work folder to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
keep=0
[ "${1:-}" = "-k" ] && keep=1
work=$(mktemp -d "${TMPDIR:-/tmp}/sparkvsr-install-check.XXXXXX")
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; fi
started=$SECONDS
say() { echo "check_install [$((SECONDS - started)) s]: $*" >&2; }
check="$repo/scripts/check_install.py"
if ! .venv/bin/python -c "import build" 2>/dev/null; then
    say "needs .venv with the build tool: run scripts/setup.sh test first"
    exit 1
fi

say "building the sdist and the wheel from it..."
# Byte-compiling off (PYTHONDONTWRITEBYTECODE) makes setuptools print a warning of its own.
if ! env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m build --outdir "$work/dist" . \
    >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    say "the build failed"
    exit 1
fi
if grep -i "warn" "$work/build.log" >&2; then
    say "the build printed the warnings above (full log: $work/build.log with -k)"
    exit 1
fi
wheel=$(ls "$work"/dist/sparkvsr-*.whl)
say "built $(basename "$wheel"), no warnings"

# A fresh environment with the wheel and these extras ("" for a base install). --no-compile:
# byte-compiling torch and friends at install time costs minutes, and Python does it on import.
install() {
    local venv=$1 extras=$2
    say "creating $venv..."
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --no-compile --upgrade pip
    case ",$extras," in
        *,gpu,*)
            # The pin scripts/setup.sh uses (the CPU build on this project's machines).
            say "installing torch==2.13.0 into $venv..."
            "$venv/bin/python" -m pip install --quiet --no-compile "torch==2.13.0" ;;
    esac
    say "installing the wheel${extras:+ with [$extras]} and its dependencies into $venv..."
    "$venv/bin/python" -m pip install --quiet --no-compile "$wheel${extras:+[$extras]}"
}

# Every command's --help, the package's files, and a real job: x2 of a small clip (flow engine).
exercise() {
    local venv=$1 run=$work/run-$(basename "$1")
    mkdir -p "$run" && cd "$run"
    say "checking the installed files of $venv..."
    "$venv/bin/python" "$check" installed "$repo"
    say "running every command's --help..."
    "$venv/bin/sparkvsr" --help >/dev/null
    "$venv/bin/python" "$check" helps
    say "running a job (sparkvsr upscale)..."
    "$venv/bin/python" "$check" clip clip.mov
    "$venv/bin/sparkvsr" upscale clip.mov --engine flow --scale 2 -o out.mov --no-progress
    "$venv/bin/python" "$check" frames out.mov 24 192 128
    cd "$repo"
}

say "1/2: base install (what an editor's Python gets)"
install "$work/venv-base" ""
exercise "$work/venv-base"
(cd "$work" && venv-base/bin/sparkvsr info)
if "$work/venv-base/bin/python" -c "import torch" 2>/dev/null; then
    say "torch is installed in the base environment: it must not be"
    exit 1
fi
say "building the OpenFX plug-in and packaging the Premiere panel from the installed files..."
(cd "$work" && venv-base/bin/sparkvsr openfx build --build-dir "$work/ofx-build" \
    && venv-base/bin/sparkvsr premiere package -o "$work/SparkVSR.ccx")

say "2/2: with the GPU and demo extras"
install "$work/venv-gpu" "gpu,demo"
exercise "$work/venv-gpu"
say "running the demo..."
(cd "$work" && venv-gpu/bin/sparkvsr demo --output-dir demo)
say "done: the wheel installs and runs"
