"""`sparkvsr info`: engines, devices, versions and limits, here or on a server."""

from __future__ import annotations

import argparse
import importlib.metadata

from sparkvsr.cli._options import add_server_options, connect

_PACKAGES = ("sparkvsr", "grpcio", "protobuf", "numpy", "av", "opencv-python-headless", "torch")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("info", help="show engines, devices, versions and limits")
    add_server_options(parser, "ask this SparkVSR server instead of this machine")
    parser.set_defaults(run=run)


def _format_bytes(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.1f} MiB"


def run(args: argparse.Namespace) -> int:
    client = connect(args)
    if client is None:
        lines = _local_lines()
    else:
        with client:
            lines = _server_lines(client.server_info().message, args.server)
    print("\n".join(lines))
    return 0


def _engine_line(name, description, reason, scales, gap) -> str:
    state = "available" if not reason else f"unavailable: {reason}"
    scales = "/".join(f"x{s}" for s in scales)
    return f"  {name:<10} {scales:<9} keyframes >= {gap} apart  {description} [{state}]"


def _local_lines() -> list[str]:
    from sparkvsr.engines import DEFAULT_ENGINE, engine_entries, list_devices

    lines = [f"in process (default engine: {DEFAULT_ENGINE})", "engines:"]
    for entry in engine_entries():
        info = entry.info
        lines.append(
            _engine_line(
                info.name,
                info.description,
                entry.unavailable_reason(),
                info.scales,
                info.min_keyframe_gap,
            )
        )
    lines.append("devices:")
    lines += [
        f"  {d['name']:<10} {d['description']} ({_format_bytes(d['memory_bytes'])})"
        for d in list_devices()
    ]
    lines.append("versions:")
    for package in _PACKAGES:
        try:
            lines.append(f"  {package:<24} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"  {package:<24} not installed")
    return lines


def _server_lines(info, address: str) -> list[str]:
    lines = [
        f"server {address} (sparkvsr {info.server_version}, default engine: {info.default_engine})",
        "engines:",
    ]
    for engine in info.engines:
        lines.append(
            _engine_line(
                engine.name,
                engine.description,
                engine.unavailable_reason,
                engine.scales,
                engine.min_keyframe_gap,
            )
        )
    lines.append("devices:")
    lines += [
        f"  {d.name:<10} {d.description} ({_format_bytes(d.memory_bytes)})" for d in info.devices
    ]
    limits = info.limits
    lines.append(
        f"limits: {_format_bytes(limits.max_message_bytes)} per message, "
        f"{limits.max_queued_jobs} queued jobs, {limits.workers} workers"
    )
    lines.append("versions:")
    lines += [f"  {name:<24} {version}" for name, version in sorted(info.versions.items())]
    return lines
