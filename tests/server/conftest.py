"""Servers in these tests keep their state in a temporary folder, never the user's."""

import pytest


@pytest.fixture(autouse=True)
def _private_state_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SPARKVSR_STATE_DIR", str(tmp_path_factory.mktemp("state")))
