"""Build: records → validate → render → mkdocs, swapped into site/ only whole.

The thin orchestrator of the pipeline. A failed or interrupted build leaves the
previous site/ as it was.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from .problems import InputError, Problem
from .records import load_all
from .render import render_site
from .validate import validate

log = logging.getLogger("zlt")


def check(root: Path) -> list[Problem]:
    records, problems = load_all(root)
    return sorted(set(problems + validate(records, root)))


def generate(root: Path, docs: Path, preview: bool = False) -> int:
    """Validate every record and write the site's Markdown into `docs`."""
    records, problems = load_all(root)
    problems = sorted(set(problems + validate(records, root)))
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise InputError(errors)
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    return render_site(records, root, docs, preview=preview)


def mkdocs_build(root: Path, docs: Path, site: Path, strict: bool = True) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    try:  # jieba (for the search index) logs at DEBUG from its import on
        import jieba
        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass

    config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site),
                         strict=strict)
    build(config)


def swap_in(new_site: Path, site: Path) -> None:
    """Replace site/ by new_site with renames only, so that site/ is always whole."""
    old = site.with_name(site.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site.exists():
        os.rename(site, old)
    os.rename(new_site, site)
    shutil.rmtree(old, ignore_errors=True)


def build_site(root: Path, site: Path | None = None, preview: bool = False) -> Path:
    root = root.resolve()
    site = (site or root / "site").resolve()
    work = root / ".build"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="build-") as tmp:
        docs, new_site = Path(tmp) / "docs", Path(tmp) / "site"
        pages = generate(root, docs, preview=preview)
        log.info("已生成 %d 个页面的 Markdown，开始构建网站……", pages)
        mkdocs_build(root, docs, new_site)
        # Keep the last generated Markdown where mkdocs.yml points, so that a
        # plain `mkdocs build` or `mkdocs serve` works on it too.
        stable = work / "docs"
        if stable.exists():
            shutil.rmtree(stable)
        shutil.copytree(docs, stable)
        swap_in(new_site, site)
    return site
