"""scripts/render/paths.py: relative paths as posixpath.relpath gives them, and page URLs as MkDocs writes them."""
from __future__ import annotations

import posixpath

from hypothesis import given, strategies as st

from scripts.render.paths import html_page_url, relative_path

_part = st.sampled_from(["a", "b", "exemplars", "units", "x.md", "index.md", "新闻", "page", "2"])
_path = st.lists(_part, max_size=4).map("/".join)


@given(_path, _path)
def test_same_as_relpath(target, start):
    if not target:
        target = "index.md"
    assert relative_path(target, start) == posixpath.relpath(target, start or ".")


def test_examples():
    assert relative_path("exemplars/units/a.md", "exemplars/members") == "../units/a.md"
    assert relative_path("assets/qr/unit/a.svg", "exemplars/units/a") == "../../../assets/qr/unit/a.svg"
    assert relative_path("index.md", "") == "index.md"
    assert relative_path("a/b", "a/b") == "."
    assert relative_path("../x", "a") == posixpath.relpath("../x", "a")


def test_page_urls_are_the_ones_mkdocs_writes_for_links():
    """Directory URLs on the web (x.md at x/), files in the offline bundle (x.html)."""
    assert html_page_url("exemplars/members/m.md", "exemplars/units/a.md", True) == "../../members/m/"
    assert html_page_url("exemplars/units/index.md", "exemplars/units/a.md", True) == "../"
    assert html_page_url("exemplars/units/s.md", "exemplars/units/index.md", True) == "s/"
    assert html_page_url("index.md", "exemplars/units/index.md", True) == "../../"
    assert html_page_url("index.md", "index.md", True) == "./"
    assert html_page_url("exemplars/members/m.md", "exemplars/units/a.md", False) == "../members/m.html"
    assert html_page_url("exemplars/units/index.md", "index.md", False) == "exemplars/units/index.html"
