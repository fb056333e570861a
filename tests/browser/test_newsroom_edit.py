"""编辑稿件 in real Chromium: the newsroom run as an administrator runs it
(`python -m scripts.newsroom init`, `user add`, `serve`: gunicorn on
127.0.0.1) over a git copy of the test fixture's content; a contributor
signs in with their password, opens 编辑稿件, writes a news post in Decap's
real form and saves it. The post is in git, authored by the contributor,
as a draft; the page's own Content-Security-Policy blocks nothing Decap
needs, and no request leaves the newsroom."""
from __future__ import annotations

import re
import time
import urllib.parse

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.newsroom_server import ROOT, add_user, newsroom as run_newsroom, newsroom_env, serving
from tests.browser.decap_form import field, retype
from tests.newsroom.helpers import first_commit, git

pytestmark = pytest.mark.slow

TIMEOUT = 60_000
UNIT = "moguqi-dangwei"


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """The newsroom serving a fixture repository; (repo, address, password of lisi)."""
    from tests.conftest import Repo

    base = tmp_path_factory.mktemp("newsroom-edit")
    repo, data = base / "repo", base / "data"
    repo.mkdir()
    Repo(repo, with_content=True)
    first_commit(repo)
    env = newsroom_env(repo, data)
    run_newsroom(env, "init")
    password = add_user(env, "lisi", "撰稿", "李四", UNIT)
    with serving(env, base / "serve.log") as address:
        yield repo, address, password


def test_a_contributor_writes_a_news_post_in_the_browser(newsroom, browser):
    repo, address, password = newsroom
    ours = urllib.parse.urlsplit(address).netloc
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    requests, errors = [], []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(address + "edit/")
        assert "/login/" in page.url                       # behind the login
        page.get_by_label("账号").fill("lisi")
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/edit/"))
        page.get_by_role("button", name="进入编辑工作台").click()
        page.get_by_role("link", name="工作动态").first.click()
        page.get_by_role("link", name="新建工作动态").click()
        retype(field(page, "标题"), "支部开展主题党日活动")
        assert field(page, "状态").count() == 0           # the newsroom's, not the form's
        retype(field(page, "发布日期"), "2026-12-06")
        retype(field(page, "作者"), "李四")
        body = page.locator('[aria-label="markdown 输入项"] [contenteditable="true"]')
        body.click()
        page.keyboard.type("支部全体党员参加主题党日活动。")
        # The id follows the title, as `make new` makes it (pinyin), a moment after typing.
        expect(field(page, "编号")).to_have_value("zhibu-kaizhan-zhuti-dang-ri-huodong")
        page.get_by_role("button", name="保存", exact=True).first.click()
        page.get_by_text("保存", exact=True).last.click()       # the menu's “保存”
        page.wait_for_url(re.compile(r"/entries/[a-z0-9-]+$"))
        rid = page.url.rsplit("/", 1)[1]
        post = repo / f"content/news/posts/{rid}.md"
        end = time.monotonic() + 30
        while git(repo, "log", "-1", "--format=%an <%ae>") .strip() != "李四 <lisi@newsroom>":
            assert time.monotonic() < end, git(repo, "log", "-3", "--format=%an <%ae> %s")
            time.sleep(0.2)
        assert git(repo, "log", "-1", "--format=%s").strip() == "新增工作动态：支部开展主题党日活动"
        assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [post.relative_to(repo).as_posix()]
        data = yaml.safe_load(post.read_text(encoding="utf-8").split("---")[1])
        assert data["status"] == "draft" and data["author"] == "李四" and "review" not in data
        assert "支部全体党员参加主题党日活动。" in post.read_text(encoding="utf-8")
        # The preview pane: the record's check, and its item page to submit it from.
        pane = page.frame_locator("#preview-pane")
        pane.locator("#zlt-item-link").wait_for()
        assert "检查通过" in pane.locator("#zlt-problems").inner_text()
        assert pane.locator("#zlt-item-link").get_attribute("href") == f"/item/news/{rid}/"
        assert not [e for e in errors if e.strip() not in ("", "undefined")], errors

        # Meanwhile someone else changes the post: the later save is refused,
        # with who, and what changed, shown over the form; the file keeps theirs.
        theirs = post.read_text(encoding="utf-8").replace("支部全体党员", "全体党员和入党积极分子")
        post.write_text(theirs, encoding="utf-8")
        git(repo, "-c", "user.name=王五", "-c", "user.email=wangwu@newsroom", "commit", "-q", "-am", "王五修改")
        retype(field(page, "摘要"), "我后来补的摘要")
        page.get_by_role("button", name="保存", exact=True).first.click()
        page.get_by_text("保存", exact=True).last.click()
        notice = page.locator("#zlt-notice")
        notice.wait_for()
        text = notice.inner_text()
        assert "已被 编辑部 修改" in text and "+全体党员和入党积极分子" in text, text
        # No green “已保存到文件” of the save before beside the refusal.
        expect(page.locator(".Toastify__toast--success")).to_have_count(0)
        assert post.read_text(encoding="utf-8") == theirs
        assert not [e for e in errors if "Content Security Policy" in e], errors
        (ROOT / ".build" / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / ".build" / "screenshots" / "newsroom-edit-conflict.png"))
    finally:
        context.close()
    assert all(urllib.parse.urlsplit(u).netloc == ours for u in requests if u.startswith("http")), \
        [u for u in requests if urllib.parse.urlsplit(u).netloc != ours]
