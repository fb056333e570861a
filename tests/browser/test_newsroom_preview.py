"""The real page beside the form and for reviewers, in real Chromium: the
newsroom run as an administrator runs it (`init`, `user add`, `serve`, which
starts the live preview of NEWSROOM_PREVIEW beside gunicorn) over a git copy
of the test fixture's content. A contributor writes a news post in Decap's
form and saves it: the frame beside the form shows its page, then its new
title after the next save, within a bound. A reviewer's item page frames
the same page. No Content-Security-Policy refusal (framing included), no
request leaves the newsroom."""
from __future__ import annotations

import re
import socket
import time
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.browser.decap_form import field, retype, save
from tests.browser.newsroom_server import ROOT, add_user, newsroom as run_newsroom, newsroom_env, serving
from tests.newsroom.helpers import first_commit, hand_reviewed_to_drafts
from scripts.dev.nginx_server import free_port

pytestmark = pytest.mark.slow

TIMEOUT = 60_000
SHOWN_WITHIN = 20        # seconds from a save to its page in the frame (the fixture's size)
UNIT = "moguqi-dangwei"


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """(address, passwords by account, log of serve)."""
    from tests.conftest import Repo

    base = tmp_path_factory.mktemp("newsroom-preview-browser")
    repo, data = base / "repo", base / "data"
    repo.mkdir()
    Repo(repo, with_content=True)
    hand_reviewed_to_drafts(repo)
    (repo / ".gitignore").write_text(".build/\n", encoding="utf-8")
    first_commit(repo)
    preview_port = free_port()
    env = newsroom_env(repo, data, NEWSROOM_PREVIEW=f"127.0.0.1:{preview_port}")
    run_newsroom(env, "init")
    passwords = {"lisi": add_user(env, "lisi", "撰稿", "李四", UNIT), "zhao": add_user(env, "zhao", "初审", "赵一")}
    log = base / "serve.log"
    with serving(env, log) as address:
        end = time.monotonic() + 300
        while socket.socket().connect_ex(("127.0.0.1", preview_port)) != 0:      # started by serve
            assert time.monotonic() < end, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        yield address, passwords, log


def signed_in(browser, address: str, account: str, password: str, path: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    watched = {"requests": [], "errors": []}
    context.on("request", lambda r: watched["requests"].append(r.url))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda e: watched["errors"].append(str(e)))
    page.on("console", lambda m: watched["errors"].append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(address + path)
    page.get_by_label("账号").fill(account)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return context, page, watched


def framed_h1(frame) -> str:
    return frame.locator("h1").first.inner_text()


def test_the_frame_beside_the_form_shows_the_saved_page(newsroom, browser):
    address, passwords, log = newsroom
    context, page, watched = signed_in(browser, address, "lisi", passwords["lisi"], "edit/")
    try:
        page.get_by_role("button", name="进入编辑工作台").click()
        page.get_by_role("link", name="工作动态").first.click()
        page.get_by_role("link", name="新建工作动态").click()
        retype(field(page, "标题"), "支部开展预览测试活动")
        retype(field(page, "发布日期"), "2026-12-06")
        retype(field(page, "作者"), "李四")
        page.locator('[aria-label="markdown 输入项"] [contenteditable="true"]').click()
        page.keyboard.type("支部全体党员参加活动。")
        expect(field(page, "编号")).to_have_value(re.compile(r"^zhibu-"))     # it follows the title
        save(page)
        page.wait_for_url(re.compile(r"/entries/[a-z0-9-]+$"))
        rid = page.url.rsplit("/", 1)[1]
        pane = page.frame_locator("#preview-pane")
        frame = pane.frame_locator("#zlt-preview-frame")
        frame.locator("h1", has_text="支部开展预览测试活动").first.wait_for(timeout=SHOWN_WITHIN * 1000)
        assert pane.locator("#zlt-item-link").get_attribute("href") == f"/item/news/{rid}/"
        src = pane.locator("#zlt-preview-frame").get_attribute("src")
        assert src.startswith(f"/preview/news/{rid}/?v="), src
        assert "尚未发布" in frame.locator("body").inner_text()          # a draft, as the preview marks it

        # Saved again with a new title: the frame reloads once the preview has caught up.
        retype(field(page, "标题"), "支部开展预览测试活动（修改后）")
        started = time.monotonic()
        save(page)
        frame.locator("h1", has_text="（修改后）").first.wait_for(timeout=SHOWN_WITHIN * 1000)
        print(f"save → new title in the frame: {time.monotonic() - started:.1f} s")
        (ROOT / ".build" / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / ".build" / "screenshots" / "newsroom-edit-preview.png"))
        assert not watched["errors"] or not [e for e in watched["errors"] if e.strip() not in ("", "undefined")], \
            watched["errors"]
    finally:
        context.close()
    ours = urllib.parse.urlsplit(address).netloc
    assert all(urllib.parse.urlsplit(u).netloc == ours for u in watched["requests"] if u.startswith("http")), \
        [u for u in watched["requests"] if urllib.parse.urlsplit(u).netloc != ours]


def test_a_reviewers_item_page_frames_the_page(newsroom, browser):
    address, passwords, log = newsroom
    path = f"item/unit/{UNIT}/"
    context, page, watched = signed_in(browser, address, "zhao", passwords["zhao"], path)
    try:
        title = page.locator("h1").first.inner_text()
        frame = page.frame_locator("#preview-frame")
        frame.locator("h1", has_text=title).first.wait_for()
        assert page.locator("#preview-link").get_attribute("target") == "_blank"
        assert page.locator("#preview-link").get_attribute("href") == f"/preview/exemplars/units/{UNIT}/"
        (ROOT / ".build" / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / ".build" / "screenshots" / "newsroom-item-preview.png"), full_page=True)
        assert not [e for e in watched["errors"] if e.strip() not in ("", "undefined")], watched["errors"]
    finally:
        context.close()
