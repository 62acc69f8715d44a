"""Option parsers and connection options shared by several subcommands."""

from __future__ import annotations

import argparse
import sys

from sparkvsr.connection import connection_options
from sparkvsr.engines import DEFAULT_ENGINE, engine_entries
from sparkvsr.keyframes import PROVIDERS
from sparkvsr.runners import Runner, open_runner
from sparkvsr.settings import JobSettings


def at_least(minimum: int, maximum: int | None = None):
    """An argparse type: an integer in [minimum, maximum], with an error stating the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            bound = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
            raise argparse.ArgumentTypeError(f"expected an integer {bound}, got {text!r}")
        return value

    return parse


def non_negative_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text!r}")
    return value


def keyframe_still(text: str) -> tuple[int, str]:
    """Parses `IDX=PATH`."""
    index, sep, path = text.partition("=")
    if not sep or not index.strip().isdigit() or not path:
        raise argparse.ArgumentTypeError(
            f"expected FRAME=PATH (for example 12=hr_0012.png), got {text!r}"
        )
    return int(index), path


def add_server_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--server", metavar="HOST:PORT", help=help_text)
    parser.add_argument("--token", help="bearer token for the server (default: $SPARKVSR_TOKEN)")
    parser.add_argument("--tls-ca", help="PEM CA bundle to verify the server (enables TLS)")
    parser.add_argument("--tls-cert", help="PEM client certificate, for servers that require one")
    parser.add_argument("--tls-key", help="PEM key of --tls-cert")


def open_runner_for(args: argparse.Namespace) -> Runner:
    """The runner --server and its options name: a server's client, or in process."""
    options = connection_options(
        args.server,
        token=args.token,
        tls_ca=args.tls_ca,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )
    return open_runner(options)


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    """Options choosing how keyframes without a still get restored."""
    parser.add_argument(
        "--model", default="realesrgan-x4plus", help="Real-ESRGAN model for --provider local"
    )
    parser.add_argument("--api-config", help="JSON config of a studio service, for --provider api")
    parser.add_argument("--pisa-python", help="PiSA-SR interpreter, for --provider pisa-sr")
    parser.add_argument("--pisa-script", help="PiSA-SR inference script, for --provider pisa-sr")
    parser.add_argument("--cache-dir", help="where restored keyframes are kept")
    parser.add_argument("--no-cache", action="store_true", help="always restore afresh")


def provider_settings(args: argparse.Namespace, name: str | None):
    """ProviderSettings from the parsed options, or None when no provider was named."""
    if not name:
        return None
    from sparkvsr.keyframes import provider_settings_from_env

    return provider_settings_from_env(
        name=name,
        model=args.model,
        api_config=args.api_config,
        pisa_python=args.pisa_python,
        pisa_script=args.pisa_script,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
    )


def add_job_options(parser: argparse.ArgumentParser) -> None:
    """Options every upscaling command shares: engine, keyframe restoration, chunks, output."""
    parser.add_argument("--scale", type=at_least(1), default=4, help="upscale factor (default: 4)")
    known = ", ".join(entry.info.name for entry in engine_entries())
    parser.add_argument(
        "--engine",
        help=f"engine: {known}, or one only the server runs (default: {DEFAULT_ENGINE} in "
        "process, the server's default with --server)",
    )
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        help="restore keyframes that have no still with this provider",
    )
    parser.add_argument("--fit", action="store_true", help="resize stills of the wrong size")
    add_provider_options(parser)
    parser.add_argument("--chunk-length", type=at_least(1), help="frames per engine chunk")
    parser.add_argument("--chunk-overlap", type=at_least(0), help="frames blended between chunks")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_server_options(parser, "run on this SparkVSR server instead of in process")


def progress_bar(args: argparse.Namespace, description: str):
    """A tqdm bar on stderr (off with --no-progress) and a (done, total) callback feeding it."""
    from tqdm import tqdm

    bar = tqdm(unit="frame", disable=args.no_progress or None, file=sys.stderr, desc=description)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, update


def job_settings(args: argparse.Namespace, output_format: str = "prores_hq") -> JobSettings:
    """The JobSettings the shared job options describe."""
    return JobSettings(
        engine=args.engine,
        scale=args.scale,
        provider=provider_settings(args, args.provider),
        fit=args.fit,
        output_format=output_format,
        overwrite=args.overwrite,
        chunk_length=args.chunk_length,
        chunk_overlap=args.chunk_overlap,
        audio=not args.no_audio,
    )
