"""The offline bundle: unzipped and opened from file://, a reader browses and
searches, and nothing is requested from anywhere but the unzipped folder."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest


@pytest.fixture
def unzipped(full_repo, tmp_path):
    from scripts.build.pipeline import OFFLINE_NAME as NAME, build_offline

    bundle = build_offline(full_repo.path, full_repo.path / "dist" / f"{NAME}.zip")
    assert bundle.name.isascii() and bundle.parent.name == "dist"
    # The zip holds one folder; an old one is replaced whole, never half-written.
    with zipfile.ZipFile(bundle) as z:
        assert {n.split("/")[0] for n in z.namelist()} == {NAME}
        z.extractall(tmp_path / "unzipped")
    return tmp_path / "unzipped" / NAME


def test_offline_bundle_browses_and_searches_from_file(page, unzipped):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((unzipped / "index.html").as_uri())
    assert page.locator("h1").first.inner_text() == "扎兰屯党建网"

    page.get_by_role("link", name="先进典型", exact=True).first.click()
    assert page.url.endswith("/exemplars/units/index.html")
    page.get_by_role("link", name="城市综合执法局党委").first.click()
    assert page.url.endswith("/exemplars/units/chengshi-zonghe-zhifaju-dangwei.html")
    assert page.locator("h1").first.inner_text() == "城市综合执法局党委"

    page.get_by_role("link", name="专题片").first.click()
    page.get_by_role("link", name="希望的田野").first.click()
    assert page.url.endswith("/exemplars/videos/xiwang-de-tianye.html")
    assert "内蒙古电视台" in page.locator("article").inner_text()

    # Search: part of a name, from a page two folders deep.
    page.get_by_role("button", name="搜索").first.click()
    page.get_by_label("请输入要查找的字词").fill("廷江")
    first = page.locator(".zlt-search__results li:first-child a")
    first.wait_for()
    assert first.locator(".zlt-search__result-title").inner_text() == "刘廷江"
    first.click()
    assert page.url.endswith("/exemplars/members/liu-tingjiang.html")
    assert page.locator("h1").first.inner_text() == "刘廷江"

    # A word inside a longer word, and a word found nowhere.
    page.get_by_role("button", name="搜索").first.click()
    box = page.get_by_label("请输入要查找的字词")
    box.fill("法局")
    page.wait_for_selector(".zlt-search__results a[href$='chengshi-zonghe-zhifaju-dangwei.html']")
    box.fill("xyzzyq")
    page.wait_for_selector(".zlt-search__status:has-text('没有找到')")

    assert requests
    assert [u for u in requests if not u.startswith("file://")] == []


def test_make_offline_command_reports_in_chinese(root, full_repo, tmp_path):
    out = tmp_path / "bundle.zip"
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "offline",
                           "--out", str(out)], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "离线版已生成" in done.stdout and out.exists()
    # Bad input: the editors' message, no traceback, no zip.
    full_repo.write("exemplars/units/broken.md", "---\nname: 缺少领域的单位\nstatus: published\n---\n")
    out.unlink()
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "offline",
                           "--out", str(out)], capture_output=True, text=True, cwd=root)
    assert done.returncode == 1
    assert "exemplars/units/broken.md" in done.stderr and "离线版未生成" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
