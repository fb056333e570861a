"""Search index of the built site: Pagefind, run after mkdocs on the new site.

Pagefind's index is split into small chunks that the browser loads per query,
so the first search costs well under 200 KB even for thousands of pages.

Chinese has no spaces, and Pagefind splits it into words twice, differently:
at build time with its own dictionary, in the browser with the browser's. A
name it reads as one word (王廷江) is then not found by part of it (廷江). So
Pagefind is given each page's text with every Chinese character as a word of
its own, and the dialog (templates/overrides/assets/search/search.js) asks for
the query's characters as an exact phrase, i.e. next to each other in that
order: any Chinese word is found wherever it stands, inside longer words too.
"""
from __future__ import annotations

import fnmatch
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from .pagetext import page_text

# CJK ideographs (unified, extension A, compatibility).
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
# The same characters, each to itself between spaces: str.translate does in C
# what _HAN.sub(r" \1 ", …) does match by match (a fifth of indexing at 10,000 records).
_SPACED = {c: f" {chr(c)} " for a, b in ((0x3400, 0x4dbf), (0x4e00, 0x9fff), (0xf900, 0xfaff))
           for c in range(a, b + 1)}


# Pages that only gather what the records' own pages say. With thousands of
# records their text runs to megabytes, and a hit on one would download it all
# (a result's excerpt is cut from its whole text). The records' pages are found
# instead. Patterns of paths in the built site, with or without directory URLs.
NOT_INDEXED = ("404.html", "exemplars/units/index.html", "exemplars/members/index.html",
               "exemplars/videos/index.html", "honours.html", "honours/index.html",
               "news/index.html", "news/archive/*", "news/category/*", "news/page/*")


def indexed_pages(site: Path):
    """(path relative to the site, file) of every page a search should find."""
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if not rel.startswith("pagefind/") and not any(fnmatch.fnmatch(rel, p) for p in NOT_INDEXED):
            yield rel, page


class SearchIndexError(RuntimeError):
    """Pagefind failed; the new site is not swapped in."""


def spaced(text: str) -> str:
    """Every Chinese character as a word of its own: 刘廷江 → 刘 廷 江."""
    return " ".join(text.translate(_SPACED).split())


def index_page(title: str, text: str) -> str:
    """The stand-in page Pagefind indexes for one page of the site. The title
    is kept as written for display, and indexed spaced as an <h1>, which
    Pagefind ranks above the text."""
    if text.startswith(title):
        text = text[len(title):]
    return ('<!doctype html><html lang="zh"><body>'
            f'<div data-pagefind-ignore data-pagefind-meta="title">{html.escape(title)}</div>'
            f'<main data-pagefind-body><h1 data-pagefind-weight="10">{html.escape(spaced(title))}</h1>'
            f'<p>{html.escape(spaced(text))}</p></main></body></html>')


def index_site(site: Path, site_name: str) -> None:
    """Write Pagefind's index of the site's pages into site/pagefind/."""
    with tempfile.TemporaryDirectory(prefix="pagefind-") as tmp:
        for rel, page in indexed_pages(site):
            title, text = page_text(page.read_text(encoding="utf-8"))
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(index_page(title or site_name, text), encoding="utf-8")
        cmd = [sys.executable, "-m", "pagefind", "--site", tmp,
               "--output-path", str(site / "pagefind"), "--silent"]
        done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not (site / "pagefind" / "pagefind.js").exists():
        raise SearchIndexError("生成搜索索引（Pagefind）失败，网站未更新：\n"
                               + (done.stderr or done.stdout).strip())
