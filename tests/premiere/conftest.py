"""Helpers of the Premiere panel's end-to-end tests: node and the panel's npm packages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def node_packages() -> Path:
    """tests/premiere/node_modules, installed from package-lock.json when missing."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed (apt-get install -y nodejs npm)")
    if not (HERE / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return HERE / "node_modules"
