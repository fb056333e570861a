"""Search index of the built site: Pagefind, run after mkdocs on the new site.

Pagefind's index is split into small chunks that the browser loads per query,
so the first search costs a couple of hundred KB even for thousands of pages;
its "extended" build segments Chinese and matches prefixes of words, so a word
inside a longer one (抢险 in 抗洪抢险) and part of a name (廷江) are found.
The dialog that queries it is templates/overrides/partials/search.html.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Index what a page says, not the header, tabs, sidebars and footer that every
# page repeats (they would make every page match 先进典型, 工作动态, …).
ROOT_SELECTOR = ".md-content"
EXCLUDE_SELECTORS = ".headerlink"


class SearchIndexError(RuntimeError):
    """Pagefind failed; the new site is not swapped in."""


def index_site(site: Path) -> None:
    """Write Pagefind's index into site/pagefind/."""
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--root-selector", ROOT_SELECTOR,
           "--exclude-selectors", EXCLUDE_SELECTORS, "--silent"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not (site / "pagefind" / "pagefind.js").exists():
        raise SearchIndexError("生成搜索索引（Pagefind）失败，网站未更新：\n"
                               + (done.stderr or done.stdout).strip())
