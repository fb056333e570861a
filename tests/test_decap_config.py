"""The workbench's forms come from the model: the committed Decap CMS
configuration equals the generated one, a field added to schema.yaml is in
the form, and each type of field gets the widget (and the words) the issue
asks for. The forms themselves are driven in tests/browser/test_workbench.py."""
from __future__ import annotations

from pathlib import Path

import yaml

from scripts.editor.decap import CONFIG_FILE, WORKBENCH, config_text, decap_config
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def field(coll: dict, name: str) -> dict:
    return next(f for f in coll["fields"] if f["name"] == name)


def test_the_committed_config_equals_the_generated_one():
    assert CONFIG_FILE.read_text(encoding="utf-8") == config_text(**WORKBENCH), \
        "scripts/records/schema.yaml 改过后请运行 make schema 并提交 scripts/editor/cms/config.yml"


def test_a_field_added_to_the_model_is_in_the_form(repo):
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    model["kinds"]["unit"]["fields"]["contact"] = {"type": "string", "max": 30, "label": "联系人",
                                                   "help": "党组织的联系人。"}
    model["kinds"]["sms"]["fields"]["heard"] = {"type": "date", "label": "首发日期"}
    repo.write(SCHEMA_PATH, yaml.safe_dump(model, allow_unicode=True, sort_keys=False))
    config = decap_config(repo.path)
    contact = field(collection(config, "unit"), "contact")
    assert contact["label"] == "联系人" and contact["widget"] == "string" and contact["required"] is False
    assert contact["hint"] == "党组织的联系人。"
    names = [f["name"] for f in collection(config, "unit")["fields"]]
    assert names.index("contact") == names.index("featured") + 1   # in the model's order
    assert field(collection(config, "sms"), "heard")["pattern"][0] == r"^\d{4}-\d{2}-\d{2}$"
    # … and the workbench serves what it generates for that repository.
    from scripts.editor.workbench import Workbench
    assert "label: 联系人" in Workbench(repo.path, "http://127.0.0.1:1/").config


def test_every_kind_is_a_folder_collection_of_its_record_files():
    config = decap_config()
    assert [c["name"] for c in config["collections"]] == ["unit", "member", "video", "sms", "figure", "news", "notice"]
    assert collection(config, "sms")["folder"] == "exemplars/sms"
    assert collection(config, "sms")["extension"] == "yml"
    assert collection(config, "unit")["format"] == "frontmatter"
    assert config["backend"] == {"name": "proxy", "proxy_url": "/api/v1", "branch": "main"}
    assert config["locale"] == "zh_Hans"


def test_new_records_get_an_ascii_id_field_first():
    for coll in decap_config()["collections"]:
        first = coll["fields"][0]
        assert (first["name"], first["widget"], first["required"]) == ("id", "zlt-id", True)
        assert first["pattern"][0] == "^[a-z0-9]+(-[a-z0-9]+)*$" and "小写" in first["pattern"][1]
        assert coll["identifier_field"] == "id" and coll["slug"] == "{{slug}}"


def test_each_type_gets_its_widget():
    config = decap_config()
    unit, video, member = (collection(config, k) for k in ("unit", "video", "member"))
    status = field(unit, "status")
    assert status["widget"] == "select" and status["default"] == "draft"
    assert status["options"] == [{"label": "草稿", "value": "draft"}, {"label": "待审", "value": "review"},
                                 {"label": "已发布", "value": "published"}]
    assert "published" not in status["hint"]
    members = field(unit, "members")
    assert (members["widget"], members["collection"], members["multiple"]) == ("relation", "member", True)
    assert members["value_field"] == "{{slug}}" and members["search_fields"] == ["name"]
    subjects = field(video, "subjects")        # units and members: the workbench's widget
    assert (subjects["widget"], subjects["kinds"], subjects["multiple"]) == ("zlt-ref", ["unit", "member"], True)
    unit_of_member = field(member, "unit")
    assert (unit_of_member["widget"], unit_of_member["allow_text"], unit_of_member["multiple"]) == \
        ("zlt-ref", True, False)
    honours = field(unit, "honours")
    assert honours["widget"] == "list" and [f["name"] for f in honours["fields"]][:2] == ["title", "year"]
    year = honours["fields"][1]
    assert (year["widget"], year["value_type"], year["min"]) == ("number", "int", 1921)
    photo = field(unit, "photo")
    assert (photo["widget"], photo["media_folder"], photo["public_folder"]) == ("image", "/media/photos", "media/photos")
    assert field(video, "video")["widget"] == "file" and field(video, "video")["media_folder"] == "/media/videos"
    assert field(unit, "featured")["widget"] == "boolean"
    assert field(unit, "summary")["widget"] == "text"
    body = field(unit, "body")
    assert body["widget"] == "markdown" and body["modes"] == ["raw"]


def test_every_upload_field_states_the_workbenchs_one_limit():
    from scripts.editor.decap import MAX_FILE, MAX_FILE_MB, MEDIA_FOLDERS
    from scripts.editor.workbench import MAX_BODY

    def media_fields(fields):
        for f in fields:
            if f.get("widget") in ("image", "file"):
                yield f
            yield from media_fields(f.get("fields") or ([f["field"]] if "field" in f else []))

    found = [f for c in decap_config()["collections"] for f in media_fields(c["fields"])]
    assert len(found) >= 5
    for f in found:
        assert f["media_library"]["config"]["max_file_size"] == MAX_FILE == MAX_FILE_MB * 1024 * 1024
        assert f["media_folder"].lstrip("/") in MEDIA_FOLDERS
        assert f"不超过 {MAX_FILE_MB} MB" in f["hint"] or f["widget"] == "file" and "字幕" in f["hint"]
    assert MAX_BODY > MAX_FILE * 4 / 3          # one file, base64-encoded, always fits in a request


def test_dates_are_text_with_a_plain_chinese_pattern_message():
    news = collection(decap_config(), "news")
    date = field(news, "date")
    assert date["widget"] == "string" and date["required"] is True
    assert date["pattern"] == [r"^\d{4}-\d{2}-\d{2}$", "请写成 年-月-日，如 2024-07-01"]
    stage = field(field(news, "review"), "first")
    assert field(stage, "date")["pattern"] == date["pattern"]


def test_only_the_required_fields_are_required_and_none_inside_an_empty_struct():
    unit = collection(decap_config(), "unit")
    required = {f["name"] for f in unit["fields"] if f["required"]}
    assert required == {"id", "name", "sector"}

    def inner(f):
        for sub in f.get("fields", []):
            yield sub
            yield from inner(sub)

    assert not any(f["required"] for f in inner(field(unit, "review")))
    assert field(field(unit, "honours"), "title")["required"] is True   # inside an item that was added


def test_lengths_and_patterns_speak_plain_chinese():
    config = decap_config()
    name = field(collection(config, "unit"), "name")
    assert name["pattern"] == [r"^[\s\S]{0,60}$", "最多 60 字"]
    duration = field(collection(config, "video"), "duration")
    assert duration["pattern"][1] == "分:秒，如 12:30。"
    for coll in config["collections"]:
        for f in coll["fields"]:
            if "pattern" in f:
                assert not any(w in f["pattern"][1] for w in ("pattern", "match", "regex")), f
