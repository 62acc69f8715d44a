"""The plug-in's C modules call one another one way only, as sparkvsr_ofx.h draws it: read from
the built objects' symbol tables (what each defines, what each needs from the others)."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest


def calls(build_dir: Path) -> dict[str, set[str]]:
    """module -> the modules whose sv_ functions it calls."""
    defined: dict[str, str] = {}
    needed: dict[str, set[str]] = defaultdict(set)
    for obj in build_dir.glob("CMakeFiles/SparkVSR.dir/src/*.c.o"):
        module = obj.name.removesuffix(".o")
        needed[module] = set()
        symbols = subprocess.run(["nm", str(obj)], capture_output=True, text=True, check=True)
        for line in symbols.stdout.splitlines():
            kind, name = line.split()[-2:]
            if not name.startswith("sv_"):
                continue
            if kind == "U":
                needed[module].add(name)
            else:
                defined[name] = module
    return {m: {defined[name] for name in names if name in defined} for m, names in needed.items()}


@pytest.mark.skipif(shutil.which("nm") is None, reason="binutils' nm is not installed")
def test_the_modules_form_a_one_way_graph(ofx_build):
    graph = calls(ofx_build)
    assert "entry.c" in graph and "host.c" in graph
    assert graph["host.c"] == set()  # the host's suites depend on no module
    assert not any("entry.c" in used for used in graph.values())  # only the host calls it
    assert "params.c" not in graph["geometry.c"] or "geometry.c" not in graph["params.c"]
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"a cycle: {' -> '.join((*path, module))}"
        if module not in done:
            for used in graph.get(module, ()):
                visit(used, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())
