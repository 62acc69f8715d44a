"""`sparkvsr serve` with the test engines, in its own process until killed: for crash and restart
tests. Its log (stderr) says the ports it listens on.

Usage: python serve_test_engines.py DELAY_S [sparkvsr serve options...]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# A base install: the test engines need no torch, and importing it (to list GPUs) costs seconds.
sys.modules["torch"] = None

from helpers import engines  # noqa: E402

import sparkvsr_server._app  # noqa: E402
from sparkvsr.cli import main  # noqa: E402

if __name__ == "__main__":
    delay_s = float(sys.argv[1])
    # The one seam: the engines this process may run (a real server offers the registry's).
    sparkvsr_server._app.available_engines = lambda: engines(delay_s)
    sys.exit(main(["serve", "--port", "0", "--engine", "bilinear", *sys.argv[2:]]))
