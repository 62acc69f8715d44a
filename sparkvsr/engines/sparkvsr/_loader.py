"""Loading SparkVSR from a folder in the Hugging Face layout of the released checkpoint, and
fetching that folder for users who have the network."""

from __future__ import annotations

import logging
from pathlib import Path

from sparkvsr.content_key import ContentKey
from sparkvsr.errors import EngineUnavailableError

logger = logging.getLogger(__name__)

DEFAULT_REPO_ID = "JiongzeYu/SparkVSR"
# The T5 output for the empty prompt, cached so T5 never has to be loaded at serve time.
EMPTY_PROMPT_FILE = "sparkvsr_empty_prompt.safetensors"
MAX_TEXT_TOKENS = 226
_WEIGHT_NAMES = (
    "diffusion_pytorch_model.safetensors",
    "diffusion_pytorch_model.safetensors.index.json",
    "diffusion_pytorch_model.bin",
)


def missing_files(folder: Path) -> list[str]:
    """What a checkpoint folder lacks, one entry per missing file (empty when complete)."""
    missing = []
    for component in ("transformer", "vae"):
        if not (folder / component / "config.json").exists():
            missing.append(f"{component}/config.json")
        if not any((folder / component / name).exists() for name in _WEIGHT_NAMES):
            missing.append(f"{component}/{_WEIGHT_NAMES[0]}")
    if not (folder / "scheduler" / "scheduler_config.json").exists():
        missing.append("scheduler/scheduler_config.json")
    has_text_encoder = (folder / "text_encoder" / "config.json").exists() and (
        folder / "tokenizer"
    ).is_dir()
    if not (folder / EMPTY_PROMPT_FILE).exists() and not has_text_encoder:
        missing.append(f"{EMPTY_PROMPT_FILE} (or text_encoder/ and tokenizer/ to make it)")
    return missing


def weights_fingerprint(folder: Path) -> str:
    """A digest of the name, size and modification time of each file load_pipeline reads: new
    or changed weights give another (hashing 20 GB of weights would take minutes), a pull that
    changed nothing, notes or the text encoder do not."""
    read = [folder / EMPTY_PROMPT_FILE]
    for component in ("transformer", "vae", "scheduler"):
        read += (folder / component).glob("*")
    key = ContentKey()
    for path in sorted(p for p in read if p.is_file()):
        stat = path.stat()
        key.add([str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns])
    return key.hexdigest(32)


def empty_prompt_embedding(folder: Path, device: str = "cpu"):
    """(1, 226, D) T5 embedding of "", read from the cache file, or computed once with the
    folder's text encoder and saved next to it."""
    import torch
    from safetensors.torch import load_file, save_file

    cached = folder / EMPTY_PROMPT_FILE
    if cached.exists():
        return load_file(str(cached))["prompt_embeds"]
    from transformers import AutoTokenizer, T5EncoderModel

    logger.warning(
        "computing the empty-prompt embedding once with T5 (%s)", folder / "text_encoder"
    )
    tokenizer = AutoTokenizer.from_pretrained(str(folder / "tokenizer"))
    encoder = T5EncoderModel.from_pretrained(str(folder / "text_encoder")).to(device).eval()
    tokens = tokenizer(
        [""],
        padding="max_length",
        max_length=MAX_TEXT_TOKENS,
        truncation=True,
        add_special_tokens=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        embedding = encoder(tokens.input_ids.to(device))[0].float().cpu().contiguous()
    save_file({"prompt_embeds": embedding}, str(cached))
    return embedding


def load_pipeline(folder: str | Path, device: str = "cuda", dtype=None):
    """A SparkVSRPipeline from a local checkpoint folder; nothing is fetched.

    Raises:
        EngineUnavailableError: the folder is missing, or lacks files (each one named).
    """
    import torch
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXTransformer3DModel

    from sparkvsr.engines.sparkvsr._pipeline import SparkVSRPipeline

    dtype = dtype or torch.bfloat16
    folder = Path(folder)
    if not folder.is_dir():
        raise EngineUnavailableError(
            f"no SparkVSR weights at {folder}; fetch them with "
            f"`sparkvsr models pull --dir {folder}`"
        )
    missing = missing_files(folder)
    if missing:
        raise EngineUnavailableError(f"the SparkVSR folder {folder} lacks: {', '.join(missing)}")
    prompt = empty_prompt_embedding(folder)
    transformer = CogVideoXTransformer3DModel.from_pretrained(
        folder / "transformer", torch_dtype=dtype
    )
    vae = AutoencoderKLCogVideoX.from_pretrained(folder / "vae", torch_dtype=dtype)
    scheduler = CogVideoXDPMScheduler.from_pretrained(folder / "scheduler")
    pipeline = SparkVSRPipeline(
        transformer.to(device).eval(), vae.to(device).eval(), scheduler, prompt.to(device, dtype)
    )
    return pipeline


def pull(repo_id: str = DEFAULT_REPO_ID, folder: str | Path | None = None) -> Path:
    """Downloads a checkpoint folder with huggingface_hub (needs the network); returns its path."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise EngineUnavailableError(
            "fetching weights needs huggingface_hub: pip install 'sparkvsr[server]'"
        ) from None
    path = snapshot_download(repo_id=repo_id, local_dir=str(folder) if folder else None)
    return Path(path)
