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
        ("sparkvsr.runners", CLIENT_SIDE),
        ("sparkvsr.connection", CLIENT_SIDE),
        ("sparkvsr.environment", CLIENT_SIDE),
        ("sparkvsr.window_plan", CLIENT_SIDE),
        ("sparkvsr.info", CLIENT_SIDE),
        ("sparkvsr.settings", EDITOR_SIDE),
        ("sparkvsr.upscale_file", EDITOR_SIDE),
        ("sparkvsr.timeline", EDITOR_SIDE),
        ("sparkvsr_resolve", EDITOR_SIDE),
        ("sparkvsr_premiere.cli", EDITOR_SIDE),
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


def _library_modules() -> dict[str, Path]:
    modules = {}
    for path in (REPO / "sparkvsr").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[:3] == ("sparkvsr", "api", "v1"):
            continue  # generated
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(path: Path, modules=()) -> list[str]:
    """Every module `path` imports, at the top or inside a function (both can close a circle);
    `from package import submodule` counts as importing the submodule alone."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            found = [name for name in submodules if name in modules]
            names += found if len(found) == len(submodules) else [node.module, *found]
    return names


def test_the_library_never_imports_the_server():
    offenders = [
        f"{path}: {name}"
        for path in _library_modules().values()
        for name in _imports(path)
        if name.split(".")[0] == "sparkvsr_server"
    ]
    assert offenders == []


def test_torch_is_imported_only_inside_the_sparkvsr_engine():
    engine = REPO / "sparkvsr" / "engines" / "sparkvsr"
    offenders = [
        f"{path}: {name}"
        for path in _library_modules().values()
        for name in _imports(path)
        if name.split(".")[0] in ("torch", "diffusers") and engine not in path.parents
    ]
    assert offenders == []


def test_the_library_import_graph_has_no_circle():
    modules = _library_modules()
    edges = {
        name: {t for t in _imports(path, modules) if t in modules and t != name}
        for name, path in modules.items()
    }
    # A package's own __init__ importing its private modules is how re-exports work; a circle
    # means a module below reaching back up to something that imports it.
    state: dict[str, str] = {}
    circles = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target) :] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    assert circles == []


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
