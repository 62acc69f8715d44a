"""A tiny SparkVSR checkpoint saved once per session in the release layout, loaded for real."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from tiny_model import save_tiny_checkpoint  # noqa: E402

from sparkvsr.engines.sparkvsr import load_pipeline  # noqa: E402


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory):
    return save_tiny_checkpoint(tmp_path_factory.mktemp("sparkvsr") / "SparkVSR")


@pytest.fixture
def pipeline(checkpoint):
    return load_pipeline(checkpoint, device="cpu", dtype=torch.float32)


@pytest.fixture
def noiseless(pipeline):
    """The pipeline taking the posterior's mode: a random VAE's sampling noise would swamp the
    differences these tests look for."""
    pipeline.sample_posterior = False
    return pipeline
