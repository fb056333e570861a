"""The project's mkdocs plugin (scripts/build/plugin.py), in a real mkdocs
build: the model's menu entries in the nav, progress messages for a long
build; compiled templates kept is tests/test_template_cache.py's."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from scripts.build.pipeline import generate, mkdocs_build
from scripts.records.schema import schema_for
from scripts.render.navigation import nav_for
from scripts.site_config import site_config
from tests.conftest import Repo

pytestmark = pytest.mark.slow


def tabs(page: Path) -> list[str]:
    """The labels of Material's channel bar (navigation.tabs) on a page."""
    html = page.read_text(encoding="utf-8")
    bar = re.search(r'<nav class="md-tabs".*?</nav>', html, re.S)
    assert bar, page
    return [re.sub(r"<[^>]+>", "", label).strip()
            for label in re.findall(r'<a href="[^"]*" class="md-tabs__link[^"]*">(.*?)</a>', bar[0], re.S)]


def test_a_build_has_the_models_menu_and_tells_its_progress(tmp_path, capsys):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    docs = tmp_path / "docs"
    generate(repo.path, docs)
    own = site_config(repo.path).get("nav") or []
    wanted = nav_for(schema_for(repo.path), copy.deepcopy(own), docs_dir=docs)   # the columns written
    added = [next(iter(item)) for item in wanted[len(own):] if isinstance(item, dict)]
    assert added, "the model names no menu entry: nothing to test"

    capsys.readouterr()
    config = mkdocs_build(repo.path, docs, tmp_path / "site", pages=1000)
    assert config.nav == wanted
    shown = tabs(tmp_path / "site" / "index.html")
    assert all(label in shown for label in added), (added, shown)
    # Long builds say how far they got (the first step of each stage at least).
    err = capsys.readouterr().err
    assert "正在转换页面 1/1000" in err and "正在生成网页 1/1000" in err, err

    # mkdocs alone (the same configuration, without the plugin) has only mkdocs.yml's nav:
    # the menu above is the plugin's doing.
    plain = load_config(str(repo.path / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "plain"))
    build(plain)
    assert not any(label in tabs(tmp_path / "plain" / "index.html") for label in added)


def test_a_small_build_is_quiet_and_the_nav_is_not_doubled(tmp_path, capsys):
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    docs = tmp_path / "docs"
    generate(repo.path, docs)
    capsys.readouterr()
    config = mkdocs_build(repo.path, docs, tmp_path / "site")
    assert "正在" not in capsys.readouterr().err
    # The configuration built again (as the preview does) keeps one copy of each entry.
    nav = copy.deepcopy(config.nav)
    assert config.plugins.on_config(config).nav == nav
