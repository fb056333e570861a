"""编辑指南.md, followed as an editor would: its `bash` blocks run in order in a
scratch copy of the repository, and its `markdown <path>` blocks are written
to that file (the editor typing in VS Code). Only `make serve` and `make edit`
(they run until Ctrl+C; tests/test_serve.py and tests/browser/test_workbench.py
cover them) and `git push` (no remote) are skipped. One of the editor's photos
comes from a phone, with its GPS position: the guide's `make clean-photos`
must remove it, or `make check` fails.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "编辑指南.md"
BLOCK_RE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)
SKIP = ("make serve", "make edit", "git push")
REPO_FILES = ("Makefile", "requirements.txt", "requirements-dev.txt", "mkdocs.yml", "网站设置.yml")
REPO_DIRS = ("scripts", "templates", "content", "exemplars", "wording")


def images(html: str) -> list[dict]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def steps():
    for lang, info, body in BLOCK_RE.findall(GUIDE.read_text(encoding="utf-8")):
        if lang == "bash":
            yield "run", [c for c in body.splitlines() if c.strip()]
        elif lang == "markdown" and info.strip():
            yield "write", (info.strip(), body)


def test_the_guide_names_real_commands_and_files():
    kinds = [k for k, _ in steps()]
    assert kinds.count("run") >= 4 and kinds.count("write") == 2


@pytest.mark.slow
def test_following_the_guide_puts_the_story_on_the_site(tmp_path):
    repo, home = tmp_path / "repo", tmp_path / "home"
    repo.mkdir()
    for name in REPO_FILES:
        shutil.copy2(ROOT / name, repo / name)  # keep mtimes: make must not reinstall
    for name in REPO_DIRS:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    (home / "照片").mkdir(parents=True)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    Image.new("RGB", (3000, 2000), (180, 40, 40)).save(home / "照片" / "支部活动.jpg", quality=95, exif=exif)
    Image.new("RGB", (1000, 1500), (40, 40, 180)).save(home / "照片" / "入户走访.jpg", quality=95)
    env = {**os.environ, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1",
           "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "start"], cwd=repo, check=True, env=env)

    outputs = []
    for kind, payload in steps():
        if kind == "write":
            rel, text = payload
            assert (repo / rel).exists(), f"指南要求编辑 {rel}，但前面的步骤没有建出这个文件"
            (repo / rel).write_text(text, encoding="utf-8")
            continue
        for command in payload:
            if command.startswith(SKIP):
                continue
            done = subprocess.run(command, shell=True, cwd=repo, env=env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
            outputs.append(done.stdout)

    assert any("检查通过" in out for out in outputs)
    page = (repo / "site/exemplars/units/moumou-cun-dangzhibu/index.html").read_text(encoding="utf-8")
    assert "某某村党支部" in page and "这里写事迹正文" in page
    imgs = {a["alt"]: a for a in images(page)}
    assert imgs["党支部书记在村委会向党员讲解政策"]["width"] == "1200"
    assert imgs["党支部书记在村委会向党员讲解政策"]["height"] == "800"
    assert (imgs["党员入户走访困难群众"]["width"], imgs["党员入户走访困难群众"]["height"]) == ("1000", "1500")
    listing = (repo / "site/exemplars/units/index.html").read_text(encoding="utf-8")
    assert 'href="moumou-cun-dangzhibu/"' in listing
    with Image.open(repo / "site/media/photos/moumou-cun-dangzhibu.jpg") as im:
        assert im.size == (1200, 800)
    log = subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True).stdout
    assert ("新增先进典型：某某村党支部；新增照片：moumou-cun-dangzhibu-2.jpg（某某村党支部）、"
            "moumou-cun-dangzhibu.jpg（某某村党支部）") in log
    assert not subprocess.run(["git", "status", "--porcelain", "--", "exemplars", "media"], cwd=repo,
                              capture_output=True, text=True).stdout
