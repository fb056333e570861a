"""网站自查 (`make audit`): the site judged as the inspection of government and
party websites judges it (《政府网站与政务新媒体检查指标》), on what the
repository can know, before an inspector does.

Scored the inspection's way: the 单项否决 items, any one of which fails the
site (the home page or a column not updated in time, five or more empty
columns, serious wording errors including a misspelt name of a person or a
unit, publication dates missing or not true), then the 扣分项 (the footer's
registration items and the 党政机关网站标识 on every page, broken links, fewer
empty columns). The limits are the model's (schema.yaml: `audit:` per kind
and at the top); every day is counted from one `today` (clock.py).

`veto_problems` is what `make release` refuses (deploy/gate.py); `audit` is
the whole report, printed and written to .build/audit/index.html
(report.py), which is not published.
"""
from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..problems import Problem
from ..site_config import SETTINGS_FILE, setting_line
from ..records.loader import Record, Snapshot, read_repository
from . import rules
from .history import History
from .rules import Column, Item

REPORT_DIR = ".build/audit"


@dataclass
class Report:
    root: Path
    today: date
    items: list[Item]
    columns: list[Column]
    explained: list[tuple[Record, date, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def vetoes(self) -> list[Item]:
        return [i for i in self.items if i.veto]

    @property
    def scored(self) -> list[Item]:
        return [i for i in self.items if not i.veto]

    @property
    def failed(self) -> bool:
        return any(i.status == rules.FAIL for i in self.vetoes)


def _allowed(root: Path) -> tuple[str, ...]:
    from ..check.lint import WordListError, load_lists
    try:
        return load_lists(root)[1]
    except WordListError:
        return ()   # check names the broken list


def public(snap: Snapshot) -> list[Record]:
    """The records that are information on the public site: published, and
    not samples (marked 示例 on every page, deleted before going live)."""
    return [r for r in snap.records if r.is_published and not r.is_sample]


def _veto_items(snap: Snapshot, today: date, history: History) -> tuple[list[Item], list[Column]]:
    published = public(snap)
    cols = rules.columns(snap, history, today, published)
    items = [rules.home_item(snap, history, today, published), rules.column_item(snap, cols),
             rules.empty_item(snap, cols), rules.dates_item(snap, history, today, published),
             rules.names_item(snap, published, _allowed(snap.root))]
    return items, cols


STALENESS = ("home", "columns", "empty")   # items a publish can only make better


def veto_problems(root: Path, today: date, snap: Snapshot | None = None,
                  stale_ok: bool = False) -> list[Problem]:
    """The veto items `make release` refuses (errors), and the warnings of
    limits coming near. Without the typos and broken links, which the gate
    finds by its own checks; `snap`: the repository as the caller read it.
    `stale_ok`: an idle home page or column, or empty columns, only warn
    (the newsroom's publish of one approved item: refusing it would keep the
    site idle)."""
    snap = snap or read_repository(root)
    items, _ = _veto_items(snap, today, History(root, today))
    # Empty columns below the veto are scored: the gate only mentions them.
    return sorted({dataclasses.replace(p, level="warning") if stale_ok and i.key in STALENESS else p
                   for i in items for p in i.problems})


def audit(root: Path, today: date, build: bool = True) -> Report:
    """The whole self-check; `build`: build the site into .build/audit/site to
    check its links and the badge on every page (else those are not checked)."""
    from ..check.lint import lint
    from ..check.release import footer_problems
    snap = read_repository(root)
    history = History(root, today)
    items, cols = _veto_items(snap, today, history)
    notes = []
    if not history.is_git:
        notes.append("这个文件夹不是 git 仓库（或还没有提交）：无法核对稿件首次提交的日子，未查倒填日期。")
    typos = rules.Item("typos", "错别字和不规范表述", veto=True,
                       advice="按提示改正；确属正确写法而被误报的，把整个词语加到 wording/allow.yml",
                       problems=[p for p in lint(root, snap.texts)])
    typos.status = rules.FAIL if typos.problems else rules.PASS
    typos.summary = f"发现 {len(typos.problems)} 处（wording/typos.yml 所列错误写法）" if typos.problems \
        else "未发现 wording/typos.yml 所列的错误写法"
    items.insert(4, typos)
    footer = rules.Item("footer", "网站标识和备案信息（页脚）", veto=False,
                        advice=f"在 {SETTINGS_FILE}（或编辑工作台的“网站设置”）中填写主办单位、ICP 备案号、公安机关备案号、网站标识码、联系方式，"
                               "并放好党政机关网站标识图片（gov_badge）",
                        problems=footer_problems(root))
    footer.status = rules.FAIL if footer.problems else rules.PASS
    footer.summary = f"{len(footer.problems)} 项未填写或有误" if footer.problems else "页脚各项和网站标识都已设置"
    items += [footer, *_built_items(root, snap, build, footer.problems)]
    empty = next(i for i in items if i.key == "empty")
    if empty.status == rules.WARN:   # fewer than five: scored, not a veto
        empty.veto = False
    return Report(root, today, items, cols, rules.explained_dates(snap, history, public(snap)), notes)


def _built_items(root: Path, snap: Snapshot, build: bool, footer: list[Problem]) -> list[Item]:
    links = rules.Item("links", "链接可用性", veto=False, advice="改正或删去无效的链接")
    badge = rules.Item("badge", "每个网页都有党政机关网站标识", veto=False,
                       advice=f"在 {SETTINGS_FILE} 的 extra 下设置 gov_badge（标识图片），页脚会在每个网页显示它")
    if not build:
        for i in (links, badge):
            i.status, i.summary = rules.SKIP, "未检查（加了 --no-build，没有试生成网站）"
        return [links, badge]
    import logging
    from ..build.pipeline import build_site
    from ..check.release import built_site_problems, page_origins
    from ..site_config import site_config
    try:
        site = build_site(root, root / REPORT_DIR / "site", allow_errors=True)
    except Exception as e:   # the report still has everything else; check names the cause
        logging.getLogger("zlt").warning("网站无法试生成（%s: %s）", type(e).__name__, e)
        for i in (links, badge):
            i.status, i.summary = rules.SKIP, "未检查：网站无法试生成，请先运行 make check 改正错误"
        return [links, badge]
    url = str(site_config(root).get("site_url") or "")
    links.problems = [p for p in built_site_problems(site, url, page_origins(snap)) if p.field == "链接"]
    links.status = rules.FAIL if links.problems else rules.PASS
    links.summary = f"{len(links.problems)} 个无效链接" if links.problems else "站内链接都有效"
    badge.problems = badge_problems(root, site, site_config(root))
    badge.status = rules.FAIL if badge.problems else rules.PASS
    badge.summary = "有网页缺少党政机关网站标识" if badge.problems else "每个网页的页脚都有党政机关网站标识"
    return [links, badge]


def badge_problems(root: Path, site: Path, config: dict) -> list[Problem]:
    """Pages whose footer lacks the badge image (extra.gov_badge)."""
    from selectolax.lexbor import LexborHTMLParser
    from ..check.release import BADGE
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    badge = str(extra.get("gov_badge") or "").strip().lstrip("/")
    pages = sorted(site.rglob("*.html"))
    missing = []
    for page in pages:
        doc = LexborHTMLParser(page.read_text(encoding="utf-8", errors="replace"))
        srcs = [n.attributes.get("src") or "" for n in doc.css("footer img")]
        if not badge or not any(s.split("?")[0].endswith(badge) for s in srcs):
            missing.append(page.relative_to(site).as_posix())
    if not missing:
        return []
    return [Problem(*setting_line(root, BADGE, "extra"), f"extra.{BADGE}",
                    f"{len(missing)} 个网页（共 {len(pages)} 个）没有显示党政机关网站标识，如 {missing[0]}")]
