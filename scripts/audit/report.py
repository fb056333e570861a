"""The self-check's report: lines for the terminal, and one HTML page
(.build/audit/index.html: no external resource, no script; not published)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from . import REPORT_DIR, Report
from .rules import FAIL, PASS, SKIP, WARN

WORDS = {PASS: "合格", WARN: "提醒", FAIL: "不合格", SKIP: "未检查"}
MARKS = {PASS: "✓", WARN: "!", FAIL: "✗", SKIP: "-"}
SHOWN = 20   # problems listed per item in the terminal (the page lists all)


def verdict(report: Report) -> str:
    failed = [i.title for i in report.vetoes if i.status == FAIL]
    if failed:
        return f"结论：不合格。单项否决 {len(failed)} 项：{'、'.join(failed)}。网站如被检查将被判为不合格，请立即整改。"
    warned = [i.title for i in report.items if i.status == WARN]
    if warned:
        return f"结论：单项否决项目全部通过；{len(warned)} 项需要注意：{'、'.join(warned)}。"
    return "结论：单项否决项目全部通过。"


def advised(item) -> bool:
    """Whether the item's advice is to be shown (its problems do not all say it already)."""
    return bool(item.problems and item.advice and not all(item.advice in p.message for p in item.problems))


def _limit(c) -> str:
    a = c.kind.audit
    if not a.idle_days:
        return "不限"
    return f"{a.idle_days} 天" + (f"（提前 {a.warn_days} 天提醒）" if a.warn_days else "")


def column_rows(report: Report) -> list[dict]:
    rows = []
    for c in report.columns:
        rows.append({"label": c.kind.label, "menu": bool(c.kind.show.menu), "published": c.published,
                     "last": f"{c.last}（{c.source}）" if c.last else "—",
                     "days": "—" if c.days is None else f"{c.days} 天", "limit": _limit(c),
                     "status": "已隐藏（暂无信息）" if c.hidden and c.kind.show.menu else
                     "空白栏目" if c.published == 0 and c.kind.show.menu else
                     WORDS[c.status] if c.kind.audit.idle_days else "—",
                     "level": SKIP if c.hidden and c.kind.show.menu else
                     FAIL if c.published == 0 and c.kind.show.menu else c.status})
    return rows


def text(report: Report) -> str:
    out = [f"网站自查报告（依据《政府网站与政务新媒体检查指标》）  日期：{report.today}", ""]
    for title, items in (("单项否决指标（任何一项不合格，网站即为不合格）", report.vetoes),
                         ("扣分指标", report.scored)):
        out.append(f"【{title}】")
        for i in items:
            out.append(f"  {MARKS[i.status]} {WORDS[i.status]:<3} {i.title}：{i.summary}")
            for p in i.problems[:SHOWN]:
                out.append(f"      {p}")
            for line in i.info:
                out.append(f"      说明：{line}")
            if len(i.problems) > SHOWN:
                out.append(f"      ……另有 {len(i.problems) - SHOWN} 处，见网页版报告")
            if advised(i):
                out.append(f"      怎么办：{i.advice}")
        out.append("")
    out.append("【各栏目更新情况】")
    for r in column_rows(report):
        out.append(f"  {r['label']}：已发布 {r['published']} 条，最近 {r['last']}，距今 {r['days']}，"
                   f"期限 {r['limit']}，{r['status']}")
    if report.explained:
        out += ["", "【注明原因的较早发布日期】"]
        for r, added, reason in report.explained:
            out.append(f"  {r.path}：发布日期 {r[r.kind.date_field]}，首次提交 {added}；原因：{reason}")
    for note in report.notes:
        out += ["", f"说明：{note}"]
    out += ["", verdict(report)]
    return "\n".join(out)


_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def html(report: Report) -> str:
    return _ENV.get_template("report.html.j2").render(
        report=report, rows=column_rows(report), words=WORDS, marks=MARKS, verdict=verdict(report),
        failed=report.failed, advised=advised)


def write_html(report: Report) -> Path:
    path = report.root / REPORT_DIR / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html(report), encoding="utf-8")
    return path
