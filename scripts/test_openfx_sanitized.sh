#!/usr/bin/env bash
# The OpenFX plug-in built with AddressSanitizer and UndefinedBehaviorSanitizer: the HTTP reply
# parser's C tests, then the OpenFX tests through the test host. The host is a Python process, so
# the ASan runtime is preloaded into it (it must come before any other library); any report
# aborts the process and fails this script. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cmake -S plugin_clients/openfx/native -B "$build" -DSPARKVSR_SANITIZE=ON >/dev/null
cmake --build "$build" --parallel 2 >/dev/null
(cd "$build" && ctest --output-on-failure)
# Leak checking is off: Python's interpreter keeps memory to exit by design. The plug-in's own
# allocations are counted by the test host (memory suite) instead.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The tests that run the plug-in in the host's process (building and installing bundles, the
# Win64 cross-build among them, run no plug-in code: they are left to the ordinary run).
SPARKVSR_OFX_SANITIZE=1 LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
    .venv/bin/python -m pytest tests/openfx -q -x -p no:cacheprovider \
    --ignore=tests/openfx/test_ofx_cli.py --ignore=tests/openfx/test_ofx_win64.py "$@"
