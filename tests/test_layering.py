"""House rules that keep the editor side light and the layers apart."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "module",
    [
        "sparkvsr",
        "sparkvsr.client",
        "sparkvsr.api.v1.upscale_pb2_grpc",
        "sparkvsr.wire",
        "sparkvsr.specs",
        "sparkvsr.errors",
    ],
)
def test_client_side_modules_import_no_torch_and_no_opencv(module):
    code = (
        f"import sys, {module}; "
        "heavy = sorted({'torch', 'diffusers', 'cv2', 'sparkvsr_server'} & set(sys.modules)); "
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
