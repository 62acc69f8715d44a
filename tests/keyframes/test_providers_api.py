"""The HTTP adapters against a local server that speaks their protocol."""

import base64

import cv2
import numpy as np
import pytest
from helpers import RestorationService, png_data_uri

from sparkvsr.errors import ServiceError
from sparkvsr.keyframes import (
    FalNanoBananaPro,
    HttpPolicy,
    HttpRestorer,
    HttpRestorerConfig,
    resolution_tier,
)
from sparkvsr.specs import FrameLayout

TARGET = FrameLayout(128, 96)
FAST = HttpPolicy(timeout_s=1.0, retries=2, backoff_s=0.05)


@pytest.fixture
def service():
    running = RestorationService()
    yield running
    running.close()


@pytest.fixture
def source():
    return np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)


def fal(service, monkeypatch):
    monkeypatch.setenv("FAL_KEY", "k-123")
    return FalNanoBananaPro(endpoint=service.url, policy=FAST)


def test_fal_success_is_cropped_and_resized_to_the_exact_target(service, source, monkeypatch):
    wide = np.zeros((1024, 1536, 3), np.uint8)  # a 1K tier reply in another aspect ratio
    wide[:, 80:1456] = 200  # covers the centre 4:3 part (1365 wide)
    service.replies = [(200, {"images": [{"url": png_data_uri(wide)}]}, 0)]
    image = fal(service, monkeypatch).provide(7, source, TARGET)
    assert image.shape == (96, 128, 3) and image.min() == 200  # the margins were cropped away
    headers, body = service.requests[0]
    assert headers["Authorization"] == "Key k-123"
    assert body["resolution"] == "1K" and body["image_urls"][0].startswith("data:image/png;base64,")
    assert "resolution" in body["prompt"]


def test_tiers_follow_the_target_size():
    assert [
        resolution_tier(FrameLayout(w, h)) for w, h in ((1024, 576), (1920, 1080), (3840, 2160))
    ] == ["1K", "2K", "4K"]


def test_a_server_error_is_retried_then_succeeds(service, source, monkeypatch):
    good = {"images": [{"url": png_data_uri(np.full((96, 128, 3), 9, np.uint8))}]}
    service.replies = [(500, b"busy", 0), (200, good, 0)]
    assert fal(service, monkeypatch).provide(1, source, TARGET).max() == 9
    assert len(service.requests) == 2


def test_persistent_failure_names_the_keyframe(service, source, monkeypatch):
    service.replies = [(500, b"down", 0)]
    with pytest.raises(ServiceError, match=r"keyframe 4 .*failed 3 times; last: HTTP 500"):
        fal(service, monkeypatch).provide(4, source, TARGET)


def test_a_slow_service_times_out(service, source, monkeypatch):
    service.replies = [(200, {"images": []}, 1.5)]
    with pytest.raises(ServiceError, match=r"keyframe 2 .*no answer within 1 s"):
        fal(service, monkeypatch).provide(2, source, TARGET)


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"<html>oops</html>", "not JSON"),
        ({"images": []}, "no 'images.0.url'"),
        ({"images": [{"url": "data:image/png;base64,AAAA"}]}, "could not be decoded"),
    ],
)
def test_malformed_replies_are_clear_errors(service, source, monkeypatch, payload, message):
    service.replies = [(200, payload, 0)]
    with pytest.raises(ServiceError, match=message):
        fal(service, monkeypatch).provide(3, source, TARGET)


def test_a_refused_request_is_not_retried(service, source, monkeypatch):
    service.replies = [(401, b"bad key", 0)]
    with pytest.raises(ServiceError, match="refused the request .*401"):
        fal(service, monkeypatch).provide(3, source, TARGET)
    assert len(service.requests) == 1


def test_the_generic_adapter_maps_request_and_reply(service, source, monkeypatch):
    monkeypatch.setenv("STUDIO_TOKEN", "Bearer t")
    config = HttpRestorerConfig(
        url=service.url,
        image_field="frame",
        extra_fields={"model": "hq"},
        response_path="result.image",
        auth_header="Authorization",
        auth_env="STUDIO_TOKEN",
    )
    restored = np.full((96, 128, 3), 77, np.uint8)
    service.replies = [
        (
            200,
            {
                "result": {
                    "image": base64.b64encode(cv2.imencode(".png", restored)[1].tobytes()).decode()
                }
            },
            0,
        )
    ]
    assert HttpRestorer(config, FAST).provide(0, source, TARGET).max() == 77
    headers, body = service.requests[0]
    assert headers["Authorization"] == "Bearer t" and body["model"] == "hq" and body["scale"] == 4


def test_the_generic_adapter_rejects_a_wrong_size_unless_fitting(service, source):
    service.replies = [(200, {"image": png_data_uri(np.zeros((50, 50, 3), np.uint8))}, 0)]
    strict = HttpRestorer(HttpRestorerConfig(url=service.url), FAST)
    with pytest.raises(ServiceError, match="returned 50x50, expected 128x96"):
        strict.provide(0, source, TARGET)
    fitted = HttpRestorer(HttpRestorerConfig(url=service.url, fit=True), FAST)
    assert fitted.provide(0, source, TARGET).shape == (96, 128, 3)
