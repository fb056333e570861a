"""The release gate (`check --release`, run by `publish` too): one run lists
every problem of the repository that a go-live must not have, and, when the
site can be built, every problem of the built pages.

The order is the pipeline's: records → check (with the release rules) →
build → the built pages' rules (check.release.built_site_problems).
"""
from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import MkDocsException

from ..build.pipeline import build_site
from ..check import check_snapshot, errors
from ..check.release import built_site_problems, release_problems
from ..problems import Problem
from ..records.loader import read_repository
from ..site_config import site_config

log = logging.getLogger("zlt")
NOT_BUILT = "以上错误使网站无法试生成，改正后再运行发布前检查，才能检查网页上的链接和未填写的内容"


def page_origins(snap) -> dict[str, str]:
    """Built page (directory URLs) → the record file it was made from."""
    out = {}
    for r in snap.records:
        if not r.kind.is_list_file:
            out[r.kind.url.format(id=r.id).rstrip("/") + "/index.html"] = r.path
    for page in snap.pages:
        doc = page.path.removeprefix("content/")
        stem = doc[: -len(".md")]
        html = stem[: -len("index")] + "index.html" if stem.endswith("index") else stem + "/index.html"
        out[html] = page.path
    return out


def release_gate(root: Path, site: Path | None = None) -> tuple[list[Problem], Path | None]:
    """(every problem, the site built and checked; None when it could not be built).

    `site`: where to build (default .build/release/site). Errors of `check`
    do not stop this trial build, so that one run lists the pages' problems
    too; a site with any problem is never published."""
    snap = read_repository(root)
    problems = check_snapshot(snap) + release_problems(root, snap.records, snap.pages)
    try:
        site = build_site(root, site or root / ".build" / "release" / "site", allow_errors=bool(errors(problems)))
    except MkDocsException as e:
        return sorted(set(problems + [Problem("mkdocs.yml", 1, "", f"网站构建失败（MkDocs）：{e}")])), None
    except Exception as e:  # a record too broken to render: its own problem is listed above
        if not errors(problems):
            raise
        log.warning("网站无法试生成（%s: %s）", type(e).__name__, e)
        return sorted(set(problems)), None
    site_url = str(site_config(root).get("site_url") or "")
    problems += built_site_problems(site, site_url, page_origins(snap))
    return sorted(set(problems)), site
