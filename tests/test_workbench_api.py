"""The workbench between Decap CMS and the disk (scripts/editor/bridge.py and
the request handling of workbench.py), without a browser: what Decap sends
becomes a record file as the project writes them, fields the form does not
show survive a save, uploads lose their location, ids stay unique, and only
the workbench's own page is served. The whole way through real Chromium:
tests/browser/test_workbench.py."""
from __future__ import annotations

import base64
import http.client
import io
import json
import threading
from http.server import ThreadingHTTPServer

import pytest
from PIL import Image

from scripts.check import check
from scripts.check.photos_gps import has_location
from scripts.editor.bridge import Bridge, Refused
from scripts.editor.workbench import Handler, Workbench
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


@pytest.mark.parametrize("action", ["persistMedia", "persistEntry"])
def test_uploaded_photos_lose_their_location_on_the_way_to_disk(bridge, tmp_path, action):
    asset = {"path": "media/photos/a.jpg", "content": base64.b64encode(located_photo()).decode(),
             "encoding": "base64"}
    params = {"asset": asset} if action == "persistMedia" else {"dataFiles": [], "assets": [asset]}
    bridge.request_to_disk({"action": action, "params": params})
    saved = tmp_path / "a.jpg"
    saved.write_bytes(base64.b64decode(asset["content"]))
    assert not has_location(saved) and b"HUAWEI" not in saved.read_bytes()
    assert bridge.last_write("media/photos/a.jpg") > 0


# --- the HTTP side: only the workbench's own page --------------------------------

@pytest.fixture
def served(repo):
    bench = Workbench(repo.path, 1, "http://127.0.0.1:1/")
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"bench": bench}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    reply = conn.getresponse()
    return reply.status, reply.read()


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
    for headers in ({"Content-Type": "application/json", "Origin": "http://evil.example"},
                    {"Content-Type": "text/plain"}):                                 # a form post
        assert request(served, "POST", "/api/v1", headers, body)[0] == 403


def test_a_record_reports_its_page_in_the_preview(served, repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 社区\n---\n")
    repo.write("exemplars/sms/b.yml", "text: 短信\n")
    status, body = request(served, "GET", "/api/record?path=exemplars/units/a.md")
    info = json.loads(body)
    assert status == 200 and info["url"] == "http://127.0.0.1:1/exemplars/units/a/"
    info = json.loads(request(served, "GET", "/api/record?path=exemplars/sms/b.yml")[1])
    assert info["url"] == "http://127.0.0.1:1/exemplars/sms/#b"
    assert request(served, "GET", "/api/record?path=mkdocs.yml")[0] == 404


def test_a_new_id_is_pinyin_and_unused(served, repo):
    repo.write("exemplars/units/moumou-shequ-dangwei.md", "---\nname: 某某社区党委\nsector: 社区\n---\n")
    answer = json.loads(request(served, "GET", "/api/new-id?kind=unit&name=" +
                                "%E6%9F%90%E6%9F%90%E7%A4%BE%E5%8C%BA%E5%85%9A%E5%A7%94")[1])
    assert answer == {"id": "moumou-shequ-dangwei-2"}
