"""House rules that keep the editor side light and the layers apart."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


CLIENT_SIDE = {"torch", "diffusers", "cv2", "sparkvsr_server"}
# The timeline bridge and the editor clients run in an editor's Python: no GPU stack, no server
# (they may run the CPU flow engine, so OpenCV is allowed).
EDITOR_SIDE = {"torch", "diffusers", "sparkvsr_server"}


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("sparkvsr", CLIENT_SIDE),
        ("sparkvsr.client", CLIENT_SIDE),
        ("sparkvsr.api.v1.upscale_pb2_grpc", CLIENT_SIDE),
        ("sparkvsr.wire", CLIENT_SIDE),
        ("sparkvsr.specs", CLIENT_SIDE),
        ("sparkvsr.errors", CLIENT_SIDE),
        ("sparkvsr.timeline", EDITOR_SIDE),
        ("sparkvsr_resolve", EDITOR_SIDE),
        ("sparkvsr_openfx.cli", EDITOR_SIDE),
    ],
)
def test_client_and_editor_side_modules_import_nothing_heavy(module, forbidden):
    code = (
        f"import sys, {module}; "
        f"heavy = sorted(set({sorted(forbidden)!r}) & set(sys.modules)); "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_library_never_imports_the_server():
    offenders = []
    for path in (REPO / "sparkvsr").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "sparkvsr_server"]
    assert offenders == []


def test_generated_stubs_match_the_protos(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_protos.py"), "--out-root", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = REPO / "sparkvsr" / "api" / "v1"
    fresh = tmp_path / "sparkvsr" / "api" / "v1"
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in committed.iterdir() if p.name != "__pycache__")
    for name in names:
        assert (fresh / name).read_text() == (committed / name).read_text(), f"{name} is stale"
