"""The live preview tells the truth, in the browser: a page left open shows a
broken save's problem in a banner at its top (file, line, what to write), by
itself, and loses it once the file is fixed; a typo is shown while the page
updates; a deleted record's page is gone (issue 12, point 7)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts.editor.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
UNIT = "exemplars/units/moumou-cun-dangzhibu.md"
GOOD = "---\nname: 某某村党支部\nsector: 农村\nstatus: draft\n---\n\n## 基本情况\n\n正文第一段。\n"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def wait_status(url: str, code: int, timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if status(url) == code:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def preview(repo):
    repo.write(UNIT, GOOD)
    repo.write("exemplars/units/linshi.md", "---\nname: 临时党支部\nsector: 社区\n---\n正文。\n")
    port = free_port()
    log = open(repo.path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(repo.path), "serve",
                             "--address", f"127.0.0.1:{port}"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    base = f"http://127.0.0.1:{port}/"
    try:
        assert wait_status(base + "exemplars/units/moumou-cun-dangzhibu/", 200, 120), \
            (repo.path / "serve.log").read_text()
        yield repo, base
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_a_broken_save_shows_its_problem_on_the_open_page_and_a_fix_removes_it(preview, page):
    repo, base = preview
    page.goto(base + "exemplars/units/moumou-cun-dangzhibu/")
    assert page.locator("#zlt-preview-problems").count() == 0

    repo.write(UNIT, GOOD.replace("sector: 农村", "sector：农村"))
    banner = page.locator("#zlt-preview-problems")
    banner.wait_for(timeout=30_000)          # the open page reloads by itself
    text = banner.inner_text()
    assert "预览没有更新" in text and f"{UNIT}:3:" in text and "中文冒号" in text
    assert banner.get_attribute("role") == "alert"
    assert banner.bounding_box()["y"] < 50   # at the top of the page, where it is seen
    assert "正文第一段" in page.content()     # the last good content stays under it

    repo.write(UNIT, GOOD.replace("正文第一段", "正文风彩第一段"))
    page.wait_for_function("() => document.body.innerText.includes('风彩') && "
                           "(document.getElementById('zlt-preview-problems') || {}).innerText"
                           "?.includes('错别字')", timeout=30_000)
    text = page.locator("#zlt-preview-problems").inner_text()
    assert "风采" in text and "预览已更新" in text and f"{UNIT}:9:" in text

    repo.write(UNIT, GOOD.replace("正文第一段", "正文第二段"))
    page.wait_for_function("() => document.body.innerText.includes('正文第二段')", timeout=30_000)
    page.wait_for_function("() => !document.getElementById('zlt-preview-problems')", timeout=30_000)


def test_a_deleted_record_page_disappears(preview):
    repo, base = preview
    url = base + "exemplars/units/linshi/"
    assert status(url) == 200
    (repo.path / "exemplars/units/linshi.md").unlink()
    assert wait_status(url, 404, 30), (repo.path / "serve.log").read_text()
    with urllib.request.urlopen(base + "exemplars/units/", timeout=5) as r:
        assert "临时党支部" not in r.read().decode("utf-8")
