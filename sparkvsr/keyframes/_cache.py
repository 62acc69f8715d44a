"""Restored keyframes kept on disk, so re-running a job restores only what changed."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from sparkvsr import environment
from sparkvsr.atomic import write_first
from sparkvsr.content_key import ContentKey
from sparkvsr.keyframes._provider import KeyframeProvider
from sparkvsr.specs import FrameLayout

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """$SPARKVSR_CACHE_DIR, else $XDG_CACHE_HOME/sparkvsr/keyframes, else ~/.cache/..."""
    return environment.keyframe_cache_dir()


class CachedProvider(KeyframeProvider):
    """Wraps a provider; results are keyed by (source frame content, provider settings, target)."""

    def __init__(self, provider: KeyframeProvider, directory: Path | None = None):
        self.provider = provider
        self.name = provider.name
        self.directory = Path(directory) if directory else default_cache_dir()
        self.hits = self.misses = 0

    def cache_key(self) -> str | None:
        return self.provider.cache_key()

    def key(self, source: np.ndarray, target: FrameLayout) -> str | None:
        settings = self.provider.cache_key()
        if settings is None:
            return None
        return ContentKey(f"{settings}|{target}", source).hexdigest()

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        key = self.key(source, target)
        if key is None:
            return self.provider.provide(index, source, target)
        path = self.directory / key[:2] / f"{key}.npy"
        if path.exists():
            self.hits += 1
            logger.info("keyframe %d: restored before (%s)", index, path)
            return np.load(path)
        self.misses += 1
        image = self.provider.provide(index, source, target)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _keep_first(path, image)


def _keep_first(path: Path, image: np.ndarray) -> np.ndarray:
    """Stores `image` at `path` unless another process stored one there meanwhile, and returns
    the one stored: all who share the folder (a farm job's tasks) then use one restoration, even
    from a service that answers differently each time. Never a half-written entry."""
    if write_first(path, lambda partial: np.save(partial, image)):
        return image
    return np.load(path)
