"""Every picture README.md and 编辑指南.md show is in the repository (tracked by
git), so that a fresh clone shows it: not a file that only a test run or a
build leaves behind (.build/ is not committed)."""
from __future__ import annotations

import re
import subprocess
from pathlib import PurePosixPath
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

DOCS = ["README.md", "编辑指南.md"]
# ![alt](path "title") and <img src="path">
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)


def images(text: str) -> list[str]:
    """The local pictures a Markdown text shows (not those from another host)."""
    found = [a or b for a, b in _MARKDOWN_IMAGE.findall(text)] + _HTML_IMAGE.findall(text)
    return [unquote(src.split("#")[0]) for src in found if not re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I)]


@pytest.fixture(scope="module")
def tracked() -> set[str]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    return set(out.decode().split("\0"))


def test_images_are_found_in_markdown_and_html():
    text = '![a](docs/a.png) ![b](<docs/b c.png> "t") <img src="x/y.svg" alt=""> ![c](https://h/c.png)'
    assert images(text) == ["docs/a.png", "docs/b c.png", "x/y.svg"]


@pytest.mark.parametrize("doc", DOCS)
def test_every_image_a_document_shows_is_in_the_repository(doc, tracked):
    shown = images((ROOT / doc).read_text(encoding="utf-8"))
    folder = PurePosixPath(doc).parent
    missing = [src for src in shown if str(PurePosixPath(folder, src)).removeprefix("./") not in tracked]
    assert missing == [], f"{doc} 引用的图片不在仓库中（git ls-files）：{missing}"


def test_the_editors_guide_shows_the_workbench():
    """The guide's pictures of the workbench are there (the test above would
    pass for a guide that shows none)."""
    shown = images((ROOT / "编辑指南.md").read_text(encoding="utf-8"))
    assert len([s for s in shown if "workbench" in s]) >= 4
