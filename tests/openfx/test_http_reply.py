"""The plug-in's HTTP reply parser, through its C unit tests (native/tests/test_http_reply.c):
truncated, oversized and malformed replies refused, byte-by-byte delivery parsed."""

from __future__ import annotations

import subprocess


def test_the_reply_parser_passes_its_c_tests(ofx_build):
    done = subprocess.run(
        [str(ofx_build / "test_http_reply")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "all checks passed" in done.stdout
