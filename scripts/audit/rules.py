"""The self-check's rules, each an item of the inspection (《政府网站与政务
新媒体检查指标》) with the problems found, worded for the editors.

What "the home page changed" means for a generated home page: it changes
when something new appears on it, so its age is that of the newest item it
shows (the records of the kinds with `show.home` in the model, as
render.site picks them, and the hand-written pages of mkdocs.yml's
`extra: home_sections`). A record's day is its publication date (the kind's
date field), else its 终审 date (the day it was approved for the site), else
the day its file was first committed; a page's, its first commit (a page
edited is no new item). The days of the templates' own commits are not
counted: a new layout is no new information, and an inspector counts
information.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..problems import Problem
from ..records.loader import Record, Snapshot
from ..records.schema import Kind, SCHEMA_PATH
from .history import History
from .names import NameIndex

FAIL, WARN, PASS, SKIP = "fail", "warn", "pass", "skip"
EMPTY_COLUMNS_VETO = 5           # 空白栏目: five or more is a veto
MODEL = SCHEMA_PATH


@dataclass
class Item:
    """One item of the inspection, as the report shows it."""
    key: str
    title: str
    veto: bool                    # 单项否决 (else 扣分项)
    status: str = PASS
    summary: str = ""
    advice: str = ""
    problems: list[Problem] = field(default_factory=list)
    # What the item found that needs nothing done (said, never a problem).
    info: list[str] = field(default_factory=list)


@dataclass
class Column:
    """A kind's column: its last update against its limit."""
    kind: Kind
    published: int
    last: date | None
    source: str                   # where `last` comes from (发布日期, 终审日期, 提交日期)
    newest: Record | None
    days: int | None
    status: str
    # Not on the site at all: no published record, samples included, so the
    # build leaves the column out (render.site.Site.shown).
    hidden: bool = False


def parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def record_day(r: Record, history: History) -> tuple[date | None, str]:
    """(the day a record came to the site, what that day is)."""
    if r.kind.date_field:
        return parse_date(r[r.kind.date_field]), "发布日期"
    review = r["review"] if isinstance(r["review"], dict) else {}
    final = review.get("final") if isinstance(review.get("final"), dict) else {}
    day = parse_date(final.get("date"))
    if day:
        return day, "终审日期"
    return history.added(r.path), "提交日期"


def _field(r: Record) -> str:
    name = r.kind.date_field
    f = r.kind.fields.get(name)
    return f"{name}（{f.label}）" if f else name


def _model_line(snap: Snapshot, *keys) -> int:
    from ..records.model_check import key_lines
    try:
        lines = key_lines(snap.schema.source)
    except Exception:   # the model was read once already; its lines are a nicety
        return 1
    while keys:
        if keys in lines:
            return lines[keys]
        keys = keys[:-1]
    return 1


def _model_path(snap: Snapshot) -> str:
    from ..records.schema import shown_path
    return shown_path(snap.schema.source)


def judge(days: int | None, idle: int | None, warn: int) -> str:
    if days is None or idle is None:
        return SKIP
    if days > idle:
        return FAIL
    return WARN if days > idle - warn - 1 and warn else PASS


def _left(days: int, idle: int) -> str:
    left = idle - days
    return "今天是最后期限" if left == 0 else f"再过 {left + 1} 天即不合格"


# --- 首页更新 ---------------------------------------------------------------

def home_item(snap: Snapshot, history: History, today: date, published: list[Record]) -> Item:
    from ..render.navigation import load_nav
    from ..render.site import Site
    from ..site_config import site_config
    limits = snap.schema.audit
    item = Item("home", "首页栏目信息更新", veto=True,
                advice=f"首页每 {limits.home_idle_days} 天内至少要有一条新信息：审核发布一条新的"
                       + "、".join(k.label for k in snap.schema.kinds.values() if k.show.home and k.date_field)
                       + "（发布日期写实际发布的日子）")
    extra = (site_config(snap.root) or {}).get("extra")
    home_pages = (extra.get("home_sections") if isinstance(extra, dict) else None) or {}
    site = Site(snap.schema, published, preview=False)
    shown: list[tuple[date, str, str, int, str]] = []   # (day, what, path, line, field)
    for section in site.home_sections(home_pages if isinstance(home_pages, dict) else {}):
        for part in [section, *section.children]:
            for r in part.items:
                day, source = record_day(r, history)
                if day:
                    line = r.line_of((r.kind.date_field,)) if source == "发布日期" else r.line
                    shown.append((day, f"{r.kind.label}“{r.title}”（{source}）", r.path, line,
                                  _field(r) if source == "发布日期" else "首页更新"))
        if section.layout == "pages":
            for page in _nav_pages(load_nav(snap.root, snap.schema), section.heading):
                day = history.added(f"content/{page}")
                if day:
                    shown.append((day, f"页面 content/{page}（首次提交）", f"content/{page}", 1, "首页更新"))
    if not shown:
        item.status = SKIP
        item.summary = "首页上没有能确定日期的信息（" + ("无法读取 git 记录" if not history.is_git else "首页没有记录") + "），未能判断"
        return item
    day, what, path, line, fld = max(shown, key=lambda s: (s[0], s[2]))
    days = (today - day).days
    item.status = judge(days, limits.home_idle_days, limits.home_warn_days)
    item.summary = f"首页最新信息是{what}，{day.isoformat()}，距今 {days} 天（期限 {limits.home_idle_days} 天）"
    if item.status == FAIL:
        item.problems.append(Problem(path, line, fld, f"首页已 {days} 天没有新信息（最新：{what}，{day}），"
                                     f"超过 {limits.home_idle_days} 天即为“首页不更新”，单项否决：{item.advice}"))
    elif item.status == WARN:
        item.problems.append(Problem(path, line, fld, f"首页已 {days} 天没有新信息，{_left(days, limits.home_idle_days)}"
                                     f"（首页 {limits.home_idle_days} 天不更新为单项否决）：{item.advice}",
                                     level="warning"))
    return item


def _nav_pages(sections, title: str) -> list[str]:
    for s in sections:
        if s.title == title:
            out = [s.path] if s.path else []
            stack = list(s.children)
            while stack:
                c = stack.pop(0)
                out += [c.path] if c.path else []
                stack[:0] = c.children
            return [p for p in out if p.endswith(".md")]
    return []


# --- 栏目更新 ---------------------------------------------------------------

def columns(snap: Snapshot, history: History, today: date, published: list[Record]) -> list[Column]:
    out = []
    for kind in snap.schema.kinds.values():
        mine = [r for r in published if r.kind is kind]
        dated = [(d, s, r) for r in mine for d, s in [record_day(r, history)] if d and d <= today]
        newest = max(dated, key=lambda x: (x[0], x[2].path)) if dated else None
        days = (today - newest[0]).days if newest else None
        status = judge(days, kind.audit.idle_days, kind.audit.warn_days) if mine else SKIP
        hidden = not any(r.kind is kind and r.is_published for r in snap.records)
        out.append(Column(kind, len(mine), newest[0] if newest else None, newest[1] if newest else "",
                          newest[2] if newest else None, days, status, hidden))
    return out


def column_item(snap: Snapshot, cols: list[Column]) -> Item:
    timed = [c for c in cols if c.kind.audit.idle_days]
    item = Item("columns", "栏目信息更新", veto=True,
                advice="在期限内审核发布一条该栏目的新信息（动态、要闻类 2 周，通知公告、政策文件类 6 个月；"
                       f"各栏目的期限见 {MODEL} 中的 audit: idle_days）")
    if not timed:
        item.status, item.summary = SKIP, f"没有设定更新期限的栏目（{MODEL} 中的 audit: idle_days）"
        return item
    for c in timed:
        idle, label = c.kind.audit.idle_days, f"栏目“{c.kind.label}”"
        if c.published == 0:
            continue   # an empty column: the empty columns' item
        where = (c.newest.path, c.newest.line_of((c.kind.date_field,)), _field(c.newest)) if c.newest \
            and c.source == "发布日期" else (c.newest.path, c.newest.line, "栏目更新") if c.newest \
            else (_model_path(snap), _model_line(snap, "kinds", c.kind.name, "audit"), f"kinds.{c.kind.name}.audit")
        if c.days is None:
            item.problems.append(Problem(*where, f"{label}没有能确定日期的信息，无法判断是否按期更新", level="warning"))
        elif c.status == FAIL:
            item.problems.append(Problem(*where, f"{label}已 {c.days} 天未更新（最新一条 {c.last}），超过 {idle} 天"
                                         f"即为“栏目不更新”，单项否决：请审核发布一条新的{c.kind.label}"))
        elif c.status == WARN:
            item.problems.append(Problem(*where, f"{label}已 {c.days} 天未更新，{_left(c.days, idle)}"
                                         f"（期限 {idle} 天）：请及时发布新的{c.kind.label}", level="warning"))
    failed = sum(c.status == FAIL for c in timed if c.published)
    warned = sum(c.status == WARN for c in timed if c.published)
    item.status = FAIL if failed else WARN if warned or any(p.level == "warning" for p in item.problems) else PASS
    item.summary = (f"{len(timed)} 个栏目设定了更新期限：{failed} 个超期，{warned} 个临近期限"
                    if failed or warned else f"{len(timed)} 个设定了更新期限的栏目都在期限内")
    return item


# --- 空白栏目 ---------------------------------------------------------------

def empty_item(snap: Snapshot, cols: list[Column]) -> Item:
    # A column with no published record at all is left out of the built site
    # (menu, home page, 网站地图, sitemap.xml, its list): not an empty column
    # a reader or inspector can see. One showing only samples is.
    hidden = [c for c in cols if c.kind.show.menu and c.hidden]
    empty = [c for c in cols if c.kind.show.menu and c.published == 0 and not c.hidden]
    veto = len(empty) >= EMPTY_COLUMNS_VETO
    item = Item("empty", "空白栏目", veto=True,
                advice="每个栏目都要有已发布的信息：发布该栏目的记录，或在 "
                       f"{MODEL} 中删去它的菜单项（show: menu），不再显示这个栏目",
                status=FAIL if veto else WARN if empty else PASS)
    item.summary = (f"{len(empty)} 个栏目没有任何已发布的信息"
                    + (f"（{EMPTY_COLUMNS_VETO} 个及以上为单项否决）" if empty else "")) if empty \
        else "网站上的每个栏目都有已发布的信息"
    if hidden:
        item.summary += f"；{len(hidden)} 个栏目暂无信息，已自动隐藏"
    item.info = [f"栏目“{c.kind.label}”暂无已发布信息，已自动隐藏，发布第一条后自动出现" for c in hidden]
    for c in empty:
        item.problems.append(Problem(
            _model_path(snap), _model_line(snap, "kinds", c.kind.name, "show", "menu"), f"kinds.{c.kind.name}.show.menu",
            f"栏目“{c.kind.label}”是空白栏目（没有已发布的信息）"
            + (f"：空白栏目共 {len(empty)} 个，达到 {EMPTY_COLUMNS_VETO} 个即单项否决" if veto else "") + "。"
            + item.advice, level="error" if veto else "warning"))
    return item


# --- 发布日期 ---------------------------------------------------------------

def dates_item(snap: Snapshot, history: History, today: date, published: list[Record]) -> Item:
    margin = snap.schema.audit.backdate_days
    item = Item("dates", "发布日期真实完整", veto=True,
                advice="发布日期写实际在本网站发布的日子；转载或补发旧稿而须保留原日期的，填写“日期说明”"
                       "（date_reason），写明原因，如“转载自某报 2024-06-01 报道”")
    checked = backdated = 0
    for r in published:
        name = r.kind.date_field
        if not name:
            continue
        checked += 1
        day = parse_date(r[name])
        line, fld = r.line_of((name,)), _field(r)
        if not r[name]:
            item.problems.append(Problem(r.path, r.line, fld, f"“{r.title}”没有发布日期：网站上的信息都要标明发布日期"))
            continue
        if day is None:
            continue   # check reports a date it cannot read
        if day > today:
            item.problems.append(Problem(r.path, line, fld, f"发布日期 {day} 晚于今天（{today}）：请写实际发布的日子"))
            continue
        added = history.added(r.path)
        if added and (added - day).days > margin:
            reason = str(r["date_reason"] or "").strip()
            if reason:
                continue
            backdated += 1
            item.problems.append(Problem(
                r.path, line, fld, f"发布日期 {day} 比这篇稿件首次提交到仓库的日子（{added}）早 {(added - day).days} 天，"
                                   f"像是倒填日期（伪造发稿日期）。{item.advice}"))
    if not checked:
        item.status, item.summary = SKIP, "没有带发布日期的栏目"
        return item
    item.status = FAIL if item.problems else PASS
    item.summary = (f"检查了 {checked} 条带发布日期的信息：{len(item.problems)} 处问题"
                    if item.problems else f"{checked} 条带发布日期的信息，日期都已标明且真实")
    if not history.is_git:
        item.summary += "（不是 git 仓库，未能核对是否倒填日期）"
    return item


def explained_dates(snap: Snapshot, history: History, published: list[Record]) -> list[tuple[Record, date, str]]:
    """(record, first commit, reason) of the dates kept earlier on purpose."""
    out = []
    for r in published:
        day = parse_date(r[r.kind.date_field]) if r.kind.date_field else None
        added = history.added(r.path) if day else None
        reason = str(r["date_reason"] or "").strip()
        if day and added and (added - day).days > snap.schema.audit.backdate_days and reason:
            out.append((r, added, reason))
    return out


# --- 名称错误 ---------------------------------------------------------------

# Parts of a record that never reach the site.
UNPUBLISHED_FIELDS = ("review", "note", "status", "sample", "date_reason")


def names_item(snap: Snapshot, published: list[Record], allowed: tuple[str, ...]) -> Item:
    import re
    item = Item("names", "人名、单位名称错误", veto=True,
                advice="核对后改正为记录中的正确名称；确是另一人或另一单位的，把这个名称加到 wording/allow.yml")
    checked = [r for r in snap.records if r.kind.audit.names]
    index = NameIndex([r.title for r in checked], known=[r.title for r in snap.records], allowed=allowed)
    if not index.names:
        item.status, item.summary = SKIP, "没有可核对的人名、单位名称（模型中 audit: {names: true} 的栏目）"
        return item
    by_title = {r.title: r for r in checked}
    key_re = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:")
    files = {r.path for r in published} | {p.path for p in snap.pages}
    for rel in sorted(files):
        text = snap.texts.get(rel)
        if not text:
            continue
        markdown = rel.endswith(".md")
        in_front = markdown and text.startswith("---")
        fld = "" if in_front or not markdown else "正文"
        for n, line in enumerate(text.splitlines(), 1):
            if in_front and n > 1 and line.rstrip() == "---":
                in_front, fld = False, "正文"
                continue
            if fld != "正文" and not line.startswith((" ", "\t", "-")):
                m = key_re.match(line)
                fld = m.group(1) if m else fld
            if fld in UNPUBLISHED_FIELDS:
                continue
            for miss in {(m.written, m.name) for m in index.find(line)}:
                written, name = miss
                owner = by_title[name]
                item.problems.append(Problem(rel, n, fld, f"“{written}”与“{name}”（{owner.path}）只差一个字，"
                                                         f"可能写错了{owner.kind.label}的名称：{item.advice}"))
    item.status = FAIL if item.problems else PASS
    item.summary = (f"核对了 {len(index.names)} 个名称，发现 {len(item.problems)} 处疑似写错"
                    if item.problems else f"核对了 {len(index.names)} 个人名、单位名称，未发现写错")
    return item
