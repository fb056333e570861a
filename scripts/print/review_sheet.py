"""信息发布审核单: one item's 三审 typeset on A4 for the paper archive
(templates/print/review-sheet.html.j2), by the same machinery as the
compilation: Jinja from templates/print/, print.css, WeasyPrint with the
CJK fonts embedded and nothing fetched from outside the repository.

It takes the sheet's facts as plain data (scripts/newsroom/audit.py: Sheet)
and knows nothing of the newsroom. Unlike the compilation it does not wait
for `check` to pass: a sheet is asked for while the item is still under
review, and another record's error is not this item's business.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

from ..site_config import site_config
from .colophon import colophon
from .typeset import check_fonts, write_pdf

TEMPLATE = "print/review-sheet.html.j2"
STYLESHEET = "templates/print/print.css"


def sheet_name(kind: str, rid: str) -> str:
    """The file's name: shenhedan-<kind>-<id>.pdf (ASCII, like the other prints)."""
    return f"shenhedan-{kind}-{rid}.pdf"


def render_html(root: Path, sheet: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "templates"), autoescape=True,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    config = site_config(root)
    extra = config.get("extra") or {}
    site = {"name": config.get("site_name", ""), "department": extra.get("sponsor") or config.get("site_author", "")}
    return env.get_template(TEMPLATE).render(sheet=sheet, site=site, colophon=colophon(root), marked=False,
                                             title=f"信息发布审核单：{sheet['title']}")


def write_review_sheet(root: Path, sheet: dict, target: Path) -> int:
    """Typeset the sheet into `target`; returns its number of pages. Raises
    typeset.MissingFonts (Chinese) when the CJK fonts are not installed."""
    check_fonts()
    return write_pdf(render_html(root, sheet), target, base=root, allowed=[root], stylesheet=root / STYLESHEET)
