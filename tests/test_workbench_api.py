"""The workbench between Decap CMS and the disk (scripts/editor/bridge.py,
the file backend files.py and the request handling of workbench.py),
without a browser: what Decap sends becomes a record file as the project
writes them, fields the form does not show survive a save, uploads lose
their location and get names no other file has, a photo a record uses is
never replaced nor deleted, saves are atomic, ids stay unique, and only the
workbench's own page is served. Hostile requests: tests/test_hostile_requests.py.
The whole way through real Chromium: tests/browser/test_workbench.py."""
from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from scripts.check import check
from scripts.check.photos_gps import has_location
from scripts.editor import files as files_module
from scripts.editor.bridge import Bridge, Refused
from scripts.editor.decap import MAX_FILE
from scripts.editor.files import TEMP_PREFIX, ApiError, Files, write_atomic
from scripts.editor.workbench import Handler, Server, Workbench
from scripts.records.schema import schema_for


@pytest.fixture
def bridge(repo):
    return Bridge(repo.path, schema_for(repo.path))


# What Decap CMS sends for a unit: its own order and style, the form's id,
# fields left empty.
DECAP_UNIT = """---
id: moumou-shequ-dangwei
status: draft
photo_alt: ""
name: 某某社区党委
honours:
  - level: 国家级
    title: 某某奖
    year: 2010
    result: ""
members: []
sector: 社区
featured: false
review:
  first:
    by: ""
    date: ""
---
正文第一段。
"""


def test_a_new_record_is_written_in_the_models_order_without_empty_fields(bridge, repo):
    text = bridge.record_to_disk("exemplars/units/moumou-shequ-dangwei.md", DECAP_UNIT)
    assert text == ("---\nname: 某某社区党委\nsector: 社区\nhonours:\n  - title: 某某奖\n    year: 2010\n"
                    "    level: 国家级\nfeatured: false\nstatus: draft\n---\n\n正文第一段。\n")
    repo.write("exemplars/units/moumou-shequ-dangwei.md", text)
    assert check(repo.path) == []


def test_fields_the_form_does_not_show_survive_a_save_with_the_files_comments(bridge, repo):
    rel = "exemplars/units/moumou-shequ-dangwei.md"
    repo.write(rel, "---\n# 编辑部备注：材料来自某某镇。\nname: 某某社区党委\nsector: 社区\n"
                    "contact_person: 张三\nstatus: draft\n---\n旧正文。\n")
    text = bridge.record_to_disk(rel, "---\nid: moumou-shequ-dangwei\nname: 某某社区党委（改）\n"
                                      "sector: 社区\nstatus: review\n---\n新正文。\n")
    assert text == ("---\n# 编辑部备注：材料来自某某镇。\nname: 某某社区党委（改）\nsector: 社区\nstatus: review\n"
                    "contact_person: 张三\n---\n\n新正文。\n")


def test_a_field_cleared_in_the_form_is_removed(bridge, repo):
    rel = "exemplars/units/a.md"
    repo.write(rel, "---\nname: 甲\nsector: 社区\ntown: 某某镇\n---\n")
    text = bridge.record_to_disk(rel, "---\nid: a\nname: 甲\nsector: 社区\ntown: ''\n---\n")
    assert "town" not in text


def test_yaml_records_stay_plain_yaml(bridge, repo):
    text = bridge.record_to_disk("exemplars/sms/xin.yml", "id: xin\nauthor: 某某\ntext: 短信内容\nround: ''\n")
    assert text == "text: 短信内容\nauthor: 某某\n"


def test_a_new_record_cannot_take_an_id_another_kind_uses(bridge, repo):
    repo.write("exemplars/members/zhang-san.md", "---\nname: 张三\n---\n")
    with pytest.raises(Refused, match="已被优秀共产党员使用"):
        bridge.record_to_disk("exemplars/units/zhang-san.md", "---\nid: zhang-san\nname: 甲\nsector: 社区\n---\n")


def test_records_reach_the_form_with_their_id(bridge):
    entries = [{"file": {"path": "exemplars/units/a.md"}, "data": "---\nname: 甲\n---\n正文\n"},
               {"file": {"path": "exemplars/sms/b.yml"}, "data": "text: 短信\n"},
               {"file": {"path": "exemplars/units/c.md"}, "data": "---\nid: c\nname: 丙\n---\n"}]
    bridge.response_to_browser("entriesByFolder", entries)
    assert [e["data"] for e in entries] == ["---\nid: a\nname: 甲\n---\n正文\n", "id: b\ntext: 短信\n",
                                            "---\nid: c\nname: 丙\n---\n"]


def located_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0x8825] = "HUAWEI", {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def files(repo, bridge):
    return Files(repo.path, bridge.schema, bridge)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


def plain_photo(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


def upload(files, path: str, data: bytes) -> dict:
    return files.handle({"action": "persistMedia", "params": {"asset": {
        "path": path, "content": b64(data), "encoding": "base64"}}})[1]


@pytest.mark.parametrize("action", ["persistMedia", "persistEntry"])
def test_uploaded_photos_lose_their_location_on_the_way_to_disk(files, bridge, repo, action):
    data = located_photo()
    asset = {"path": "media/photos/a.jpg", "content": b64(data), "encoding": "base64"}
    params = {"asset": asset} if action == "persistMedia" else {"dataFiles": [], "assets": [asset]}
    files.handle({"action": action, "params": params})
    saved = repo.path / f"media/photos/a-{short_hash(data)}.jpg"
    assert not has_location(saved) and b"HUAWEI" not in saved.read_bytes()
    assert bridge.last_write(f"media/photos/a-{short_hash(data)}.jpg") > 0


def test_an_upload_is_named_by_its_bytes_so_no_other_photo_is_replaced(files, repo):
    first, second = plain_photo("red"), plain_photo("blue")
    answer = upload(files, "media/photos/支部活动.jpg", first)
    assert answer["path"] == f"media/photos/支部活动-{short_hash(first)}.jpg" == f"media/photos/{answer['name']}"
    kept = (repo.path / answer["path"]).read_bytes()
    assert upload(files, "media/photos/支部活动.jpg", first)["path"] == answer["path"]      # the same photo again
    other = upload(files, "media/photos/支部活动.jpg", second)["path"]
    assert other != answer["path"] and (repo.path / answer["path"]).read_bytes() == kept
    # Named so already (the workbench's page does it before sending): kept.
    named = f"media/photos/x-{short_hash(second)}.jpg"
    assert upload(files, named, second)["path"] == named


def test_a_saved_record_names_its_upload_by_the_new_name(files, repo):
    data = plain_photo()
    raw = "---\nid: a\nname: 甲\nsector: 社区\nphoto: media/photos/zoufang.jpg\n---\n"
    files.handle({"action": "persistEntry", "params": {
        "dataFiles": [{"path": "exemplars/units/a.md", "raw": raw}],
        "assets": [{"path": "media/photos/zoufang.jpg", "content": b64(data), "encoding": "base64"}]}})
    text = (repo.path / "exemplars/units/a.md").read_text(encoding="utf-8")
    assert f"photo: media/photos/zoufang-{short_hash(data)}.jpg\n" in text
    assert (repo.path / f"media/photos/zoufang-{short_hash(data)}.jpg").is_file()
    assert not (repo.path / "media/photos/zoufang.jpg").exists()


def test_a_file_records_use_is_neither_replaced_nor_deleted(files, repo):
    data = plain_photo("blue")
    taken = f"media/photos/zhibu-{short_hash(data)}.jpg"       # by hand, with other bytes
    repo.write(taken, plain_photo("red"))
    repo.write("exemplars/units/hongxing.md", f"---\nname: 红星嘎查党支部\nsector: 社区\nphoto: {taken}\n---\n")
    before = (repo.path / taken).read_bytes()
    with pytest.raises(ApiError) as refused:
        upload(files, "media/photos/zhibu.jpg", data)
    assert refused.value.status == 409 and "红星嘎查党支部（exemplars/units/hongxing.md）" in str(refused.value)
    with pytest.raises(ApiError) as refused:
        files.handle({"action": "deleteFile", "params": {"path": taken}})
    assert refused.value.status == 409 and "红星嘎查党支部" in str(refused.value)
    assert (repo.path / taken).read_bytes() == before
    unused = upload(files, "media/photos/other.jpg", data)["path"]
    files.handle({"action": "deleteFiles", "params": {"paths": [unused]}})
    assert not (repo.path / unused).exists()


def test_an_upload_that_is_no_photo_is_refused_in_chinese(files, repo):
    with pytest.raises(ApiError) as refused:
        upload(files, "media/photos/a.jpg", b"<html><script>alert(1)</script></html>")
    assert refused.value.status == 422 and "a.jpg" in str(refused.value)
    with pytest.raises(ApiError):                    # a photo by its bytes, whatever its name
        upload(files, "media/videos/a.mp4", plain_photo()[:200])
    assert not list((repo.path / "media").rglob("*.*"))


def test_a_file_over_the_limit_is_refused_before_it_is_decoded(files):
    with pytest.raises(ApiError) as refused:
        upload(files, "media/videos/a.mp4", b"\0" * (MAX_FILE + 1))
    assert refused.value.status == 413 and "文件过大（超过 20 MB）" in str(refused.value)


def test_records_list_without_symlinks_and_foreign_names(files, repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲\n---\n")
    repo.write("exemplars/units/Not-An-Id.md", "---\nname: 乙\n---\n")
    (repo.path / "exemplars/units/b.md").symlink_to("../../mkdocs.yml")
    entries = files.handle({"action": "entriesByFolder", "params": {
        "folder": "exemplars/units", "extension": "md", "depth": 1}})[1]
    assert [e["file"]["path"] for e in entries] == ["exemplars/units/a.md"]
    assert entries[0]["data"].startswith("---\nid: a\n")
    assert entries[0]["file"]["id"] == hashlib.sha256(b"---\nname: \xe7\x94\xb2\n---\n").hexdigest()


def test_a_film_copied_in_by_hand_is_listed_but_not_sent(files, repo):
    film = repo.path / "media/videos/xiwang-de-tianye.mp4"
    film.parent.mkdir(parents=True)
    with open(film, "wb") as f:
        f.truncate(MAX_FILE + 1)                 # sparse: no 20 MB written
    repo.write("media/videos/xiwang-de-tianye.vtt", "WEBVTT\n")
    listed = files.handle({"action": "getMedia", "params": {"mediaFolder": "media/videos"}})[1]
    assert [(m["name"], len(m["content"])) for m in listed] == [("xiwang-de-tianye.mp4", 0),
                                                                 ("xiwang-de-tianye.vtt", len(b64(b"WEBVTT\n")))]


# --- saves are atomic --------------------------------------------------------------

def test_a_save_that_fails_midway_leaves_the_old_file(files, repo, monkeypatch):
    rel = "exemplars/units/a.md"
    old = repo.write(rel, "---\nname: 甲\nsector: 社区\n---\n旧正文。\n").read_bytes()

    def fail(fd):
        raise OSError(28, "No space left on device")     # after the new text went to the temporary file

    monkeypatch.setattr(files_module.os, "fsync", fail)
    with pytest.raises(OSError):
        files.handle({"action": "persistEntry", "params": {"dataFiles": [
            {"path": rel, "raw": "---\nid: a\nname: 甲（改）\nsector: 社区\n---\n新正文。\n" * 1000}], "assets": []}})
    assert (repo.path / rel).read_bytes() == old
    assert not [p for p in (repo.path / "exemplars/units").iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.slow
def test_a_save_killed_while_it_writes_leaves_the_old_file_byte_for_byte(tmp_path):
    target = tmp_path / "film.mp4"
    old = os.urandom(1 << 20)
    target.write_bytes(old)
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c",
                             "import sys; from pathlib import Path; from scripts.editor.files import write_atomic; "
                             "write_atomic(Path(sys.argv[1]), b'x' * 300_000_000)", str(target)], cwd=root)
    end = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX) and p.stat().st_size > 0]:
        assert proc.poll() is None and time.monotonic() < end, "the write finished before it could be killed"
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert target.read_bytes() == old
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert leftovers                  # killed mid-write: `make edit` removes these at its next start


def test_leftovers_of_a_killed_save_are_removed_at_start(files, repo):
    repo.write("media/photos/a.jpg", plain_photo())
    repo.write(f"media/photos/{TEMP_PREFIX}1234", b"half")
    repo.write(f"exemplars/units/{TEMP_PREFIX}5678", "---\n")
    files.remove_leftovers()
    assert sorted(p.name for p in (repo.path / "media/photos").iterdir()) == ["a.jpg"]
    assert not (repo.path / f"exemplars/units/{TEMP_PREFIX}5678").exists()


def test_write_atomic_replaces_the_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("旧", encoding="utf-8")
    write_atomic(path, "新".encode())
    assert path.read_text(encoding="utf-8") == "新" and [p.name for p in tmp_path.iterdir()] == ["a.md"]


# --- the HTTP side: only the workbench's own page --------------------------------

@pytest.fixture
def served(repo):
    bench = Workbench(repo.path, "http://127.0.0.1:1/")
    server = Server(("127.0.0.1", 0), type("H", (Handler,), {"bench": bench}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def request(port, method, path, headers=None, body=None, full=False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    reply = conn.getresponse()
    return (reply.status, reply.read(), reply.headers) if full else (reply.status, reply.read())


def test_the_page_the_config_and_decap_are_served_from_the_machine(served):
    status, page = request(served, "GET", "/")
    assert status == 200 and b'src="decap-cms.js"' in page and b"http" not in page.split(b"<body")[0]
    status, config = request(served, "GET", "/config.yml")
    assert status == 200 and "label: 先进典型" in config.decode("utf-8")
    status, script = request(served, "GET", "/decap-cms.js")
    assert status == 200 and len(script) > 1_000_000


def test_other_hosts_and_origins_are_refused(served):
    assert request(served, "GET", "/", {"Host": "evil.example:80"})[0] == 403        # DNS rebinding
    body = json.dumps({"action": "persistMedia", "params": {}})
    assert request(served, "POST", "/api/v1", {"Content-Type": "application/json", "Origin": "http://evil.example"},
                   body)[0] == 403
    assert request(served, "POST", "/api/v1", {"Content-Type": "text/plain"}, body)[0] == 415    # a form post


def test_every_answer_forbids_framing_sniffing_and_caching(served):
    for path in ("/", "/config.yml", "/decap-cms.js", "/api/info", "/api/records", "/nothing"):
        status, _, headers = request(served, "GET", path, full=True)
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert (headers["X-Content-Type-Options"], headers["Referrer-Policy"], headers["Cache-Control"]) == \
            ("nosniff", "no-referrer", "no-store"), path
    page_policy = request(served, "GET", "/", full=True)[2]["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval';" in page_policy and "http://127.0.0.1:1" in page_policy
    assert "'unsafe-inline'" not in page_policy.split("script-src")[1].split(";")[0]


@pytest.mark.slow
def test_an_upload_over_the_limit_gets_an_answer(served):
    body = json.dumps({"action": "persistMedia", "params": {"asset": {
        "path": "media/photos/a.jpg", "content": "A" * (200 * 1024 * 1024), "encoding": "base64"}}})
    status, answer = request(served, "POST", "/api/v1", {"Content-Type": "application/json"}, body)
    assert status == 413 and "文件过大（超过 20 MB）" in json.loads(answer)["error"]
    body = json.dumps({"action": "persistMedia", "params": {"asset": {
        "path": "media/photos/a.jpg", "content": "A" * (40 * 1024 * 1024), "encoding": "base64"}}})
    status, answer = request(served, "POST", "/api/v1", {"Content-Type": "application/json"}, body)
    assert status == 413 and "文件过大（超过 20 MB）" in json.loads(answer)["error"]


def test_a_record_reports_its_page_in_the_preview(served, repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 社区\n---\n")
    repo.write("exemplars/sms/b.yml", "text: 短信\n")
    status, body = request(served, "GET", "/api/record?path=exemplars/units/a.md")
    info = json.loads(body)
    assert status == 200 and info["url"] == "http://127.0.0.1:1/exemplars/units/a/"
    info = json.loads(request(served, "GET", "/api/record?path=exemplars/sms/b.yml")[1])
    assert info["url"] == "http://127.0.0.1:1/exemplars/sms/#b"
    status, body = request(served, "GET", "/api/record?path=mkdocs.yml")
    assert status == 403 and "只能读写记录和照片文件" in json.loads(body)["error"]


def test_a_new_id_is_pinyin_and_unused(served, repo):
    repo.write("exemplars/units/moumou-shequ-dangwei.md", "---\nname: 某某社区党委\nsector: 社区\n---\n")
    answer = json.loads(request(served, "GET", "/api/new-id?kind=unit&name=" +
                                "%E6%9F%90%E6%9F%90%E7%A4%BE%E5%8C%BA%E5%85%9A%E5%A7%94")[1])
    assert answer == {"id": "moumou-shequ-dangwei-2"}
