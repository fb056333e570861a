"""The pipeline you can see: scripts/ is one package per stage (records →
check → render → build, print beside build, plus editor and dev), every
module imports, the import graph has no cycle, and the stages depend on
each other one way only."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
STAGES = ("records", "check", "render", "build", "print", "editor", "dev")
# Who may import whom (besides the shared modules problems, progress, site_config).
ALLOWED = {
    "records": set(),
    "check": {"records"},
    "render": {"records"},
    "build": {"records", "check", "render"},
    # Beside build: the same records, typeset to PDF; nothing of the web build.
    "print": {"records", "check"},
    "editor": {"records", "check", "render", "build"},
    # The self-check reads what the site shows (render's Site, the menu) and
    # may build it to check its links.
    "audit": {"records", "check", "render", "build"},
    "deploy": {"records", "check", "render", "build", "audit"},
    # The newsroom (Django) writes records as the workbench does and checks them,
    # and prints an item's 信息发布审核单 (print.review_sheet, given plain data).
    "newsroom": {"records", "check", "render", "editor", "print", "build", "deploy", "audit"},
    "dev": {"records", "check", "render", "build", "print", "editor", "deploy", "newsroom", "audit", "__main__"},
    "__main__": {"records", "check", "render", "build", "print", "editor", "deploy", "newsroom", "audit"},
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SCRIPTS.rglob("*.py")):
        rel = path.relative_to(SCRIPTS.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path) -> set[str]:
    """Modules of scripts/ that `name` imports (at any depth of its code)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("scripts")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("scripts"):
                continue
            known = modules()
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return found


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "scripts"


def test_the_stages_are_packages_and_the_cli_lists_every_command():
    for stage in STAGES:
        assert (SCRIPTS / stage / "__init__.py").is_file(), stage
    out = subprocess.run([sys.executable, "-m", "scripts", "--help"], capture_output=True, text=True,
                         cwd=SCRIPTS.parent, timeout=120)
    assert out.returncode == 0, out.stderr
    for command in ("build", "offline", "check", "new", "schema", "serve", "print"):
        assert f"    {command} " in out.stdout, command


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_imports(name):
    if name.startswith("scripts.newsroom"):
        from tests.newsroom.helpers import configure_django
        configure_django()   # Django's models import only once it is set up
    importlib.import_module(name)


def test_the_import_graph_has_no_cycle_and_runs_one_way():
    graph = {name: imports_of(name, path) - {name} for name, path in modules().items()}
    # No cycle: a depth-first search never meets a module on its own path.
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " → ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])
    shared = {"scripts", "problems", "progress", "site_config", "collector"}
    for name, targets in graph.items():
        mine = stage_of(name)
        for target in targets:
            theirs = stage_of(target)
            if theirs in shared or theirs == mine or mine in shared - {"scripts"}:
                continue
            assert theirs in ALLOWED.get(mine, set()), f"{name} imports {target}"
