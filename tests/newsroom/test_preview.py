"""The live preview behind the newsroom's login (scripts/newsroom/preview.py):
the real `python -m scripts serve --no-reload` over a git copy of the test
fixture's content, reached through Django's own client as a browser would
reach it. Who sees which page, what a page without a session, a stopped
preview, HEAD and Range get, the framing headers of the preview's answers
and of the pages that frame them, and the editing pane waiting for the
preview to show a save."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from scripts.editor.record_file import record_text
from scripts.records.schema import schema_for
from scripts.newsroom import config as cfg, serverconf
from scripts.newsroom.preview import page_of
from tests.conftest import ROOT, Repo
from tests.newsroom.helpers import account, client_of, first_commit, git

pytestmark = pytest.mark.slow

UNIT_A, UNIT_B = "newsroom-test-a", "newsroom-test-b"
TITLE_A, TITLE_B = "测试甲党支部", "测试乙党支部"
STARTUP = 300          # seconds: the first build of the fixture's site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_draft(root: Path, kind_name: str, rid: str, data: dict, body: str = "正文。") -> str:
    kind = schema_for(root).kinds[kind_name]
    path = root / kind.path.replace("*", rid)
    path.write_text(record_text(kind, {**data, "status": "draft"}, body), encoding="utf-8")
    return path.relative_to(root).as_posix()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A repository with two units' drafts and its live preview, as `serve`
    starts it beside gunicorn; (root, data, preview address)."""
    base = tmp_path_factory.mktemp("newsroom-preview")
    root, data = base / "repo", base / "data"
    root.mkdir()
    Repo(root, with_content=True)
    (root / ".gitignore").write_text(".build/\n", encoding="utf-8")
    write_draft(root, "unit", UNIT_A, {"name": TITLE_A, "sector": "农村", "summary": "甲支部的草稿。"})
    write_draft(root, "unit", UNIT_B, {"name": TITLE_B, "sector": "社区", "summary": "乙支部的草稿。"})
    first_commit(root)
    conf = cfg.load({"NEWSROOM_REPO": str(root), "NEWSROOM_DATA": str(data)})
    cfg.make_data_folder(conf)
    address = f"127.0.0.1:{free_port()}"
    dep = serverconf.Deployment(server_name="newsroom.test", data=data, repo=root, static=base / "static",
                                preview=address)
    # The command of the generated systemd unit, as the server runs it.
    with open(base / "preview.log", "w") as log:
        proc = subprocess.Popen(serverconf.preview_command(dep), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, start_new_session=True)
    try:
        end = time.monotonic() + STARTUP
        while True:
            assert proc.poll() is None, (base / "preview.log").read_text(encoding="utf-8")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", int(address.rsplit(":", 1)[1]))) == 0:
                    break
            assert time.monotonic() < end, (base / "preview.log").read_text(encoding="utf-8")
            time.sleep(0.2)
        yield root, data, address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def room(site, db):
    root, data, address = site
    with override_settings(NEWSROOM_REPO=root, NEWSROOM_DATA=data, NEWSROOM_PREVIEW=address):
        yield root


@pytest.fixture
def people(room):
    return {
        "lisi": account("lisi", ["撰稿"], [UNIT_A], "李四"),
        "zhao": account("zhao", ["初审"], [], "赵一"),
        "editor": account("editor", ["编辑"], [], "吴七"),
    }


def url(path: str) -> str:
    return reverse("newsroom:preview", kwargs={"path": path})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def unit_page(rid: str) -> str:
    return url(f"exemplars/units/{rid}/")


def framed_by_us_only(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "frame-ancestors 'none'" not in policy, policy
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, policy   # the site's own
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "no-store"


def test_a_reviewer_sees_the_record_page_and_any_other(people):
    zhao = client_of(people["zhao"])
    page = zhao.get(unit_page(UNIT_B))
    assert page.status_code == 200, body(page)[:500]
    text = body(page).decode("utf-8")
    assert "<h1" in text and TITLE_B in text and "尚未发布" in text     # the draft, as the preview shows it
    framed_by_us_only(page)
    assert "/livereload" not in text and "_zlt/livereload.js" not in text   # --no-reload
    for other in ("", "exemplars/units/", "sitemap.xml"):
        assert zhao.get(url(other)).status_code == 200, other


def test_a_contributor_sees_their_own_records_pages_only(people):
    lisi = client_of(people["lisi"])
    own = lisi.get(unit_page(UNIT_A))
    page = body(own).decode("utf-8")
    assert own.status_code == 200 and TITLE_A in page
    # The same page by its other addresses: without the slash (the preview's redirect, kept in /preview/).
    bare = lisi.get(url(f"exemplars/units/{UNIT_A}"))
    assert bare.status_code == 302 and bare["Location"] == unit_page(UNIT_A)
    assert lisi.get(url(f"exemplars/units/{UNIT_A}/index.html")).status_code == 200
    # The site's own files, which every page needs.
    styles = re.findall(r'<link[^>]+href="([^"]+\.css)"', page)
    assert styles
    for href in styles[:3] + re.findall(r'<script[^>]+src="([^"]+)"', page)[:3]:
        asset = lisi.get(urljoin(unit_page(UNIT_A), href))     # as the browser resolves it
        assert asset.status_code == 200, href
    refused = [lisi.get(path) for path in (
        unit_page(UNIT_B), url(f"exemplars/units/{UNIT_B}/index.html"),    # another unit's draft
        url("exemplars/units/"), url(""), url("news/"),                     # lists and the home page
        url("search/meta.js"), url("sitemap.xml"),                          # the search index, the sitemap
        url(f"exemplars/units/{UNIT_A}/../{UNIT_B}/"))]                     # a way round
    for response in refused:
        assert response.status_code in (403, 404), response.request["PATH_INFO"]
        assert TITLE_B not in body(response).decode("utf-8")
    assert refused[0].status_code == 403 and "只能预览本单位稿件" in body(refused[0]).decode("utf-8")
    framed_by_us_only(refused[0])            # the refusal shows inside the frame


def test_without_a_session_the_login(room):
    anonymous = Client()
    response = anonymous.get(unit_page(UNIT_A))
    assert response.status_code == 302 and reverse("newsroom:login") in response["Location"]
    assert anonymous.head(unit_page(UNIT_A)).status_code == 302


def test_only_get_and_head(people):
    zhao = client_of(people["zhao"])
    assert zhao.post(unit_page(UNIT_A)).status_code == 405
    assert zhao.options(unit_page(UNIT_A)).status_code == 405


def test_a_stopped_preview_is_a_page_in_chinese(people):
    zhao = client_of(people["zhao"])
    with override_settings(NEWSROOM_PREVIEW=f"127.0.0.1:{free_port()}"):
        response = zhao.get(unit_page(UNIT_A))
        assert response.status_code == 503 and "预览暂时不可用" in body(response).decode("utf-8")
        framed_by_us_only(response)
        # The pane does not wait for a preview that cannot catch up.
        answer = client_of(people["editor"]).get(reverse("newsroom:edit_record"),
                                                 {"path": f"exemplars/units/{UNIT_A}.md"}).json()
        assert answer["ready"] is True


def test_head_and_range_pass_through(people):
    zhao = client_of(people["zhao"])
    page = zhao.get(unit_page(UNIT_A))
    full = body(page)
    head = zhao.head(unit_page(UNIT_A))
    assert head.status_code == 200 and body(head) == b"" and int(head["Content-Length"]) == len(full)
    # A file the way a film is fetched: ranges of its bytes.
    logo = url("assets/zlt/logo.svg")
    whole = body(zhao.get(logo))
    assert len(whole) > 40
    part = zhao.get(logo, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and body(part) == whole[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(whole)}" and part["Content-Length"] == "10"
    tail = zhao.get(logo, HTTP_RANGE="bytes=-7")
    assert tail.status_code == 206 and body(tail) == whole[-7:]
    rest = zhao.get(logo, HTTP_RANGE=f"bytes={len(whole) - 3}-")
    assert body(rest) == whole[-3:]
    beyond = zhao.get(logo, HTTP_RANGE=f"bytes={len(whole)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(whole)}"
    assert zhao.get(logo)["Accept-Ranges"] == "bytes"
    head = zhao.head(logo, HTTP_RANGE="bytes=0-4")
    assert head.status_code == 206 and head["Content-Length"] == "5" and body(head) == b""


def test_framing_headers_of_the_newsroom_pages(people):
    lisi = client_of(people["lisi"])
    mine = lisi.get(reverse("newsroom:mine"))
    assert "frame-ancestors 'none'" in mine["Content-Security-Policy"] and mine["X-Frame-Options"] == "DENY"
    edit = lisi.get(reverse("newsroom:edit"))
    policy = edit["Content-Security-Policy"]
    assert "frame-src 'self'" in policy and "frame-ancestors 'none'" in policy and edit["X-Frame-Options"] == "DENY"
    item = lisi.get(reverse("newsroom:item", args=["unit", UNIT_A]))
    policy = item["Content-Security-Policy"]
    assert "frame-src 'self'" in policy and "frame-ancestors 'none'" in policy and item["X-Frame-Options"] == "DENY"
    frame = re.search(r'<iframe src="([^"]+)"', item.content.decode("utf-8"))
    assert frame and frame[1] == unit_page(UNIT_A)
    assert f'href="{unit_page(UNIT_A)}" target="_blank"' in item.content.decode("utf-8")
    assert lisi.get(frame[1]).status_code == 200
    # Without a preview configured: no frame, and the strict policy.
    with override_settings(NEWSROOM_PREVIEW=""):
        item = lisi.get(reverse("newsroom:item", args=["unit", UNIT_A]))
        assert "<iframe" not in item.content.decode("utf-8") and "frame-src" not in item["Content-Security-Policy"]
        assert lisi.get(unit_page(UNIT_A)).status_code == 404
        assert lisi.get(reverse("newsroom:edit_info")).json()["preview"] == ""


def test_a_reviewers_item_page_frames_the_page(people):
    zhao = client_of(people["zhao"])
    item = zhao.get(reverse("newsroom:item", args=["unit", UNIT_B])).content.decode("utf-8")
    frame = re.search(r'<iframe src="([^"]+)"', item)
    assert frame and TITLE_B in body(zhao.get(frame[1])).decode("utf-8")


def test_the_list_page_of_a_kind_without_pages_is_for_reviewers(people, room):
    schema = schema_for(room)
    listed = next(k for k in schema.kinds.values() if k.is_list_file)
    some = next(p for p in sorted((room / listed.path).parent.glob(f"*{Path(listed.path).suffix}")))
    path = page_of(room, listed, some.stem)
    assert path.endswith(f"#{some.stem}") and path.startswith(listed.list_folder)
    zhao = client_of(people["zhao"])
    assert some.stem in body(zhao.get(url(path.split("#")[0]))).decode("utf-8")


class Session:
    """The editing page's calls, as workbench.js makes them (the CSRF token from api/info)."""

    def __init__(self, user):
        self.client = client_of(user, enforce_csrf_checks=True)
        info = self.client.get(reverse("newsroom:edit_info")).json()
        self.token, self.preview = info["csrf"], info["preview"]

    def call(self, action: str, **params):
        return self.client.post(reverse("newsroom:edit_api"), json.dumps({"action": action, "params": params}),
                                content_type="application/json", HTTP_X_CSRFTOKEN=self.token)

    def record(self, rel: str) -> dict:
        return self.client.get(reverse("newsroom:edit_record"), {"path": rel}).json()


def test_the_pane_waits_for_the_preview_then_shows_the_saved_page(people, room):
    rel = f"exemplars/units/{UNIT_A}.md"
    lisi = Session(people["lisi"])
    assert lisi.preview == url("")
    answer = lisi.record(rel)
    assert answer["ready"] and answer["url"] == unit_page(UNIT_A)
    assert answer["item"] == reverse("newsroom:item", args=["unit", UNIT_A])
    raw = lisi.call("getEntry", path=rel).json()["data"]
    new_title = "测试甲党支部（改名后）"
    saved = lisi.call("persistEntry", dataFiles=[{"path": rel, "raw": raw.replace(TITLE_A, new_title),
                                                  "slug": UNIT_A}], assets=[], options={})
    try:
        assert saved.status_code == 200, saved.content.decode()
        # Right after the save the preview has not read it yet: the pane waits.
        assert lisi.record(rel)["ready"] is False
        end = time.monotonic() + 60
        while not (answer := lisi.record(rel))["ready"]:
            assert time.monotonic() < end, "the preview never caught up with the save"
            time.sleep(0.2)
        assert answer["problems"] == [] or all(p["level"] != "error" for p in answer["problems"]), answer
        assert new_title in body(lisi.client.get(answer["url"])).decode("utf-8")
    finally:
        # The module's other tests see the repository as it was.
        git(room, "revert", "--no-edit", "HEAD")
        end = time.monotonic() + 60
        while not lisi.record(rel)["ready"]:
            assert time.monotonic() < end
            time.sleep(0.2)


def test_a_contributor_gets_no_frame_for_a_list_page(people, room):
    """A kind without pages of its own shows on its list, among other units'
    drafts: the pane gives the contributor no page, and the item link."""
    schema = schema_for(room)
    listed = next(k for k in schema.kinds.values() if k.is_list_file and k.name in ("sms",))
    rid = "newsroom-test-sms"
    write_draft(room, listed.name, rid, {"text": "甲支部的红色短信。", "author": "李四", "unit": UNIT_A})
    try:
        rel = listed.path.replace("*", rid)
        editor, end = client_of(people["editor"]), time.monotonic() + 60
        while not (answer := editor.get(reverse("newsroom:edit_record"), {"path": rel}).json())["ready"]:
            assert time.monotonic() < end, "the preview never caught up"
            time.sleep(0.2)
        assert answer["url"].startswith(url(listed.list_folder)) and answer["url"].endswith(f"#{rid}")
        answer = client_of(people["lisi"]).get(reverse("newsroom:edit_record"), {"path": rel}).json()
        assert answer["ready"] and answer["url"] == "" and answer["item"] == reverse("newsroom:item",
                                                                                     args=[listed.name, rid])
    finally:
        (room / listed.path.replace("*", rid)).unlink()


@pytest.mark.parametrize("value", ["0.0.0.0:8701", "192.168.1.5:8701", "example.org:80", "127.0.0.1", "127.0.0.1:0",
                                   "127.0.0.1:http"])
def test_the_setting_takes_loopback_addresses_only(tmp_path, value):
    with pytest.raises(cfg.ConfigError, match="只能监听本机地址"):
        cfg.load({"NEWSROOM_REPO": str(ROOT), "NEWSROOM_DATA": str(tmp_path), "NEWSROOM_PREVIEW": value})


def test_the_old_setting_is_refused_with_the_new_one_named(tmp_path):
    for value in ("127.0.0.1:8701", "[::1]:8701"):
        conf = cfg.load({"NEWSROOM_REPO": str(ROOT), "NEWSROOM_DATA": str(tmp_path), "NEWSROOM_PREVIEW": value})
        assert conf.preview == value
    with pytest.raises(cfg.ConfigError, match="NEWSROOM_PREVIEW=127.0.0.1"):
        cfg.load({"NEWSROOM_REPO": str(ROOT), "NEWSROOM_DATA": str(tmp_path),
                  "NEWSROOM_PREVIEW_URL": "http://127.0.0.1:8000/"})


def test_deploy_config_makes_the_preview_a_service(tmp_path):
    def run(*args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
        return subprocess.run([sys.executable, "-m", "scripts.newsroom", "deploy-config", "--out", str(tmp_path / "out"),
                               "--server-name", "newsroom.test", "--repo", str(tmp_path / "repo"), *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    done = run("--preview", "127.0.0.1:8777")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    unit = (out / "zhalantun-newsroom-preview.service").read_text(encoding="utf-8")
    start = [line for line in unit.splitlines() if line.startswith("ExecStart=")][0]
    assert start.endswith(f"-m scripts --root {tmp_path / 'repo'} serve --address 127.0.0.1:8777 --no-reload")
    assert "Restart=on-failure" in unit and "User=zlt-newsroom" in unit
    assert "NEWSROOM_PREVIEW=127.0.0.1:8777" in (out / "zhalantun-newsroom.env").read_text(encoding="utf-8")
    assert "Wants=zhalantun-newsroom-preview.service" in (out / "zhalantun-newsroom.service").read_text(encoding="utf-8")
    nginx = (out / "zhalantun-newsroom.conf").read_text(encoding="utf-8")
    block = nginx[nginx.index("location /preview/"):]
    assert 'X-Frame-Options "SAMEORIGIN"' in block[:block.index("}")]
    assert nginx.count('X-Frame-Options "SAMEORIGIN"') == 1
    refused = run("--preview", "0.0.0.0:8701")
    assert refused.returncode == 1 and "只能监听本机地址" in refused.stderr and "Traceback" not in refused.stderr
    for f in out.iterdir():
        f.unlink()
    assert run("--no-preview").returncode == 0
    assert not (out / "zhalantun-newsroom-preview.service").exists()
    assert "NEWSROOM_PREVIEW" not in (out / "zhalantun-newsroom.env").read_text(encoding="utf-8")
    assert "/preview/" not in (out / "zhalantun-newsroom.conf").read_text(encoding="utf-8")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_runs_the_preview_beside_gunicorn_and_stops_both(site, tmp_path):
    root = tmp_path / "repo"          # a preview of its own: not the module's repository's .build/
    shutil.copytree(site[0], root, ignore=shutil.ignore_patterns(".build"))
    port, preview_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    env.update(NEWSROOM_REPO=str(root), NEWSROOM_DATA=str(tmp_path / "data"), NEWSROOM_SECRET_KEY="x" * 50,
               NEWSROOM_PREVIEW=f"127.0.0.1:{preview_port}", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "scripts.newsroom", "serve", "--address", f"127.0.0.1:{port}"]
    with socket.socket() as taken:        # the preview's address in use: said, nothing started
        taken.bind(("127.0.0.1", preview_port))
        taken.listen()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "NEWSROOM_PREVIEW" in done.stderr and "Traceback" not in done.stderr
        assert not _listening(port)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        end = time.monotonic() + STARTUP
        while not (_listening(port) and _listening(preview_port)):
            assert proc.poll() is None and time.monotonic() < end, proc.stdout.read()
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)        # as systemd or a terminal stops it: the parent only
        assert proc.wait(30) == 0
        end = time.monotonic() + 10
        while _listening(port) or _listening(preview_port):
            assert time.monotonic() < end, "a server outlived serve"
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
