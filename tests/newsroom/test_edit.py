"""编辑稿件 (/edit/): the workbench's forms behind the newsroom's login, with
Decap's requests as Decap sends them (POST JSON to the backend, with the
CSRF token the page's script adds). Refused requests leave the files and git
as they were; each accepted save is one commit authored by the person."""
from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path, PurePosixPath

import pytest
from django.test import Client
from django.urls import reverse
import yaml
from PIL import Image

from scripts.check.photos_gps import has_location
from scripts.newsroom import repository

from tests.newsroom.helpers import account, act, client_of, git

UNIT_A = "exemplars/units/newsroom-test-a.md"
UNIT_B = "exemplars/units/newsroom-test-b.md"


@pytest.fixture
def drafts(newsroom):
    newsroom.draft("unit", "newsroom-test-a", {"name": "测试甲党支部", "sector": "农村", "summary": "甲支部的草稿。"})
    newsroom.draft("unit", "newsroom-test-b", {"name": "测试乙党支部", "sector": "社区", "summary": "乙支部的草稿。"})
    return newsroom


@pytest.fixture
def people(drafts):
    return {
        "lisi": account("lisi", ["撰稿"], ["newsroom-test-a"], "李四"),
        "wang": account("wang", ["撰稿"], ["newsroom-test-b"], "王五"),
        "editor": account("editor", ["编辑"], [], "吴七"),
        "zhao": account("zhao", ["初审"], [], "赵一"),
        "qian": account("qian", ["复审"], [], "钱二"),
    }


class Session:
    """A browser's session on /edit/: the CSRF token from /edit/api/info, as
    workbench.js takes it, sent as X-CSRFToken with each of Decap's actions."""

    def __init__(self, user):
        self.client = client_of(user, enforce_csrf_checks=True)
        info = self.client.get(reverse("newsroom:edit_info"))
        assert info.status_code == 200, info.content.decode()
        self.token = info.json()["csrf"]

    def call(self, action: str, **params):
        return self.client.post(reverse("newsroom:edit_api"), json.dumps({"action": action, "params": params}),
                                content_type="application/json", HTTP_X_CSRFTOKEN=self.token)

    def open(self, rel: str) -> str:
        """The record's text as the form gets it (getEntry)."""
        response = self.call("getEntry", path=rel)
        assert response.status_code == 200, response.content.decode()
        return response.json()["data"]

    def save(self, rel: str, raw: str, assets=(), new_path=None):
        entry = {"path": rel, "raw": raw, "slug": PurePosixPath(rel).stem}
        if new_path:
            entry["newPath"] = new_path
        return self.call("persistEntry", dataFiles=[entry], assets=list(assets), options={})


def error(response) -> str:
    return response.json()["error"]


def photo_with_location() -> bytes:
    im = Image.new("RGB", (64, 48), (180, 30, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_without_a_session_every_call_is_refused(drafts):
    anonymous = Client(enforce_csrf_checks=True)
    before = drafts.log()
    page = anonymous.get(reverse("newsroom:edit"))
    assert page.status_code == 302 and reverse("newsroom:login") in page["Location"]
    assert anonymous.get(reverse("newsroom:edit_file", args=["decap-cms.js"])).status_code == 302
    for name in ("edit_info", "edit_records", "edit_new_id"):
        response = anonymous.get(reverse(f"newsroom:{name}"))
        assert response.status_code == 403 and "登录" in error(response), name
    assert anonymous.get(reverse("newsroom:edit_record"), {"path": UNIT_A}).status_code == 403
    for action, params in (("getEntry", {"path": UNIT_A}), ("entriesByFolder", {"folder": "exemplars/units",
                                                                                 "extension": "md"}),
                           ("persistEntry", {"dataFiles": [{"path": UNIT_A, "raw": "---\nname: 改\n---\n"}]}),
                           ("deleteFile", {"path": UNIT_A})):
        response = anonymous.post(reverse("newsroom:edit_api"), json.dumps({"action": action, "params": params}),
                                  content_type="application/json")
        assert response.status_code == 403, action
    assert drafts.log() == before and "甲支部的草稿" in drafts.read(UNIT_A)


def test_a_post_without_the_csrf_token_is_refused(people, drafts):
    session = Session(people["lisi"])
    raw = session.open(UNIT_A).replace("甲支部的草稿", "改过的摘要")
    before = drafts.log()
    bare = session.client.post(reverse("newsroom:edit_api"),
                               json.dumps({"action": "persistEntry", "params": {"dataFiles": [{"path": UNIT_A, "raw": raw}]}}),
                               content_type="application/json")
    assert bare.status_code == 403
    assert "安全校验" in bare.content.decode()
    forged = session.client.post(reverse("newsroom:edit_api"), json.dumps({"action": "getEntry", "params": {"path": UNIT_A}}),
                                 content_type="application/json", HTTP_X_CSRFTOKEN="x" * 64)
    assert forged.status_code == 403
    assert drafts.log() == before and "甲支部的草稿" in drafts.read(UNIT_A)
    assert session.save(UNIT_A, raw).status_code == 200
    assert "改过的摘要" in drafts.read(UNIT_A)


def test_only_contributors_and_editors_edit(people):
    reviewer = client_of(people["zhao"])
    page = reviewer.get(reverse("newsroom:edit"))
    assert page.status_code == 403 and "撰稿" in page.content.decode()
    assert reviewer.get(reverse("newsroom:edit_info")).status_code == 403


def test_the_page_is_the_workbench_with_its_own_policy(people):
    client = client_of(people["lisi"])
    page = client.get(reverse("newsroom:edit"))
    assert page.status_code == 200
    html = b"".join(page.streaming_content).decode()
    assert "decap-cms.js" in html and "workbench.js" in html
    policy = page["Content-Security-Policy"]
    assert "'unsafe-eval'" in policy and "frame-ancestors 'none'" in policy and "connect-src 'self' blob:" in policy
    assert page["X-Frame-Options"] == "DENY"
    script = client.get(reverse("newsroom:edit_file", args=["decap-cms.js"]))
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert client.get(reverse("newsroom:edit_file", args=["Makefile.js"])).status_code == 404
    # The newsroom's own pages keep their strict policy.
    mine = client.get(reverse("newsroom:mine"))
    assert "unsafe-eval" not in mine["Content-Security-Policy"] and "编辑稿件" in mine.content.decode()
    config = client.get(reverse("newsroom:edit_config")).content.decode()
    assert f"proxy_url: {reverse('newsroom:edit_api')}" in config
    assert not re.search(r"name: (status|review)$", config, re.M)


def test_a_contributor_reads_and_writes_only_their_units(people, drafts):
    lisi = Session(people["lisi"])
    listed = lisi.call("entriesByFolder", folder="exemplars/units", extension="md").json()
    paths = {e["file"]["path"] for e in listed}
    assert UNIT_A in paths and UNIT_B not in paths
    refused = lisi.call("getEntry", path=UNIT_B)
    assert refused.status_code == 403 and "本单位" in error(refused)
    record = client_of(people["lisi"]).get(reverse("newsroom:edit_record"), {"path": UNIT_B})
    assert record.status_code == 403

    wang = Session(people["wang"])
    raw_b = wang.open(UNIT_B)
    before = drafts.log()
    written = lisi.save(UNIT_B, raw_b.replace("乙支部的草稿", "别的单位改的"))
    assert written.status_code == 403 and "不属于您所在的单位" in error(written)
    # A new record for another unit is refused; for their own, written.
    member = "exemplars/members/newsroom-test-member.md"
    raw = "---\nid: newsroom-test-member\nname: 测试党员\nunit: {unit}\nsummary: 测试。\n---\n\n事迹。\n"
    other = lisi.save(member, raw.format(unit="newsroom-test-b"))
    assert other.status_code == 403 and "不属于您所在的单位" in error(other)
    assert not (drafts.root / member).exists() and drafts.log() == before and "别的单位改的" not in drafts.read(UNIT_B)
    own = lisi.save(member, raw.format(unit="newsroom-test-a"))
    assert own.status_code == 200, own.content.decode()
    assert "unit: newsroom-test-a" in drafts.read(member)
    # Nor may a contributor move their record into another unit.
    moved = lisi.save(member, lisi.open(member).replace("unit: newsroom-test-a", "unit: newsroom-test-b"))
    assert moved.status_code == 403


def test_a_news_post_is_a_contributors_when_its_author_names_them(people, drafts):
    lisi = Session(people["lisi"])
    post = "content/news/posts/newsroom-test-post.md"
    raw = "---\nid: newsroom-test-post\ntitle: 测试动态\ndate: 2026-12-06\nauthor: {author}\n---\n\n正文。\n"
    refused = lisi.save(post, raw.format(author="王五"))
    assert refused.status_code == 403 and "李四" in error(refused)
    assert lisi.save(post, raw.format(author="李四")).status_code == 200
    assert Session(people["wang"]).call("getEntry", path=post).status_code == 403


def test_writing_outside_the_record_and_media_folders_is_refused(people, drafts):
    editor = Session(people["editor"])
    before = drafts.log()
    for path in ("Makefile", ".git/config", "exemplars/units/../../Makefile", "scripts/evil.md",
                 "exemplars/units/.hidden.md", "/etc/passwd"):
        response = editor.save(path, "---\nname: x\n---\n")
        assert response.status_code == 403 and "只能读写记录和照片文件" in error(response), path
    media = editor.call("persistMedia", asset={"path": "scripts/evil.jpg", "content": base64.b64encode(b"x").decode(),
                                               "encoding": "base64"})
    assert media.status_code == 403
    assert drafts.log() == before
    assert not (drafts.root / "scripts").exists()


def test_status_and_review_cannot_be_set_through_the_form(people, drafts):
    editor = Session(people["editor"])
    raw = editor.open(UNIT_A)
    forged = raw.replace("status: draft\n", "").replace(
        "---\n", "---\nstatus: published\nreview:\n  final: {by: 孙三, date: 2026-12-01, hash: 'sha256:00', "
                 "signature: AAAA, account: sun, time: '2026-12-01T10:00:00+08:00'}\n", 1)
    assert editor.save(UNIT_A, forged.replace("甲支部的草稿", "伪造发布")).status_code == 200
    record = repository.find_record(drafts.root, "unit", "newsroom-test-a")
    assert record.status == "draft" and record["review"] is None and "伪造发布" in record["summary"]
    new = "exemplars/units/newsroom-test-c.md"
    assert editor.save(new, "---\nid: newsroom-test-c\nname: 丙支部\nsector: 农村\nstatus: published\n"
                            "summary: 新的。\n---\n").status_code == 200
    assert repository.find_record(drafts.root, "unit", "newsroom-test-c").status == "draft"


def test_a_changed_record_under_review_goes_back_to_draft(people, drafts):
    assert act(client_of(people["lisi"]), ("unit", "newsroom-test-a"), "submit").status_code == 302
    assert act(client_of(people["zhao"]), ("unit", "newsroom-test-a"), "approve", "", "first").status_code == 302
    lisi = Session(people["lisi"])
    raw = lisi.open(UNIT_A)
    commits = len(drafts.log())
    # Saved as it is: nothing changed, nothing committed, still under review.
    same = lisi.save(UNIT_A, raw)
    assert same.status_code == 200 and "note" not in same.json()
    assert len(drafts.log()) == commits
    assert repository.find_record(drafts.root, "unit", "newsroom-test-a").status == "review"
    changed = lisi.save(UNIT_A, raw.replace("甲支部的草稿", "送审后又改了"))
    assert changed.status_code == 200
    assert "回到草稿" in changed.json()["note"] and "签名已清除" in changed.json()["note"]
    record = repository.find_record(drafts.root, "unit", "newsroom-test-a")
    assert record.status == "draft" and "送审后又改了" in record["summary"]
    assert set(record["review"]) == {"thread"} and [n["action"] for n in record["review"]["thread"]] == ["提交", "通过"]


def test_each_save_is_one_commit_authored_by_the_person(people, drafts):
    lisi = Session(people["lisi"])
    raw = lisi.open(UNIT_A)
    before = drafts.log()
    data = photo_with_location()
    asset = {"path": "media/photos/支部活动.jpg", "content": base64.b64encode(data).decode(), "encoding": "base64"}
    raw = raw.replace("summary:", "photo: media/photos/支部活动.jpg\nphoto_alt: 支部活动\nsummary:")
    response = lisi.save(UNIT_A, raw.replace("甲支部的草稿", "配了照片"), assets=[asset])
    assert response.status_code == 200, response.content.decode()
    stored = response.json()["assets"][0]["path"]
    log = drafts.log()
    assert len(log) == len(before) + 1
    name, email, subject = log[0]
    assert (name, email) == ("李四", "lisi@newsroom")
    assert subject.startswith("修改先进典型：测试甲党支部") and "新增照片：" in subject
    shown = repository._git(drafts.root, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert sorted(shown) == sorted([UNIT_A, stored])
    assert not has_location(drafts.root / stored)
    assert repository._git(drafts.root, "status", "--porcelain", "--", "exemplars", "media", "content").stdout == ""
    # A photo alone: a commit of its own.
    other = photo_with_location()[:-2] + b"\xff\xd9"
    media = lisi.call("persistMedia", asset={"path": "media/photos/另一张.jpg",
                                             "content": base64.b64encode(other).decode(), "encoding": "base64"})
    assert media.status_code == 200, media.content.decode()
    assert drafts.log()[0][:2] == ("李四", "lisi@newsroom") and len(drafts.log()) == len(before) + 2


def test_the_later_of_two_saves_is_refused_with_what_changed(people, drafts):
    lisi, editor = Session(people["lisi"]), Session(people["editor"])
    mine, theirs = lisi.open(UNIT_A), editor.open(UNIT_A)
    assert editor.save(UNIT_A, theirs.replace("甲支部的草稿", "编辑先改的摘要")).status_code == 200
    after_editor = drafts.read(UNIT_A)
    late = lisi.save(UNIT_A, mine.replace("甲支部的草稿", "撰稿人后改的摘要"))
    assert late.status_code == 409
    answer = late.json()
    assert "在你打开之后已被 吴七 修改" in answer["error"] and "没有保存" in answer["error"]
    assert re.search(r"（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）", answer["error"])
    assert "-summary: 甲支部的草稿" in answer["diff"] and "+summary: 编辑先改的摘要" in answer["diff"]
    assert drafts.read(UNIT_A) == after_editor
    # Opened again, the same person's save goes through.
    again = lisi.open(UNIT_A)
    assert lisi.save(UNIT_A, again.replace("编辑先改的摘要", "撰稿人后改的摘要")).status_code == 200
    # A second save from the same form (it now holds what it wrote) too.
    assert lisi.save(UNIT_A, again.replace("编辑先改的摘要", "再改一次")).status_code == 200


def test_a_new_record_never_replaces_an_existing_file(people, drafts):
    editor = Session(people["editor"])
    before = drafts.read(UNIT_A), drafts.log()
    response = editor.save(UNIT_A, "---\nid: newsroom-test-a\nname: 同编号的新记录\nsector: 农村\n---\n")
    assert response.status_code == 409 and "没有打开过它" in error(response)
    assert (drafts.read(UNIT_A), drafts.log()) == before


def test_a_killed_save_leaves_the_old_file(people, drafts, monkeypatch):
    import scripts.editor.files as files
    editor = Session(people["editor"])
    raw = editor.open(UNIT_A)
    before = drafts.read(UNIT_A), drafts.log()

    def killed(src, dst):
        raise OSError(5, "killed before the rename")
    monkeypatch.setattr(files.os, "replace", killed)
    response = editor.save(UNIT_A, raw.replace("甲支部的草稿", "写到一半"))
    assert response.status_code == 500 and "无法读写文件" in error(response)
    assert (drafts.read(UNIT_A), drafts.log()) == before
    assert not list((drafts.root / "exemplars/units").glob(".zlt-saving-*"))


def test_the_preview_pane_gets_the_problems_and_the_item_page(people, drafts):
    rel = drafts.draft("unit", "newsroom-test-d", {"name": "丁支部", "sector": "不存在的领域", "summary": "手写的。"})
    account("zhou", ["撰稿"], ["newsroom-test-d"], "周八")
    client = client_of(people["editor"])
    answer = client.get(reverse("newsroom:edit_record"), {"path": rel}).json()
    assert answer["ready"] and answer["item"] == reverse("newsroom:item", args=["unit", "newsroom-test-d"])
    assert answer["url"] == ""          # no live preview configured (tests/newsroom/test_preview.py)
    assert any(p["field"].startswith("sector") and p["level"] == "error" and p["line"] == 3
               for p in answer["problems"]), answer
    assert client.get(reverse("newsroom:edit_info")).json()["preview"] == ""


def test_a_record_with_errors_is_not_saved(people, drafts):
    lisi = Session(people["lisi"])
    raw = lisi.open(UNIT_A)
    before = drafts.read(UNIT_A), drafts.log()
    response = lisi.save(UNIT_A, raw.replace("sector: 农村", "sector: 不存在的领域"))
    assert response.status_code == 422
    assert re.search(rf"{UNIT_A} 第 \d+ 行 · sector.*不是可选值", error(response)), error(response)
    assert (drafts.read(UNIT_A), drafts.log()) == before
    assert repository._git(drafts.root, "status", "--porcelain", "--", "exemplars", "media", "content").stdout == ""
    # Corrected in the same form, it is saved.
    assert lisi.save(UNIT_A, raw.replace("sector: 农村", "sector: 社区")).status_code == 200
    assert "sector: 社区" in drafts.read(UNIT_A)


def test_a_refused_save_leaves_no_photo_behind(people, drafts):
    """A save whose photo was written before the record was refused: the
    photo goes too (nothing uncommitted in the next save's way)."""
    editor = Session(people["editor"])
    data = photo_with_location()
    asset = {"path": "media/photos/留不下.jpg", "content": base64.b64encode(data).decode(), "encoding": "base64"}
    before = drafts.log()
    moved = editor.save(UNIT_A, editor.open(UNIT_A), assets=[asset], new_path=UNIT_B)
    assert moved.status_code == 409 and "已存在" in error(moved)
    assert drafts.log() == before and not list((drafts.root / "media/photos").glob("留不下*"))
    assert repository._git(drafts.root, "status", "--porcelain", "--", "exemplars", "media", "content").stdout == ""


def test_a_photo_bigger_than_djangos_form_limit_is_uploaded(people, drafts):
    import os
    im = Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3))
    out = io.BytesIO()
    im.save(out, "PNG")
    assert len(out.getvalue()) > 2.5 * 1024 * 1024
    editor = Session(people["editor"])
    response = editor.call("persistMedia", asset={"path": "media/photos/大照片.png", "encoding": "base64",
                                                  "content": base64.b64encode(out.getvalue()).decode()})
    assert response.status_code == 200, response.content.decode()[:300]
    assert drafts.log()[0][2].startswith("新增照片：大照片-")


def test_contributors_delete_only_their_drafts_and_no_photos(people, drafts):
    lisi, wang = Session(people["lisi"]), Session(people["wang"])
    lisi.open(UNIT_A)
    assert wang.call("deleteFile", path=UNIT_A).status_code == 403
    media = lisi.call("deleteFile", path="media/photos/whatever.jpg")
    assert media.status_code == 403 and "编辑" in error(media)
    assert (drafts.root / UNIT_A).exists()
    done = lisi.call("deleteFile", path=UNIT_A)
    assert done.status_code == 200, done.content.decode()
    assert not (drafts.root / UNIT_A).exists()
    assert drafts.log()[0][0] == "李四" and drafts.log()[0][2].startswith("删除先进典型")


HOSTILE = sorted((Path(__file__).parents[1] / "hostile" / "requests").glob("*.yml"))


def _newsroom_case(path: Path) -> bool:
    """The corpus's cases about what a request asks (paths, bodies, actions);
    not those about the connection itself (Host, Origin, Content-Length,
    chunked bodies), which are Django's, gunicorn's and nginx's in the newsroom."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    return set(case.get("headers") or {}) <= {"Content-Type"} and \
        (case["method"], case["path"].split("?")[0]) in (("POST", "/api/v1"), ("GET", "/api/record"))


@pytest.fixture
def hostile_repo(newsroom):
    """What an attack would aim at, as in tests/test_hostile_requests.py: a
    record whose photo another upload could take, a record file that links to
    the Makefile, a media folder that links out of the repository."""
    from tests.test_hostile_requests import jpeg
    root = newsroom.root
    for rel, text in {"Makefile": "all:\n\ttrue\n", ".ci/run": "#!/bin/sh\n", ".git/hooks/README": "hooks\n",
                      "scripts/x.py": "print(1)\n", ".venv/bin/x": "#!/bin/sh\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "media/photos").mkdir(parents=True, exist_ok=True)
    (root / "media/photos/zhibu-huodong.jpg").write_bytes(jpeg("red"))
    newsroom.draft("unit", "hongxing-gacha-dangzhibu", {"name": "红星嘎查党支部", "sector": "农村",
                                                       "photo": "media/photos/zhibu-huodong.jpg", "photo_alt": "支部活动"})
    git(root, "add", "media/photos/zhibu-huodong.jpg")
    git(root, "commit", "-q", "-m", "照片")
    (root / "exemplars/units/evil.md").symlink_to("../../Makefile")
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "film.mp4").write_bytes(b"\0" * 64)
    if (root / "media/videos").exists():
        shutil.rmtree(root / "media/videos")
    (root / "media/videos").symlink_to(outside, target_is_directory=True)
    return newsroom


@pytest.mark.parametrize("case_file", [c for c in HOSTILE if _newsroom_case(c)], ids=lambda p: p.stem)
def test_the_hostile_corpus_gets_the_same_answers_from_the_newsroom(hostile_repo, case_file):
    from tests.test_hostile_requests import snapshot
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    editor = Session(account("hostile", ["编辑"], [], "测试编辑"))
    root = hostile_repo.root
    before, log = snapshot(root / ".."), hostile_repo.log()
    if case["method"] == "GET":
        query = case["path"].split("?", 1)[1]
        response = editor.client.get(reverse("newsroom:edit_record") + "?" + query)
    else:
        body = base64.b64decode(case["body_base64"]) if "body_base64" in case else case["body"].encode("utf-8")
        response = editor.client.generic("POST", reverse("newsroom:edit_api"), body,
                                         content_type=(case.get("headers") or {}).get("Content-Type", ""),
                                         HTTP_X_CSRFTOKEN=editor.token)
    answer = response.json()
    # A file the newsroom's forms never write (网站设置.yml: the workbench's
    # alone) is refused there earlier, with its own answer.
    expect = case.get("newsroom_expect") or case["expect"]
    assert response.status_code == expect["status"], (case["why"], answer)
    if "error" in expect:
        assert expect["error"] in answer["error"], (case["why"], answer)
    after = snapshot(root / "..")
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert not {p for p in changed if not p.startswith(("repo/media/photos/", "repo/.git/", "data/"))}, changed
    if hostile_repo.log() != log:                    # an accepted upload: its own commit, nothing else
        assert hostile_repo.log()[1:] == log and hostile_repo.log()[0][:2] == ("测试编辑", "hostile@newsroom")
