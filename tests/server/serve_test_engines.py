"""A server with the test engines in its own process, until killed: for crash and restart tests.

Usage: python serve_test_engines.py SPOOL_DIR DELAY_S; prints its port on the first line.
"""

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# A base install: the test engines need no torch, and importing it (to list GPUs) costs seconds.
sys.modules["torch"] = None

from helpers import engines  # noqa: E402

from sparkvsr_server import BackgroundServer, ServerConfig  # noqa: E402

if __name__ == "__main__":
    server = BackgroundServer(
        ServerConfig(port=0, spool_dir=sys.argv[1]), engines(float(sys.argv[2]))
    )
    print(server.port, flush=True)
    threading.Event().wait()
