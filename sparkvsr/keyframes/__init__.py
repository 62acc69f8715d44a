"""Keyframes: where they come from (providers) and which frames they should be (selection)."""

from sparkvsr.keyframes._api import (
    FalNanoBananaPro,
    HttpPolicy,
    HttpRestorer,
    HttpRestorerConfig,
    resolution_tier,
)
from sparkvsr.keyframes._cache import CachedProvider, default_cache_dir
from sparkvsr.keyframes._local import (
    DEFAULT_LOCAL_MODEL,
    REAL_ESRGAN_MODELS,
    PiSASR,
    RealESRGAN,
    real_esrgan_weights,
)
from sparkvsr.keyframes._provider import KeyframeProvider, fit_to, match_layout
from sparkvsr.keyframes._select import (
    STRATEGIES,
    KeyframeChoice,
    codec_keyframes,
    scene_cuts,
    suggest_keyframes,
)
from sparkvsr.keyframes._settings import PROVIDERS, ProviderSettings, provider_settings_from_env
from sparkvsr.keyframes._user import UserStills, stills_in_folder

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "REAL_ESRGAN_MODELS",
    "PROVIDERS",
    "STRATEGIES",
    "CachedProvider",
    "FalNanoBananaPro",
    "HttpPolicy",
    "HttpRestorer",
    "HttpRestorerConfig",
    "KeyframeChoice",
    "KeyframeProvider",
    "PiSASR",
    "ProviderSettings",
    "RealESRGAN",
    "UserStills",
    "codec_keyframes",
    "default_cache_dir",
    "fit_to",
    "match_layout",
    "provider_settings_from_env",
    "real_esrgan_weights",
    "resolution_tier",
    "scene_cuts",
    "stills_in_folder",
    "suggest_keyframes",
]
