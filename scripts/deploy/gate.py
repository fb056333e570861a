"""The release gate (`check --release`, run by `publish` too): one run lists
every problem of the repository that a go-live must not have, and, when the
site can be built, every problem of the built pages.

The order is the pipeline's: records → check (with the release rules and
the veto items of the inspection of government websites, audit.veto_problems:
a home page or column not updated in time, empty columns, dates missing or
not true, misspelt names) → build → the built pages' rules
(check.release.built_site_problems).
"""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from mkdocs.exceptions import MkDocsException

from ..audit import clock, veto_problems
from ..build.pipeline import build_site
from ..check import check_snapshot, errors
from ..check.release import built_site_problems, page_origins, release_problems
from ..problems import Problem
from ..records.loader import read_repository
from ..site_config import site_config

log = logging.getLogger("zlt")
NOT_BUILT = "以上错误使网站无法试生成，改正后再运行发布前检查，才能检查网页上的链接和未填写的内容"


def release_gate(root: Path, site: Path | None = None, today: date | None = None,
                 stale_ok: bool = False) -> tuple[list[Problem], Path | None]:
    """(every problem, the site built and checked; None when it could not be built).

    `site`: where to build (default .build/release/site); `today`: the day the
    veto items count from (default: --today's sources, audit/clock.py). Errors
    of `check` do not stop this trial build, so that one run lists the pages'
    problems too; a site with any problem is never published."""
    snap = read_repository(root)
    problems = check_snapshot(snap) + release_problems(root, snap.records, snap.pages)
    try:
        problems += veto_problems(root, clock.today(today), snap, stale_ok=stale_ok)
    except clock.ClockError as e:
        problems.append(Problem(clock.ENV, 1, "", f"{e}：未能检查网站是否按期更新"))
    except Exception as e:  # records too broken to place on the home page: listed above
        if not errors(problems):
            raise
        log.warning("未能检查网站是否按期更新（%s: %s）", type(e).__name__, e)
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
    # A missing badge is named at its setting (extra.gov_badge), not again
    # as a broken link on every page.
    badge = str((site_config(root).get("extra") or {}).get("gov_badge") or "").lstrip("/")
    reported = frozenset({badge} if badge and any(p.field == "extra.gov_badge" for p in problems) else ())
    problems += built_site_problems(site, site_url, page_origins(snap), reported)
    return sorted(set(problems)), site
