"""`sparkvsr info`: engines, devices, versions and limits, here or on a server."""

from __future__ import annotations

import argparse

from sparkvsr.cli._options import add_server_options, open_runner_for
from sparkvsr.info import ServerInfo, describe_installation


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("info", help="show engines, devices, versions and limits")
    add_server_options(parser, "ask this SparkVSR server instead of this machine")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.server:
        print("\n".join(format_info(describe_installation(), "in process")))
        return 0
    with open_runner_for(args) as client:
        print("\n".join(format_info(client.server_info(), f"server {client.address}")))
    return 0


def _size(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.1f} MiB"


def format_info(info: ServerInfo, where: str) -> list[str]:
    lines = [f"{where} (sparkvsr {info.version or '?'}, default engine: {info.default_engine})"]
    lines.append("engines:")
    for status in info.engines:
        engine = status.info
        state = status.unavailable_reason and f"unavailable: {status.unavailable_reason}"
        scales = "/".join(f"x{s}" for s in engine.scales)
        lines.append(
            f"  {engine.name:<10} {scales:<9} keyframes >= {engine.min_keyframe_gap} apart  "
            f"{engine.description} [{state or 'available'}]"
        )
    lines.append("devices:")
    lines += [f"  {d.name:<10} {d.description} ({_size(d.memory_bytes)})" for d in info.devices]
    if info.max_message_bytes:
        lines.append(
            f"limits: {_size(info.max_message_bytes)} per message, {info.max_queued_jobs} queued "
            f"jobs, {info.workers} workers"
        )
    if info.worker_devices:
        lines.append("workers:")
        lines += [
            f"  {number:<10} {device or 'default device'}"
            for number, device in enumerate(info.worker_devices)
        ]
    lines.append("versions:")
    lines += [f"  {name:<24} {version}" for name, version in sorted(info.versions.items())]
    return lines
