"""Print: the records typeset into PDFs (`make print`), a stage beside build.

    python -m scripts print                  # the compilation and the film catalogue
    python -m scripts print --poster ID      # an A4 poster of one record
    python -m scripts print --samples        # samples too, marked 示例 on every page
    python -m scripts print --review-sheet ID   # 信息发布审核单 of one item (review_sheet.py)

It reads the records as every stage does (check.check_repository: nothing
prints while a record has an error), keeps the published ones (samples only
when asked for), and typesets Jinja templates of templates/print/ (one per
kind, like the web pages, and one per document) with WeasyPrint into dist/:

- 先进典型事迹材料汇编 (COMPILATION): cover, contents with page numbers,
  units and members by sector, each from a new page, with a colophon;
- 专题片目录 (CATALOGUE): the films with their posters, facts and QR codes;
- a poster (poster-<id>.pdf): picture or typeset cover, summary, large QR code.

A kind without its own templates/print/<kind>.html.j2 (or without one of its
macros) prints with templates/print/_default.html.j2: its title, facts line
and picture come from the model through records.view, as on its web page.

QR codes point at each record's page under mkdocs.yml's site_url
(records.qr). The web build neither imports nor waits for any of this.
"""
from __future__ import annotations

import ctypes.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..check import check_repository, errors
from ..problems import InputError, Problem
from ..records import view
from ..site_config import site_config
from .book import Book
from .colophon import colophon
from .environment import environment
from .typeset import MissingFonts, check_fonts, write_pdf

COMPILATION = "xianjin-dianxing-huibian"
CATALOGUE = "zhuantipian-mulu"
SAMPLE_SUFFIX = "-shili"      # a print with samples can never pass for the real one
STYLESHEET = "templates/print/print.css"


# WeasyPrint's system libraries (what ctypes finds them by) and the Debian
# packages that have them; the CJK fonts are typeset.check_fonts' (FONTS).
SYSTEM_LIBRARIES = {"pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0",
                    "harfbuzz-subset": "libharfbuzz-subset0", "fontconfig": "fontconfig"}
FONT_PACKAGE = "fonts-noto-cjk"


def missing_packages(find=ctypes.util.find_library) -> list[str]:
    """The Debian packages `make print` needs that this machine lacks. Probed
    without importing WeasyPrint, whose import fails with an English OSError
    (cannot load library 'libpango-1.0-0') when one is missing."""
    missing = [package for library, package in SYSTEM_LIBRARIES.items() if not find(library)]
    try:
        check_fonts()
    except MissingFonts:
        missing.append(FONT_PACKAGE)
    return missing


class MissingSystemPackages(MissingFonts):
    """System libraries or fonts missing (the message is Chinese)."""


def missing_message(missing: list[str], root_user: bool | None = None) -> str:
    root_user = os.geteuid() == 0 if root_user is None else root_user
    packages = " ".join(missing)
    if root_user:
        return f"本机缺少打印所需的系统软件（{packages}），请先运行 make print-deps 安装"
    return (f"本机缺少打印所需的系统软件（{packages}），当前用户无权安装：请系统管理员用 root 身份运行\n"
            f"  apt-get install -y --no-install-recommends {packages}\n安装好后再运行 make print")


def check_system() -> None:
    """Stop before any work when the machine cannot typeset (raises MissingSystemPackages)."""
    missing = missing_packages()
    if missing:
        raise MissingSystemPackages(missing_message(missing))


@dataclass
class Printed:
    path: Path
    title: str
    pages: int


@dataclass
class PrintRun:
    printed: list[Printed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # for the editor, in Chinese


def _book(root: Path, samples: bool) -> tuple[Book, PrintRun]:
    check_fonts()
    snap, problems = check_repository(root)
    found = errors(problems)
    if found:
        raise InputError(found)
    book = Book(root, snap, samples)
    run = PrintRun()
    if not book.base_url:
        run.notes.append("提醒：mkdocs.yml 未填写 site_url（网站的正式网址），印出的材料不带二维码。")
    elif book.local_address:
        run.notes.append(f"提醒：mkdocs.yml 的 site_url 仍是本机或内网地址（{book.base_url}），"
                         "二维码在手机上打不开；正式印制前请填写网站的正式网址。")
    return book, run


def _typeset(book: Book, template: str, target: Path, title: str, **context) -> Printed:
    config = site_config(book.root)
    extra = config.get("extra") or {}
    site = {"name": config.get("site_name", ""), "url": book.base_url,
            "department": extra.get("sponsor") or config.get("site_author", "")}
    try:
        html = environment(book).get_template(template).render(
            book=book, site=site, colophon=colophon(book.root), samples=book.samples, title=title, **context)
    except jinja2.TemplateNotFound as e:
        # A kind's own template is optional (print/_default.html.j2 stands in),
        # but the documents' and the default's are the project's: say which.
        missing = getattr(e, "templates", None) or [e.name]
        name = f"templates/{missing[-1]}"
        raise InputError([Problem(name, 1, "", f"缺少印制模板 {name}，无法印制“{title}”："
                                               "请从本项目复制该文件")]) from None
    root = book.root
    pages = write_pdf(html, target, base=root, allowed=[root],
                      stylesheet=root / STYLESHEET)
    return Printed(target, title, pages)


def _name(stem: str, samples: bool) -> str:
    return f"{stem}{SAMPLE_SUFFIX if samples else ''}.pdf"


def print_all(root: Path, out: Path | None = None, samples: bool = False) -> PrintRun:
    """The compilation and the film catalogue, into `out` (default dist/)."""
    check_system()
    out = out or root / "dist"
    book, run = _book(root, samples)
    run.printed.append(_typeset(book, "print/compilation.html.j2", out / _name(COMPILATION, samples),
                                "先进典型事迹材料汇编", parts=book.parts(), marked=samples))
    run.printed.append(_typeset(book, "print/catalogue.html.j2", out / _name(CATALOGUE, samples),
                                "专题片目录", films=book.films(), marked=samples))
    return run


def print_poster(root: Path, record_id: str, out: Path | None = None, samples: bool = False) -> PrintRun:
    """An A4 poster of one record, into `out` (default dist/)."""
    check_system()
    out = out or root / "dist"
    book, run = _book(root, samples)
    record = book.poster_record(record_id)
    run.printed.append(_typeset(book, "print/poster.html.j2", out / _name(f"poster-{record.id}", samples),
                                view.title(record), record=record, kind=record.kind, marked=record.is_sample))
    return run


def print_review_sheet(root: Path, sheet: dict, out: Path | None = None) -> PrintRun:
    """The 信息发布审核单 of one item (its facts: newsroom.audit.sheet), into
    `out` (default dist/)."""
    from .review_sheet import sheet_name, write_review_sheet
    check_system()
    target = (out or root / "dist") / sheet_name(sheet["kind"], sheet["rid"])
    pages = write_review_sheet(root, sheet, target)
    return PrintRun([Printed(target, f"信息发布审核单：{sheet['title']}", pages)])
