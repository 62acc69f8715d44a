"""`sparkvsr serve`, registered into the `sparkvsr` command through an entry point."""

from __future__ import annotations

import argparse
import logging

from sparkvsr.cli._options import at_least, non_negative_seconds
from sparkvsr.engines import DEFAULT_ENGINE, engine_entries
from sparkvsr.wire import DEFAULT_MAX_MESSAGE_BYTES


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the gRPC server",
        description="Serve upscaling over gRPC. Loopback only unless a token or mutual TLS is set.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=at_least(0, 65535), default=50051, help="port (default: 50051; 0 = any)"
    )
    parser.add_argument("--token", help="require this bearer token (default: $SPARKVSR_TOKEN)")
    parser.add_argument("--tls-cert", help="PEM server certificate chain (default: no TLS)")
    parser.add_argument("--tls-key", help="PEM key of --tls-cert")
    parser.add_argument(
        "--tls-client-ca",
        help="require client certificates signed by this CA (default: none required)",
    )
    parser.add_argument(
        "--devices",
        metavar="all|0,1,...",
        help="one worker per device, each with its own engine on it: all GPUs, or these "
        "(indices or names such as cuda:1); windows of jobs are spread over them "
        "(default: one worker on the default device)",
    )
    parser.add_argument(
        "--engine",
        default=DEFAULT_ENGINE,
        help=f"engine of jobs that name none: {', '.join(e.info.name for e in engine_entries())} "
        f"(default: {DEFAULT_ENGINE})",
    )
    parser.add_argument(
        "--workers", type=at_least(1), default=1, help="worker threads, one per device (default: 1)"
    )
    parser.add_argument(
        "--max-queued-jobs",
        type=at_least(0),
        default=8,
        help="jobs waiting beyond this are refused (default: 8)",
    )
    parser.add_argument(
        "--max-message-bytes",
        type=at_least(64 * 1024),
        default=DEFAULT_MAX_MESSAGE_BYTES,
        help=f"largest gRPC message (default: {DEFAULT_MAX_MESSAGE_BYTES})",
    )
    parser.add_argument(
        "--spool-dir",
        help="keep jobs here, so a restarted server resumes them; one server per folder "
        "(default: the per-user state folder, $SPARKVSR_STATE_DIR/server if set)",
    )
    parser.add_argument(
        "--shutdown-grace",
        type=non_negative_seconds,
        default=30.0,
        metavar="SECONDS",
        help="on SIGTERM, how long running jobs may finish (default: 30)",
    )
    parser.add_argument(
        "--gateway-port",
        type=at_least(0, 65535),
        help="port of the JSON gateway for the Premiere panel and the OpenFX plugin "
        "(default: the gRPC port + 1, so 50052; 0 = any free port)",
    )
    parser.add_argument(
        "--no-gateway", action="store_true", help="serve gRPC only, without the JSON gateway"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from sparkvsr_server import config_from_env, serve
    from sparkvsr_server._config import parse_devices

    devices = parse_devices(args.devices) if args.devices else ()
    # Job lifecycle lines (INFO) are the server's log; -v adds its DEBUG detail.
    logging.getLogger("sparkvsr_server").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    config = config_from_env(
        host=args.host,
        port=args.port,
        token=args.token,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_client_ca=args.tls_client_ca,
        default_engine=args.engine,
        workers=len(devices) or args.workers,
        devices=devices,
        max_queued_jobs=args.max_queued_jobs,
        max_message_bytes=args.max_message_bytes,
        spool_dir=args.spool_dir,
        shutdown_grace_s=args.shutdown_grace,
        gateway_port=None if args.no_gateway else _gateway_port(args),
    )
    serve(config)
    return 0


def _gateway_port(args: argparse.Namespace) -> int:
    """The gateway's port: as given, else next to the gRPC port (so servers on other ports do not
    fight over one gateway port)."""
    if args.gateway_port is not None:
        return args.gateway_port
    return args.port + 1 if args.port else 0
