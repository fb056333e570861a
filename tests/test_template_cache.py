"""Compiled templates are kept (render.TemplateCache: in memory and in
.build/jinja) and never served stale: after a template of the project or of
the theme overrides changes, the next build, in this process or a new one,
shows the change."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import material

from scripts.build.pipeline import build_site
from scripts.render import template_cache
from tests.conftest import Repo

ROOT = Path(__file__).resolve().parent.parent


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def kept_on_disk(root: Path, name: str, filename: Path) -> bool:
    cache = template_cache(root)
    return (cache.folder / (cache.disk.pattern % cache.get_cache_key(name, str(filename)))).is_file()


def test_the_project_and_theme_templates_are_kept_for_every_repository(tmp_path):
    theme_base = Path(material.__file__).parent / "templates" / "base.html"
    for name in ("a", "b"):      # b in the same process: compiled already, in memory
        (tmp_path / name).mkdir()
        repo = Repo(tmp_path / name, with_content=True)
        build_site(repo.path)
        assert kept_on_disk(repo.path, "base.html", theme_base), name
        assert kept_on_disk(repo.path, "pages/sitemap.md.j2", repo.path / "templates" / "pages" / "sitemap.md.j2")


def test_an_edited_template_is_compiled_anew(full_repo):
    site = build_site(full_repo.path)
    assert "模板缓存测试" not in (site / "sitemap" / "index.html").read_text(encoding="utf-8")

    # A page template of the project and the theme override of every page.
    _edit(full_repo.path / "templates" / "pages" / "sitemap.md.j2", "{% set counts = {} %}",
          "模板缓存测试：页面模板\n\n{% set counts = {} %}")
    _edit(full_repo.path / "templates" / "overrides" / "main.html", "{% block site_meta %}",
          "{% block site_meta %}<!-- 模板缓存测试：主题模板 -->")
    site = build_site(full_repo.path)          # this process: the memory copy
    page = (site / "sitemap" / "index.html").read_text(encoding="utf-8")
    assert "模板缓存测试：页面模板" in page and "模板缓存测试：主题模板" in page

    _edit(full_repo.path / "templates" / "pages" / "sitemap.md.j2", "页面模板", "页面模板第二版")
    _edit(full_repo.path / "templates" / "overrides" / "main.html", "主题模板", "主题模板第二版")
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "build"],
                          cwd=ROOT, capture_output=True, text=True)   # a new process: the disk copy
    assert done.returncode == 0, done.stderr[-2000:]
    page = (full_repo.path / "site" / "sitemap" / "index.html").read_text(encoding="utf-8")
    assert "模板缓存测试：页面模板第二版" in page and "模板缓存测试：主题模板第二版" in page
