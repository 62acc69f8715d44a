"""Regenerates the Python gRPC stubs in sparkvsr/api/v1/ from protos/ (never edit those by hand)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO / "protos"
PACKAGE = Path("sparkvsr/api/v1")
STAMP = '"""Generated from protos/sparkvsr/api/v1 by scripts/gen_protos.py. Do not edit."""\n'


def generate(out_root: Path) -> Path:
    """Clears `out_root/sparkvsr/api/v1` and writes fresh stubs there; returns that folder."""
    from grpc_tools import protoc  # only needed by developers, not at runtime

    target = out_root / PACKAGE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / PACKAGE).glob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    (target / "__init__.py").write_text(STAMP)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out-root", type=Path, default=REPO, help="root to write sparkvsr/api/v1 under"
    )
    target = generate(parser.parse_args().out_root)
    print(f"generated {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
