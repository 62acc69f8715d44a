"""The engine around the pipeline: chunks, tiles, seeds, loading, and serving over gRPC."""

import shutil
from dataclasses import replace

import cv2
import numpy as np
import pytest
import torch
from tiny_model import save_tiny_checkpoint

from sparkvsr.client import Client
from sparkvsr.engines import SPARKVSR_ENGINE_INFO, EngineChunk
from sparkvsr.engines.sparkvsr import (
    EMPTY_PROMPT_FILE,
    SparkVSREngine,
    SparkVSRSettings,
    empty_prompt_embedding,
    load_pipeline,
)
from sparkvsr.errors import EngineUnavailableError
from sparkvsr.pipeline import run_job
from sparkvsr.specs import FrameLayout, JobSpec, Keyframe, SourceFrame
from sparkvsr.window_plan import plan_chunks
from sparkvsr_server import BackgroundServer, ServerConfig

SETTINGS = SparkVSRSettings(device="cpu", dtype="float32", tile=None)


def smooth_clip(frames=30, size=(16, 12)):
    """A slow gradient drift: any step between frames comes from the engine, not the input."""
    y, x = np.mgrid[: size[1], : size[0]].astype(np.float32)
    clip = [
        np.stack([x / size[0], y / size[1], np.full_like(x, 0.1 + 0.01 * t)], axis=2)
        for t in range(frames)
    ]
    return (np.stack(clip) * 255).astype(np.uint8)


def run(engine, clip, chunk_length, chunk_overlap, keyframes=()):
    spec = JobSpec(
        len(clip),
        FrameLayout.of(clip[0]),
        engine="sparkvsr",
        chunk_length=chunk_length,
        chunk_overlap=chunk_overlap,
        keyframe_indices=tuple(keyframes),
    )
    items = [Keyframe(k, np.repeat(np.repeat(clip[k], 4, 0), 4, 1)) for k in keyframes]
    items += [SourceFrame(i, f) for i, f in enumerate(clip)]
    return np.stack([f.image.astype(np.float64) for f in run_job(spec, engine, items)])


def steps(video):
    return np.abs(np.diff(video, axis=0)).mean(axis=(1, 2, 3))


def test_blended_chunks_have_no_step_where_hard_cuts_do(noiseless):
    engine = SparkVSREngine(SETTINGS, noiseless)
    clip = smooth_clip(30)
    hard = steps(run(engine, clip, 9, 0))
    blended = steps(run(engine, clip, 9, 4))
    # Frame pairs that straddle a chunk boundary in the hard-cut plan.
    boundaries = [c.start - 1 for c in plan_chunks(30, 9, 0)[1:]]
    assert blended.max() < hard[boundaries].max()
    assert blended.max() < 3 * np.median(blended) + 1


class LocalModel:
    """A stand-in for the pipeline that is purely local (bilinear x4): tiled and whole-frame
    results may then differ only through the engine's tiling, padding and feathering."""

    device = torch.device("cpu")

    def __init__(self, transformer_config):
        self.transformer = type("T", (), {"config": transformer_config})

    def __call__(self, frames, keyframes, guidance_scale, generator):
        return torch.nn.functional.interpolate(frames, scale_factor=4, mode="bilinear")


def test_tiles_agree_with_the_whole_frame(pipeline):
    model = LocalModel(pipeline.transformer.config)
    frames = np.random.default_rng(0).random((2, 46, 62, 3), dtype=np.float32)  # not x4-aligned
    chunk = EngineChunk(cv2_blur(frames), (), 4)
    whole = SparkVSREngine(SparkVSRSettings(device="cpu", tile=64), model).upscale_chunk(chunk)
    tiled_settings = SparkVSRSettings(device="cpu", tile=24, tile_overlap=12)
    tiled = SparkVSREngine(tiled_settings, model).upscale_chunk(chunk)
    assert whole.shape == tiled.shape == (2, 184, 248, 3)
    difference = np.abs(whole - tiled)
    assert difference.mean() < 2e-3 and difference.max() < 0.05


def cv2_blur(frames):
    return np.stack([cv2.GaussianBlur(f, (0, 0), 2) for f in frames])


def test_each_chunk_is_seeded_so_a_retry_is_bit_identical(pipeline):
    engine = SparkVSREngine(SETTINGS, pipeline)
    chunk = EngineChunk(smooth_clip(9).astype(np.float32) / 255, (), 4, start=18)
    first = engine.upscale_chunk(chunk)
    np.testing.assert_array_equal(first, engine.upscale_chunk(chunk))
    moved = EngineChunk(chunk.frames, (), 4, start=27)
    assert not np.array_equal(first, engine.upscale_chunk(moved))


def test_a_chunk_without_keyframes_can_carry_the_previous_chunks_detail(pipeline):
    frames = smooth_clip(9).astype(np.float32) / 255
    carried = np.random.default_rng(0).random((48, 64, 3), dtype=np.float32)
    chunk = EngineChunk(frames, (), 4, carried_output=carried)
    on = SparkVSREngine(SETTINGS, pipeline).upscale_chunk(chunk)
    off_settings = SparkVSRSettings(device="cpu", dtype="float32", carry_forward=False)
    off = SparkVSREngine(off_settings, pipeline).upscale_chunk(chunk)
    blind = SparkVSREngine(SETTINGS, pipeline).upscale_chunk(EngineChunk(frames, (), 4))
    np.testing.assert_array_equal(off, blind)
    assert not np.array_equal(on, blind)


def test_a_missing_file_is_named(checkpoint, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(checkpoint, broken)
    (broken / "vae" / "diffusion_pytorch_model.safetensors").unlink()
    with pytest.raises(EngineUnavailableError, match=r"lacks: vae/diffusion_pytorch_model"):
        load_pipeline(broken, device="cpu")
    with pytest.raises(EngineUnavailableError, match="sparkvsr models pull"):
        load_pipeline(tmp_path / "nowhere", device="cpu")


def test_new_weights_give_the_engine_another_output_identity(checkpoint, tmp_path):
    chunk = EngineChunk(smooth_clip(5).astype(np.float32) / 255, (), 4)
    folder = shutil.copytree(checkpoint, tmp_path / "SparkVSR")

    def identity(settings):
        return SparkVSREngine(settings).output_identity(chunk)

    settings = SparkVSRSettings(weights=str(folder), device="cpu", dtype="float32")
    loaded = identity(settings)
    assert identity(settings) == loaded
    assert identity(replace(settings, device="cpu:1")) == loaded  # not which device
    retrained = save_tiny_checkpoint(tmp_path / "retrained", seed=1)
    assert identity(replace(settings, weights=str(retrained))) != loaded
    assert identity(replace(settings, guidance_scale=2.0)) != loaded
    assert identity(replace(settings, tile=8, tile_overlap=4)) != loaded  # tiles change it
    (folder / "README.md").write_text("notes")  # not read by the loader: changes nothing
    assert identity(settings) == loaded


def test_the_empty_prompt_is_computed_once_with_t5_and_cached(tmp_path):
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

    torch.manual_seed(0)
    T5EncoderModel(
        T5Config(vocab_size=8, d_model=16, d_kv=4, num_heads=2, num_layers=1, d_ff=32)
    ).save_pretrained(tmp_path / "text_encoder")
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(WordLevel(vocab, unk_token="<unk>")),
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
    )
    tokenizer.save_pretrained(tmp_path / "tokenizer")
    embedding = empty_prompt_embedding(tmp_path)
    assert tuple(embedding.shape) == (1, 226, 16)
    assert (tmp_path / EMPTY_PROMPT_FILE).exists()
    shutil.rmtree(tmp_path / "text_encoder")  # from now on T5 is never needed
    torch.testing.assert_close(empty_prompt_embedding(tmp_path), embedding)


def test_served_over_grpc_it_gives_the_in_process_frames(pipeline):
    engine = SparkVSREngine(SETTINGS, pipeline)
    clip = smooth_clip(12)
    spec = JobSpec(12, FrameLayout.of(clip[0]), engine="sparkvsr", keyframe_indices=(4,))
    items = [Keyframe(4, np.repeat(np.repeat(clip[4], 4, 0), 4, 1))]
    items += [SourceFrame(i, f) for i, f in enumerate(clip)]
    local = [f.image for f in run_job(spec, engine, items)]
    engines = {"sparkvsr": (SPARKVSR_ENGINE_INFO, lambda: engine)}
    with BackgroundServer(ServerConfig(port=0, default_engine="sparkvsr"), engines) as server:
        with Client(server.address) as client:
            remote = [f.image for f in client.upscale(spec, items)]
    assert len(remote) == 12
    for a, b in zip(local, remote):
        np.testing.assert_array_equal(a, b)


class _RunsOutOfMemoryOnce:
    """The pipeline, but its first call fails as a full GPU would."""

    def __init__(self, pipeline):
        self._pipeline, self.failed = pipeline, False

    def __getattr__(self, name):
        return getattr(self._pipeline, name)

    def __call__(self, *args):
        if not self.failed:
            self.failed = True
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return self._pipeline(*args)


def test_out_of_memory_retries_the_window_with_a_smaller_budget(pipeline):
    settings = SparkVSRSettings(device="cpu", dtype="float32", tile=None, memory_budget_gib=8)
    flaky = _RunsOutOfMemoryOnce(pipeline)
    engine = SparkVSREngine(settings, flaky)
    frames = smooth_clip(9)
    spec = JobSpec(9, FrameLayout.of(frames[0]), engine="sparkvsr")
    items = [SourceFrame(i, f) for i, f in enumerate(frames)]
    reports = []
    retried = [f.image for f in run_job(spec, engine, items, report=reports.append)]
    assert flaky.failed and engine.memory_budget == 4 << 30
    assert any("retrying with a memory budget of 4.0 GiB" in r for r in reports)
    again = [f.image for f in run_job(spec, SparkVSREngine(settings, pipeline), items)]
    for a, b in zip(retried, again):
        np.testing.assert_array_equal(a, b)
