"""The theme's faster partials (templates/overrides/partials/nav.html, tabs.html
and languages/zh.html: the menu, the channel bar and the theme's Chinese strings)
give Material's own markup, and a record page's hidden table of contents is left
empty (main.html): the fixture's Markdown, built once with the project's
overrides and once with Material's stock partials in their place, gives the
same pages, white space aside, except that hidden sidebar."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAST_PARTIALS = ("partials/nav.html", "partials/tabs.html", "partials/languages/zh.html")
_SECONDARY = re.compile(r'<div class="md-sidebar md-sidebar--secondary".*?(?=<div id="zlt-main")', re.S)
_PRIMARY = re.compile(r'<div class="md-sidebar md-sidebar--primary".*?(?=<div class="md-sidebar md-sidebar--secondary")',
                      re.S)
_TABS = re.compile(r'<nav class="md-tabs".*?</nav>', re.S)


def squeeze(html: str) -> str:
    """Markup without the white space around tags and at the end of attributes."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).replace(' ">', '">').replace(" >", ">")


# partials/nav.html names a section's list by its title (aria-label) where
# Material names it by an icon-only toggle (aria-labelledby): the one
# difference allowed, checked for what it says by test_section_lists_are_named.
_SUBNAV_NAME = re.compile(r'(<nav class="md-nav" data-md-level="[1-9]\d*") aria-label(?:ledby)?="[^"]*"')


def same_but_names(html: str) -> str:
    return _SUBNAV_NAME.sub(r"\1", squeeze(html))


@pytest.fixture(scope="module")
def stock_site(built_site, tmp_path_factory) -> Path:
    """The same generated Markdown, built with Material's own partials."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    work = tmp_path_factory.mktemp("stock-nav")
    overrides = work / "overrides"
    shutil.copytree(ROOT / "templates" / "overrides", overrides)
    for name in FAST_PARTIALS:
        (overrides / name).unlink()
    repo = built_site.parent
    config = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("custom_dir: templates/overrides", f"custom_dir: {overrides}")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copyfile(repo / "网站设置.yml", work / "网站设置.yml")
    site = work / "site"
    from scripts.build.plugin import register
    from scripts.build.swap import source_date_epoch

    # The project's plugin (the model's menu, the feed's name), as every build has it.
    config = load_config(str(work / "mkdocs.yml"), docs_dir=str(repo / ".build" / "docs"), site_dir=str(site))
    register(config)
    with source_date_epoch(repo):   # the dates the project's build gives its pages
        build(config)
    return site


def test_every_page_is_materials_markup(built_site, stock_site):
    pages = sorted(p.relative_to(built_site) for p in built_site.rglob("*.html") if "search" not in p.parts)
    assert len(pages) > 20
    hidden_tocs = 0
    for rel in pages:
        ours = (built_site / rel).read_text(encoding="utf-8")
        stock = (stock_site / rel).read_text(encoding="utf-8")
        for part in (_PRIMARY, _TABS):
            mine, theirs = part.search(ours), part.search(stock)
            assert (mine is None) == (theirs is None), rel
            if mine:
                assert same_but_names(mine.group(0)) == same_but_names(theirs.group(0)), f"{rel}: {part.pattern[:30]}"
        # Everything else is the same, but a hidden table of contents is empty.
        toc_ours, toc_stock = _SECONDARY.search(ours).group(0), _SECONDARY.search(stock).group(0)
        if " hidden>" in toc_stock.split(">", 1)[0] + ">":
            hidden_tocs += 1
            assert 'data-md-component="toc"' not in toc_ours
        else:
            assert squeeze(toc_ours) == squeeze(toc_stock), rel
        assert same_but_names(_SECONDARY.sub("", ours)) == same_but_names(_SECONDARY.sub("", stock)), rel
    assert hidden_tocs > 0


def test_section_lists_are_named_by_their_title(built_site):
    """Every list of a section in the menu is a navigation landmark with a name
    of its own: its section's title and 栏目 (an icon-only toggle names
    nothing; the table of contents names its lists by the bare heading)."""
    html = (built_site / "index.html").read_text(encoding="utf-8")
    subnavs = re.findall(r'<nav class="md-nav" data-md-level="1" ([^>]*)>\s*<label class="md-nav__title"[^>]*>'
                         r'\s*<span class="md-nav__icon md-icon"></span>\s*([^<]+?)\s*</label>', html)
    assert len(subnavs) >= 2
    for attrs, title in subnavs:
        named = re.search(r'aria-label="([^"]*)"', attrs)
        labelled = re.search(r'aria-labelledby="([^"]*)"', attrs)
        if named:
            assert named.group(1) == f"{title}栏目"
        else:  # named by a toggle that carries the title as its text
            toggle = re.search(rf'<label[^>]*id="{labelled.group(1)}"[^>]*>(.*?)</label>', html, re.S).group(1)
            assert title in toggle


def test_the_features_are_the_ones_the_fast_menu_knows():
    """navigation.sections, .prune, .expand and toc.integrate change Material's
    menu markup in ways partials/nav.html does not reproduce: turning one on
    means removing the two partials (and this test) first."""
    from scripts.site_config import site_config

    features = set(site_config(ROOT)["theme"].get("features") or [])
    assert not features & {"navigation.sections", "navigation.prune", "navigation.expand", "toc.integrate"}
