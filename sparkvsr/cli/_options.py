"""Option parsers and connection options shared by several subcommands."""

from __future__ import annotations

import argparse
import logging
import sys

from sparkvsr.connection import connection_options
from sparkvsr.engines import DEFAULT_ENGINE, engine_entries
from sparkvsr.keyframes import DEFAULT_LOCAL_MODEL, PROVIDERS, REAL_ESRGAN_MODELS
from sparkvsr.progress import Throttle
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


def input_path(text: str) -> str:
    """An argparse type marking a file or folder the job reads: a farm bundle makes it absolute
    and attaches it, and a farm task maps it through the session's path mapping rules."""
    return text


def output_path(text: str) -> str:
    """An argparse type marking a file the job writes (made absolute and mapped, as inputs)."""
    return text


def tool_path(text: str) -> str:
    """An argparse type marking software or a cache on the machine that runs the job (made
    absolute and mapped, never attached)."""
    return text


def keyframe_still(text: str) -> tuple[int, str]:
    """Parses `IDX=PATH`."""
    index, sep, path = text.partition("=")
    if not sep or not index.strip().isdigit() or not path:
        raise argparse.ArgumentTypeError(
            f"expected FRAME=PATH (for example 12=hr_0012.png), got {text!r}"
        )
    return int(index), path


PATH_TYPES = {
    input_path: "input",
    output_path: "output",
    tool_path: "tool",
    keyframe_still: "input",
}
"""The argparse types that mark an option's value as a path (`FRAME=PATH` for keyframe_still),
and what the path is: the farm reads this, so no list of path options is kept by hand."""


def add_server_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--server",
        metavar="HOST:PORT",
        help=f"{help_text} (HOST alone = port 50051; default: in process)",
    )
    parser.add_argument("--token", help="bearer token for the server (default: $SPARKVSR_TOKEN)")
    parser.add_argument(
        "--tls-ca",
        type=input_path,
        help="PEM CA bundle to verify the server (enables TLS; default: plaintext)",
    )
    parser.add_argument(
        "--tls-cert", type=input_path, help="PEM client certificate, for servers that require one"
    )
    parser.add_argument("--tls-key", type=input_path, help="PEM key of --tls-cert")


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
        "--model",
        default=DEFAULT_LOCAL_MODEL,
        choices=REAL_ESRGAN_MODELS,
        help=f"Real-ESRGAN model for --provider local (default: {DEFAULT_LOCAL_MODEL}; "
        "realesrgan-x4plus draws finer detail but is about 30 times slower on a CPU)",
    )
    parser.add_argument(
        "--api-config",
        type=input_path,
        help="JSON config of a studio service, for --provider api (default: $SPARKVSR_API_CONFIG)",
    )
    parser.add_argument(
        "--pisa-python",
        type=tool_path,
        help="PiSA-SR interpreter, for --provider pisa-sr (default: $SPARKVSR_PISA_PYTHON)",
    )
    parser.add_argument(
        "--pisa-script",
        type=tool_path,
        help="PiSA-SR inference script, for --provider pisa-sr (default: $SPARKVSR_PISA_SCRIPT)",
    )
    parser.add_argument(
        "--cache-dir",
        type=tool_path,
        help="where restored keyframes are kept (default: $SPARKVSR_CACHE_DIR, else "
        "~/.cache/sparkvsr/keyframes)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="always restore afresh (default: reuse)"
    )


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
    entries = engine_entries()
    scales = ", ".join(
        f"{entry.info.name} {'/'.join(map(str, entry.info.scales))}" for entry in entries
    )
    parser.add_argument(
        "--scale", type=at_least(1), default=4, help=f"upscale factor: {scales} (default: 4)"
    )
    known = ", ".join(entry.info.name for entry in entries)
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
    parser.add_argument(
        "--fit",
        action="store_true",
        help="crop and resize stills of the wrong size, with a warning (default: refuse them)",
    )
    add_provider_options(parser)
    parser.add_argument(
        "--chunk-length", type=at_least(1), help="frames per engine chunk (default: the engine's)"
    )
    parser.add_argument(
        "--chunk-overlap",
        type=at_least(0),
        help="frames blended between chunks (default: the engine's)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace existing outputs (default: keep them)"
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress (default: a bar on a terminal, a line per 10%% or 10 s elsewhere)",
    )
    add_server_options(parser, "run on this SparkVSR server instead of in process")


def progress_bar(args: argparse.Namespace, description: str):
    """A progress display on stderr (none with --no-progress) and a (done, total) callback
    feeding it: a tqdm bar on a terminal; on anything else (farm logs, pipes) a plain line per
    10% or per 10 s, which a log keeps readable."""
    if args.no_progress or not sys.stderr.isatty():
        display = _PlainProgress(description, quiet=args.no_progress)
        return display, display.update
    from tqdm import tqdm

    bar = tqdm(unit="frame", file=sys.stderr, desc=description)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, update


class _PlainProgress:
    """Progress as plain lines on stderr, for logs that are not terminals."""

    def __init__(self, description: str, quiet: bool):
        self._description, self._quiet = description, quiet
        self._throttle = Throttle()

    def update(self, done: int, total: int) -> None:
        if not self._quiet and self._throttle.due(done, total):
            percent = 100 * done // total if total else 100
            print(
                f"{self._description}: {done}/{total} frames ({percent}%), "
                f"{self._throttle.elapsed_s:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        pass


def announce_long_steps() -> None:
    """Choosing and restoring keyframes can take minutes before the first frame: say what
    happens (INFO of those modules, without -v)."""
    for name in ("sparkvsr.upscale_file", "sparkvsr.keyframes", "sparkvsr.timeline"):
        logging.getLogger(name).setLevel(logging.INFO)


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
