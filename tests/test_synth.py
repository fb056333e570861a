"""The synthetic repositories of `make bench` (scripts/dev/synth.py) are made
from the model: a kind added to it gets records too, built from its fields
alone (types, enums, references, required fields, bounds, patterns, maximum
lengths, required media), and they pass `check` with nothing to report."""
from __future__ import annotations

import re

import pytest
import yaml

from scripts.check import check_repository
from scripts.dev import synth
from scripts.records.schema import SCHEMA_FILE, load_schema

# Two kinds the project does not have: one with pages of its own and every
# type of field, one whose records are read on its list (a YAML file each).
EVENT = {
    "label": "示例活动", "plural": "示例活动", "path": "exemplars/events/*.md", "url": "exemplars/events/{id}/",
    "title_field": "title",
    "list": {"order": ["-date", "id"], "page_size": 20, "group_by": "level", "searchable": False},
    "fields": {
        "title": {"type": "string", "required": True, "max": 24, "label": "活动名称"},
        "date": {"type": "date", "required": True, "label": "日期"},
        "level": {"type": "enum", "values": ["乡镇", "市级", "自治区级"], "required": True, "label": "级别"},
        "code": {"type": "string", "required": True, "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "max": 20,
                 "label": "活动代码"},
        "start": {"type": "string", "pattern": r"^\d{1,2}:[0-5]\d$", "label": "开始时间"},
        "hours": {"type": "number", "min": 0.5, "max": 8, "label": "时长（小时）"},
        "people": {"type": "int", "required": True, "min": 3, "max": 40, "label": "参加人数"},
        "host": {"type": "ref", "kinds": ["unit"], "required": True, "label": "主办单位"},
        "speaker": {"type": "ref_or_text", "kinds": ["member"], "max": 30, "label": "主讲人"},
        "guests": {"type": "list", "items": {"type": "ref", "kinds": ["member", "event"]}, "label": "参加者"},
        "topics": {"type": "list", "items": {"type": "string", "max": 4}, "label": "主题"},
        "honours": {"type": "list", "items": "honour", "label": "荣誉"},
        "note_short": {"type": "text", "max": 8, "label": "短评"},
        "poster": {"type": "media", "media": "image", "required": True, "label": "海报"},
        "poster_alt": {"type": "string", "max": 60, "label": "海报说明"},
        "photo": {"type": "media", "media": "image", "label": "照片"},
        "photo_alt": {"type": "string", "max": 60, "label": "照片说明"},
        "online": {"type": "bool", "label": "线上活动"},
        "summary": {"type": "text", "max": 120, "label": "简介"},
    },
}
SLOGAN = {
    "label": "示例口号", "plural": "示例口号", "path": "exemplars/slogans/*.yml", "url": "exemplars/slogans/",
    "title_field": "text", "list": {"order": ["path"], "page_size": 30, "searchable": True},
    "fields": {
        "text": {"type": "text", "required": True, "max": 20, "label": "口号"},
        "unit": {"type": "ref", "kinds": ["event"], "label": "所属活动"},
        "year": {"type": "int", "min": 1921, "max": 2100, "label": "年份"},
    },
}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    raw = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    raw["kinds"].update(event=EVENT, slogan=SLOGAN)
    path = tmp_path_factory.mktemp("model") / "schema.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def repo(model, tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "repo"
    counts = synth.generate(root, 600, seed=5, model=model)
    return root, counts


def test_every_kind_of_the_model_gets_records_that_pass_check(repo):
    root, counts = repo
    snap, problems = check_repository(root)
    assert [str(p) for p in problems] == []
    schema = load_schema(root / "scripts/records/schema.yaml")
    assert set(counts) == set(schema.kinds) and sum(counts.values()) == 600
    by_kind = {}
    for r in snap.records:
        by_kind.setdefault(r.kind.name, []).append(r)
    assert {k: len(v) for k, v in by_kind.items()} == counts
    assert all(r.is_sample and r.is_published for r in snap.records)


def test_the_new_kind_uses_what_its_fields_allow(repo):
    root, counts = repo
    snap, _ = check_repository(root)
    events = [r for r in snap.records if r.kind.name == "event"]
    ids = {r.id for r in snap.records}
    assert {r["level"] for r in events} == {"乡镇", "市级", "自治区级"}       # every enum value
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["code"]) for r in events)
    assert all(r["start"] and re.fullmatch(r"\d{1,2}:[0-5]\d", r["start"]) for r in events)
    assert all(3 <= r["people"] <= 40 and 0.5 <= r["hours"] <= 8 for r in events)
    assert all(len(r["title"]) <= 24 and len(r["note_short"]) <= 8 for r in events)
    assert all(r["host"] in ids and r["host"].startswith("synth-unit-") for r in events)
    assert any(r["guests"] for r in events) and all(set(r["guests"] or []) <= ids for r in events)
    assert any(r["honours"] for r in events)
    # A required picture points at a file that exists; an optional one, and
    # what describes it, are left out (no file to show).
    assert all((root / r["poster"]).is_file() for r in events)
    assert all(r["poster_alt"] for r in events)
    assert not any(r["photo"] or r["photo_alt"] for r in events)
    slogans = [r for r in snap.records if r.kind.name == "slogan"]
    assert slogans and all(r["unit"] is None or r["unit"].startswith("synth-event-") for r in slogans)


def test_shares_keep_todays_mix_and_make_room_for_new_kinds(model):
    project = load_schema()
    with_new = load_schema(model)
    for schema in (project, with_new):
        for n in (len(schema.kinds), len(schema.kinds) + 3, 1000, 10000):
            counts = synth.split(schema, n)
            assert list(counts) == list(schema.kinds) and sum(counts.values()) == n and min(counts.values()) >= 1
        with pytest.raises(ValueError):
            synth.split(schema, len(schema.kinds) - 1)
    today = synth.split(project, 10000)
    for name, share in synth.SHARES.items():
        if name in today:
            assert abs(today[name] - 10000 * share) <= 10000 * (1 - sum(synth.SHARES.values())) + 1, name
    added = synth.split(with_new, 10000)
    total = sum(synth.SHARES.get(k, synth.DEFAULT_SHARE) for k in with_new.kinds)
    assert added["event"] == int(10000 * synth.DEFAULT_SHARE / total)


def test_a_required_field_nothing_can_fill_is_refused(model, tmp_path):
    raw = yaml.safe_load(model.read_text(encoding="utf-8"))
    raw["kinds"]["event"]["fields"]["code"]["pattern"] = r"^Q{30}$"
    bad = tmp_path / "schema.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match="event.code"):
        synth.generate(tmp_path / "repo", 50, model=bad)
