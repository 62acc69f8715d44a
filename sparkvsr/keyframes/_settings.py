"""Choosing and configuring a keyframe provider: one settings type, one place reading the
environment."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from sparkvsr import environment
from sparkvsr.errors import InvalidInputError, NotFoundError
from sparkvsr.keyframes._api import FalNanoBananaPro, HttpRestorer, HttpRestorerConfig
from sparkvsr.keyframes._cache import CachedProvider
from sparkvsr.keyframes._local import PiSASR, RealESRGAN
from sparkvsr.keyframes._provider import KeyframeProvider

ProviderName = Literal["local", "fal", "api", "pisa-sr"]
PROVIDERS: tuple[str, ...] = get_args(ProviderName)


@dataclass(frozen=True)
class ProviderSettings:
    """Which provider restores keyframes that have no user still, and how."""

    name: ProviderName = "local"
    """local (Real-ESRGAN on this machine), fal, api (a studio's service) or pisa-sr."""
    model: str = "realesrgan-x4plus"
    """Real-ESRGAN model for `local`."""
    api_config: str | None = None
    """JSON file with HttpRestorerConfig fields, for `api`."""
    pisa_python: str | None = None
    """PiSA-SR interpreter, for `pisa-sr`."""
    pisa_script: str | None = None
    """PiSA-SR inference script, for `pisa-sr`."""
    cache_dir: str | None = None
    """Where restored keyframes are kept; None = the default cache folder."""
    use_cache: bool = True
    """Reuse keyframes restored before from the same frame with the same settings."""

    def __post_init__(self) -> None:
        if self.name not in PROVIDERS:
            raise InvalidInputError(
                f"unknown keyframe provider {self.name!r}; choose one of: {', '.join(PROVIDERS)}"
            )

    def build(self) -> KeyframeProvider:
        """The configured provider, wrapped in the disk cache unless caching is off."""
        if self.name == "local":
            provider: KeyframeProvider = RealESRGAN(self.model)
        elif self.name == "fal":
            provider = FalNanoBananaPro()
        elif self.name == "api":
            provider = HttpRestorer(_read_api_config(self.api_config))
        else:
            provider = PiSASR(self.pisa_python, self.pisa_script)
        if not self.use_cache:
            return provider
        return CachedProvider(provider, Path(self.cache_dir) if self.cache_dir else None)


def provider_settings_from_env(
    environ: Mapping[str, str] | None = None, **settings
) -> ProviderSettings:
    """ProviderSettings from `settings`, with the environment filling what they leave unset."""
    for field_name, variable in environment.PROVIDER_FALLBACKS.items():
        if not settings.get(field_name):
            settings[field_name] = environment.read(variable, environ)
    return ProviderSettings(**{k: v for k, v in settings.items() if v is not None})


def _read_api_config(path: str | None) -> HttpRestorerConfig:
    if not path:
        raise InvalidInputError(
            "the api provider needs --api-config FILE.json (or $SPARKVSR_API_CONFIG)"
        )
    if not Path(path).exists():
        raise NotFoundError(f"no such api config: {path}")
    try:
        return HttpRestorerConfig(**json.loads(Path(path).read_text()))
    except (ValueError, TypeError) as error:
        raise InvalidInputError(f"{path} is not a valid api config: {error}") from None
