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

from .feed import write_feed
from .publish import (TEMP_PREFIX, checkpoint, locked, recover, remove_stale_temps,
                      source_date_epoch, swap_in)

from .problems import InputError, Problem
from .progress import mkdocs_progress, stage
from .records import load_all
from .render import render_site
from .search import index_site
from .validate import check_records, validate

log = logging.getLogger("zlt")


def check(root: Path) -> list[Problem]:
    """Every problem in one run: records, content pages and wording."""
    return check_records(root)[1]


def generate(root: Path, docs: Path, preview: bool = False) -> tuple[int, list]:
    """Validate every record and write the site's Markdown into `docs`.

    Returns the number of pages written and the records, for the later stages."""
    with stage("load_validate"):
        records, problems = load_all(root)
        problems = sorted(set(problems + validate(records, root)))
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise InputError(errors)
    with stage("render"):
        if docs.exists():
            shutil.rmtree(docs)
        docs.mkdir(parents=True)
        return render_site(records, root, docs, preview=preview), records


def mkdocs_build(root: Path, docs: Path, site: Path, strict: bool = True, **overrides):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site),
                         strict=strict, **overrides)
    build(config)
    return config


def _temp_dir(parent: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(dir=parent, prefix=f"{TEMP_PREFIX}{name}-{os.getpid()}-"))


def build_site(root: Path, site: Path | None = None, preview: bool = False) -> Path:
    root = root.resolve()
    site = (site or root / "site").resolve()
    work = root / ".build"
    work.mkdir(exist_ok=True)
    site.parent.mkdir(parents=True, exist_ok=True)
    with locked(work):  # a swap that an earlier build left half done
        recover(site)
    # The new site is built next to site/, and the Markdown next to .build/docs
    # (a rename cannot cross file systems), each build in folders of its own
    # so that concurrent builds never meet.
    tmp_docs = _temp_dir(work, "docs")
    tmp_site = _temp_dir(site.parent, site.name)
    try:
        docs, new_site = tmp_docs / "docs", tmp_site / "site"
        pages, records = generate(root, docs, preview=preview)
        checkpoint("render")
        log.info("已生成 %d 个页面的 Markdown，开始构建网站……", pages)
        with stage("mkdocs"), mkdocs_progress(pages), source_date_epoch(root):
            config = mkdocs_build(root, docs, new_site)
        with stage("feed"):
            write_feed(records, config, new_site, preview=preview)
        with stage("search"):
            index_site(new_site, config.site_name, config.use_directory_urls)
        checkpoint("mkdocs")
        with stage("finish"), locked(work):
            recover(site)
            checkpoint("swap")
            swap_in(new_site, site)
            # Keep the last generated Markdown where mkdocs.yml points, so that
            # a plain `mkdocs build` or `mkdocs serve` works on it too.
            recover(work / "docs")
            swap_in(docs, work / "docs")
    finally:
        for folder in (tmp_docs, tmp_site):
            shutil.rmtree(folder, ignore_errors=True)
            remove_stale_temps(folder.parent)
    return site
