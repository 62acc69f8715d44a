"""User stills, Real-ESRGAN on ncnn with the shipped weights, PiSA-SR's subprocess protocol."""

import sys

import cv2
import numpy as np
import pytest

from sparkvsr.demo import psnr, sample_photo
from sparkvsr.errors import EngineUnavailableError, InvalidInputError, NotFoundError
from sparkvsr.keyframes import (
    DEFAULT_LOCAL_MODEL,
    PiSASR,
    ProviderSettings,
    RealESRGAN,
    UserStills,
    stills_in_folder,
)
from sparkvsr.media import write_still
from sparkvsr.specs import FrameLayout

TARGET = FrameLayout(128, 96)


def test_a_folder_of_numbered_stills(tmp_path):
    for name in ("shot_000012.png", "hr-0048.tif", "notes.txt", "cover.png", "x_7.jpg"):
        (tmp_path / name).write_bytes(b"")
    found = stills_in_folder(tmp_path)
    assert sorted(found) == [7, 12, 48]
    assert found[12].name == "shot_000012.png"


def test_user_stills_good_bad_and_fitted(tmp_path, caplog):
    image = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    write_still(str(tmp_path / "good.png"), image)
    write_still(str(tmp_path / "wide.png"), cv2.resize(image, (200, 96)))
    stills = UserStills({3: tmp_path / "good.png", 5: tmp_path / "wide.png"})
    np.testing.assert_array_equal(stills.provide(3, None, TARGET), image)
    deep = stills.provide(3, None, FrameLayout(128, 96, 4, 16))
    assert deep.dtype == np.uint16 and deep.shape == (96, 128, 4) and deep[..., 3].min() == 65535
    with pytest.raises(
        InvalidInputError, match=r"keyframe 5: .*is 200x96; it must be 128x96 .*--fit"
    ):
        stills.provide(5, None, TARGET)
    with pytest.raises(NotFoundError, match="keyframe 9: no still"):
        stills.provide(9, None, TARGET)
    fitted = UserStills({5: tmp_path / "wide.png"}, fit=True).provide(5, None, TARGET)
    assert fitted.shape == (96, 128, 3)
    assert "fitting it to 128x96" in caplog.text


def _edge_energy(image: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F)).mean())


def test_real_esrgan_restores_sharper_than_bicubic():
    truth = sample_photo("astronaut")[40:232, 140:396]  # 256x192 of a real photograph
    low = cv2.resize(truth, (64, 48), interpolation=cv2.INTER_AREA)
    target = FrameLayout(256, 192)
    restored = RealESRGAN("realesrgan-x4plus", tile=64).provide(0, low, target)
    cubic = cv2.resize(low, (256, 192), interpolation=cv2.INTER_CUBIC)
    assert restored.shape == (192, 256, 3) and restored.dtype == np.uint8
    # Detail much closer to the ground truth's than bicubic's (a GAN: sharp, not PSNR-optimal),
    # and still the same picture.
    truth_edges = _edge_energy(truth)
    assert abs(_edge_energy(restored) - truth_edges) < 0.5 * abs(_edge_energy(cubic) - truth_edges)
    assert psnr(restored, truth) > 22


def test_the_default_compact_model_is_sharper_than_bicubic_and_the_same_picture():
    truth = sample_photo("astronaut")[40:232, 140:396]
    low = cv2.resize(truth, (64, 48), interpolation=cv2.INTER_AREA)
    provider = RealESRGAN(tile=64)
    assert provider.model == DEFAULT_LOCAL_MODEL == "realesr-animevideov3-x4"
    assert ProviderSettings().model == DEFAULT_LOCAL_MODEL
    restored = provider.provide(0, low, FrameLayout(256, 192))
    cubic = cv2.resize(low, (256, 192), interpolation=cv2.INTER_CUBIC)
    # Less detail than x4plus (a compact model), but twice bicubic's, at a higher PSNR than
    # x4plus (24.7 dB here) and some 30 times faster (benchmarks/bench_keyframe_providers.py).
    assert _edge_energy(restored) > 2 * _edge_energy(cubic)
    assert psnr(restored, truth) > 25


def test_real_esrgan_tiles_join_without_visible_seams():
    low = cv2.resize(
        sample_photo("astronaut")[100:196, 200:328], (64, 48), interpolation=cv2.INTER_AREA
    )
    target = FrameLayout(256, 192)
    whole = RealESRGAN(tile=64).provide(0, low, target).astype(float)
    tiled = RealESRGAN(tile=24, tile_pad=12).provide(0, low, target).astype(float)
    assert np.abs(whole - tiled).mean() < 1.0


def test_pisa_sr_needs_configuring_and_runs_its_own_interpreter(tmp_path):
    with pytest.raises(EngineUnavailableError, match="PiSA-SR is not configured"):
        PiSASR(None, None)
    # PiSA-SR itself needs a GPU and its weights; this stand-in speaks its command line.
    script = tmp_path / "infer.py"
    script.write_text(
        "import argparse, pathlib, cv2\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--input_image'); p.add_argument('--output_dir')\n"
        "a = p.parse_args(); out = pathlib.Path(a.output_dir); out.mkdir(parents=True)\n"
        "for f in pathlib.Path(a.input_image).iterdir():\n"
        "    cv2.imwrite(str(out / f.name), cv2.resize(cv2.imread(str(f)), None, fx=4, fy=4))\n"
    )
    low = np.random.default_rng(1).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    restored = PiSASR(sys.executable, str(script)).provide(3, low, TARGET)
    assert restored.shape == (96, 128, 3)
    broken = tmp_path / "broken.py"
    broken.write_text("raise SystemExit('CUDA out of memory')\n")
    with pytest.raises(Exception, match="keyframe 3: PiSA-SR failed: CUDA out of memory"):
        PiSASR(sys.executable, str(broken)).provide(3, low, TARGET)
