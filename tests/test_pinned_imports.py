"""Every third-party module the code imports is pinned: what scripts/ needs
to run (outside scripts/dev/) in requirements.txt, what only the tests and the
developers' tools need in requirements.txt or requirements-dev.txt. A module
that came along with another package (MarkupSafe with Jinja2, watchdog with
mkdocs) would otherwise change version, or vanish, with that package."""
from __future__ import annotations

import ast
import functools
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"scripts", "tests", "__future__"}


def imported(path: Path) -> set[str]:
    """Top-level names of the absolute imports anywhere in a module's code
    (inside functions too: the command line imports each stage late)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: Path) -> set[str]:
    """Distributions pinned with == in a requirements file and those it includes (-r)."""
    out = set()
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            out |= pins(requirements.parent / line.split(None, 1)[1])
        elif m := re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?\s*==\s*\S+", line):
            out.add(normalize(m.group(1)))
    return out


def unpinned(files: list[Path], pinned: set[str], local: set[str]) -> dict[str, list[str]]:
    """{module: [files importing it]} for the third-party modules of `files`
    whose distribution is not in `pinned` (or that no installed distribution
    provides)."""
    distributions = _distributions()
    missing: dict[str, list[str]] = {}
    for path in files:
        for name in imported(path):
            if name in sys.stdlib_module_names or name in FIRST_PARTY or name in local:
                continue
            if not {normalize(d) for d in distributions.get(name, [])} & pinned:
                missing.setdefault(name, []).append(path.relative_to(ROOT).as_posix()
                                                    if path.is_relative_to(ROOT) else str(path))
    return missing


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def local_modules() -> set[str]:
    """The tests' own helper modules, which pytest's rootdir imports find by
    their bare name (`from test_photos_gps import …`)."""
    return {p.stem for p in (ROOT / "tests").rglob("*.py")} | \
           {p.name for p in (ROOT / "tests").rglob("*") if (p / "__init__.py").is_file()}


def test_what_the_site_runs_on_is_pinned_in_requirements_txt():
    runtime = [p for p in sorted((ROOT / "scripts").rglob("*.py")) if "dev" not in p.relative_to(ROOT).parts]
    missing = unpinned(runtime, pins(ROOT / "requirements.txt"), set())
    assert not missing, ("imported but not pinned in requirements.txt (name==version, the version in .venv): "
                         + "; ".join(f"{m} ({', '.join(files)})" for m, files in sorted(missing.items())))


def test_what_the_tests_and_dev_tools_import_is_pinned():
    files = sorted((ROOT / "scripts" / "dev").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    missing = unpinned(files, pins(ROOT / "requirements-dev.txt"), local_modules())
    assert not missing, ("imported but not pinned in requirements.txt or requirements-dev.txt: "
                         + "; ".join(f"{m} ({', '.join(files)})" for m, files in sorted(missing.items())))


def test_an_unpinned_import_is_found(tmp_path):
    """The check itself: an import of an installed package left out of the
    requirements is reported, a pinned one (extras and includes allowed) is not,
    nor the standard library or the project's own modules."""
    module = tmp_path / "m.py"
    module.write_text("import os, yaml\nfrom jinja2 import Template\nfrom scripts import problems\n"
                      "def late():\n    import watchdog.observers\n    from . import sibling\n", encoding="utf-8")
    (tmp_path / "base.txt").write_text("# comment\nPyYAML==6.0.4  # why\npsycopg[binary]==3.3.9\n",
                                       encoding="utf-8")
    (tmp_path / "dev.txt").write_text("-r base.txt\njinja2 == 3.1.6\nwatchdog>=1\n", encoding="utf-8")
    pinned = pins(tmp_path / "dev.txt")
    assert pinned == {"pyyaml", "psycopg", "jinja2"}          # >= is not a pin
    assert unpinned([module], pinned, set()) == {"watchdog": [str(module)]}
    assert set(unpinned([module], pins(tmp_path / "base.txt"), set())) == {"jinja2", "watchdog"}
    (tmp_path / "nothing.py").write_text("import no_such_distribution_here\n", encoding="utf-8")
    assert "no_such_distribution_here" in unpinned([tmp_path / "nothing.py"], pinned, set())
