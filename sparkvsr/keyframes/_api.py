"""Keyframes restored by an HTTP image-restoration service: fal's nano-banana-pro edit endpoint
(the reference release's), or a studio's own service described by a small mapping."""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import cv2
import numpy as np

from sparkvsr import environment
from sparkvsr.errors import EngineUnavailableError, InvalidInputError, ServiceError
from sparkvsr.keyframes._provider import KeyframeProvider, fit_to, match_layout
from sparkvsr.specs import FrameLayout

logger = logging.getLogger(__name__)

FAL_ENDPOINT = "https://fal.run/fal-ai/nano-banana-pro/edit"
SUPER_RESOLUTION_PROMPT = (
    "Restore this video frame at higher resolution: recover fine detail and texture, remove "
    "blur, noise and compression artifacts. Keep the content, composition, colours and framing "
    "exactly the same; do not add, remove or move anything."
)


@dataclass(frozen=True)
class HttpPolicy:
    """How patiently to talk to a service."""

    timeout_s: float = 120.0
    """Per request."""
    retries: int = 3
    """Further tries after a timeout, a connection error or a 5xx reply."""
    backoff_s: float = 1.0
    """Wait before the first retry; doubles after each."""


def _png_data_uri(image: np.ndarray) -> str:
    bgr = image if image.shape[2] == 1 else image[..., 2::-1]
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(bgr))
    if not ok:
        raise InvalidInputError("could not encode the source frame as PNG")
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode()


def _decode_image(data: bytes, what: str) -> np.ndarray:
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise ServiceError(f"{what}: the service's image could not be decoded")
    decoded = decoded.reshape(decoded.shape[0], decoded.shape[1], -1)
    if decoded.shape[2] >= 3:  # OpenCV's BGR(A) back to RGB(A)
        decoded = np.concatenate([decoded[..., 2::-1], decoded[..., 3:]], axis=2)
    return decoded


class _HttpClient:
    def __init__(self, policy: HttpPolicy):
        self.policy = policy

    def request(
        self, url: str, what: str, body: dict | None = None, headers: dict[str, str] | None = None
    ) -> bytes:
        """The reply body; retries transient failures, then raises ServiceError naming `what`."""
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if data else {}
        all_headers.update(headers or {})
        delay, last = self.policy.backoff_s, "no attempt"
        for attempt in range(self.policy.retries + 1):
            if attempt:
                logger.warning("%s: %s; retrying in %.1f s", what, last, delay)
                time.sleep(delay)
                delay *= 2
            request = urllib.request.Request(url, data=data, headers=all_headers)
            try:
                with urllib.request.urlopen(request, timeout=self.policy.timeout_s) as reply:
                    return reply.read()
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code} {error.reason}"
                if error.code < 500 and error.code != 429:
                    raise ServiceError(
                        f"{what}: the service refused the request ({last})"
                    ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
                reason = getattr(error, "reason", error)
                last = (
                    f"no answer ({reason})"
                    if not isinstance(error, TimeoutError)
                    else (f"no answer within {self.policy.timeout_s:.0f} s")
                )
        raise ServiceError(
            f"{what}: the service failed {self.policy.retries + 1} times; last: {last}"
        )

    def image_at(self, reference: str, what: str) -> np.ndarray:
        """An image given as a data URI, an http(s) URL, or bare base64."""
        if reference.startswith("data:"):
            payload = reference.partition(",")[2]
            return _decode_image(base64.b64decode(payload), what)
        if reference.startswith(("http://", "https://")):
            return _decode_image(self.request(reference, what), what)
        try:
            return _decode_image(base64.b64decode(reference, validate=True), what)
        except ValueError:
            raise ServiceError(f"{what}: the service's reply holds no image") from None


def _dig(reply: object, path: str, what: str) -> str:
    """The string at a dotted path such as `images.0.url`."""
    node = reply
    for key in path.split("."):
        try:
            node = node[int(key)] if isinstance(node, list) else node[key]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ServiceError(f"{what}: malformed reply, no {path!r} in it") from None
    if not isinstance(node, str):
        raise ServiceError(f"{what}: malformed reply, {path!r} is not a string")
    return node


def _json(body: bytes, what: str) -> object:
    try:
        return json.loads(body)
    except ValueError:
        raise ServiceError(f"{what}: malformed reply (not JSON)") from None


def resolution_tier(target: FrameLayout) -> str:
    """fal's output tier: the smallest of 1K, 2K, 4K whose long side covers the target's."""
    long_side = max(target.width, target.height)
    return "1K" if long_side <= 1024 else "2K" if long_side <= 2048 else "4K"


class FalNanoBananaPro(KeyframeProvider):
    """fal's `fal-ai/nano-banana-pro/edit`, with a fixed super-resolution prompt; the result is
    centre-cropped and resized to the exact target size."""

    name = "fal"

    def __init__(
        self,
        key_env: str = "FAL_KEY",
        endpoint: str = FAL_ENDPOINT,
        policy: HttpPolicy | None = None,
    ):
        self.key = environment.read(key_env)
        if not self.key:
            raise EngineUnavailableError(
                f"the fal keyframe provider needs an API key in ${key_env}"
            )
        self.endpoint = endpoint
        self._http = _HttpClient(policy or HttpPolicy())

    def cache_key(self) -> str:
        return f"fal:{self.endpoint}:{SUPER_RESOLUTION_PROMPT}"

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        what = f"keyframe {index} (fal nano-banana-pro)"
        body = {
            "prompt": SUPER_RESOLUTION_PROMPT,
            "image_urls": [_png_data_uri(_as_8bit(source))],
            "resolution": resolution_tier(target),
            "num_images": 1,
            "output_format": "png",
        }
        reply = _json(
            self._http.request(self.endpoint, what, body, {"Authorization": f"Key {self.key}"}),
            what,
        )
        image = self._http.image_at(_dig(reply, "images.0.url", what), what)
        return match_layout(fit_to(image, target, what, warn=False), target, what)


@dataclass(frozen=True)
class HttpRestorerConfig:
    """A studio's own restoration service: POST JSON with the frame, get an image back."""

    url: str
    """Endpoint receiving the POST."""
    image_field: str = "image"
    """Request field holding the source frame as a PNG data URI."""
    scale_field: str | None = "scale"
    """Request field for the upscale factor; None leaves it out."""
    extra_fields: dict = field(default_factory=dict)
    """Further fixed request fields (model name, prompt, ...)."""
    response_path: str = "image"
    """Dotted path in the JSON reply to the result: a data URI, a URL or bare base64."""
    auth_header: str | None = None
    """Header name for credentials, for example "Authorization"."""
    auth_env: str | None = None
    """Environment variable holding the header's value (never the value itself in a config)."""
    fit: bool = False
    """Resize a reply of the wrong size (with a warning) instead of failing."""


class HttpRestorer(KeyframeProvider):
    """The generic adapter, driven by an HttpRestorerConfig."""

    name = "api"

    def __init__(self, config: HttpRestorerConfig, policy: HttpPolicy | None = None):
        self.config = config
        self._headers = {}
        if config.auth_header:
            value = environment.read(config.auth_env or "")
            if not value:
                raise EngineUnavailableError(
                    f"the api keyframe provider needs ${config.auth_env} for its "
                    f"{config.auth_header} header"
                )
            self._headers[config.auth_header] = value
        self._http = _HttpClient(policy or HttpPolicy())

    def cache_key(self) -> str:
        c = self.config
        return f"api:{c.url}:{c.image_field}:{json.dumps(c.extra_fields, sort_keys=True)}"

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        config, what = self.config, f"keyframe {index} ({self.config.url})"
        body = dict(config.extra_fields)
        body[config.image_field] = _png_data_uri(_as_8bit(source))
        if config.scale_field:
            body[config.scale_field] = target.width // source.shape[1]
        reply = _json(self._http.request(config.url, what, body, self._headers), what)
        image = self._http.image_at(_dig(reply, config.response_path, what), what)
        if image.shape[:2] != (target.height, target.width) and not config.fit:
            raise ServiceError(
                f"{what}: the service returned {image.shape[1]}x{image.shape[0]}, expected "
                f"{target.width}x{target.height}"
            )
        return match_layout(fit_to(image, target, what), target, what)


def _as_8bit(image: np.ndarray) -> np.ndarray:
    return image if image.dtype == np.uint8 else (image >> 8).astype(np.uint8)
