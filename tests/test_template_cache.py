"""Compiled templates are kept (render.TemplateCache: in memory and in
.build/jinja) and never served stale: after a template of the project or of
the theme overrides changes, the next build, in this process or a new one,
shows the change."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.build.pipeline import build_site

ROOT = Path(__file__).resolve().parent.parent


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_template_is_compiled_anew(full_repo):
    site = build_site(full_repo.path)
    kept = list((full_repo.path / ".build" / "jinja").iterdir())
    assert len(kept) >= 20, "the project's and the theme's templates are kept on disk"
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
