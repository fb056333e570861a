"""The model says it once: relations come from the `ref` fields of the
repository's schema.yaml, and list behaviour from its `list:` entries, with no
change to the code."""
from __future__ import annotations

import re

import pytest
import yaml

from scripts.build.pipeline import build_site
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH, schema_for

REVIEW = "review: {first: {by: 编辑部, date: 2026-01-01}, second: {by: 编辑部, date: 2026-01-01}, final: {by: 编辑部, date: 2026-01-01}}"


def own_model(repo, change) -> None:
    """Give the repository its own schema.yaml: the project's, changed."""
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    change(model)
    repo.write(SCHEMA_PATH, yaml.safe_dump(model, allow_unicode=True, sort_keys=False))


def unit(repo, rid, name, extra=""):
    repo.write(f"exemplars/units/{rid}.md", f"---\nname: {name}\nsector: 社区\nstatus: published\n{REVIEW}\n{extra}---\n\n事迹。\n")


def html(site, rel):
    return (site / rel / "index.html").read_text(encoding="utf-8")


def test_a_new_ref_field_links_both_ways_with_no_code_change(repo):
    def add_partner(model):
        model["kinds"]["news"]["fields"]["units"] = {
            "type": "list", "items": {"type": "ref", "kinds": ["unit"]}, "label": "报道的先进典型"}
        model["kinds"]["unit"]["fields"]["partner"] = {"type": "ref", "kinds": ["unit"], "label": "结对单位"}
    own_model(repo, add_partner)
    assert "units" in schema_for(repo.path).kinds["news"].references
    unit(repo, "xinfa-shequ", "新发社区党委", "partner: hexi-shequ\n")
    unit(repo, "hexi-shequ", "河西社区党委")
    repo.write("content/news/posts/baodao.md", f"---\ntitle: 新发社区的一次报道\ndate: 2026-02-01\nstatus: published\n{REVIEW}\n"
                                               "units:\n  - xinfa-shequ\n---\n\n正文。\n")
    site = build_site(repo.path, repo.path / "site")
    post = html(site, "news/baodao")
    assert re.search(r'href="\.\./\.\./exemplars/units/xinfa-shequ/"[^>]*>新发社区党委', post)
    assert "相关先进典型" in post
    back = html(site, "exemplars/units/xinfa-shequ")
    assert re.search(r'href="\.\./\.\./\.\./news/baodao/"[^>]*>新发社区的一次报道', back)
    assert re.search(r'href="\.\./hexi-shequ/"[^>]*>河西社区党委', back)
    assert re.search(r'href="\.\./xinfa-shequ/"[^>]*>新发社区党委', html(site, "exemplars/units/hexi-shequ"))


def test_a_wrong_id_in_the_new_field_is_reported_at_its_line(repo):
    from scripts.check import check

    own_model(repo, lambda m: m["kinds"]["unit"]["fields"].update(
        partner={"type": "ref", "kinds": ["unit"], "label": "结对单位"}))
    unit(repo, "xinfa-shequ", "新发社区党委", "partner: hexi\n")
    (p,) = [p for p in check(repo.path) if p.level == "error"]
    assert (p.path, p.line, p.field) == ("exemplars/units/xinfa-shequ.md", 6, "partner（结对单位）")
    assert "找不到编号为“hexi”的记录" in p.message


@pytest.mark.parametrize("size", [1, 3])
def test_page_size_and_order_come_from_the_model(repo, size):
    def members_by_name(model):
        model["kinds"]["member"]["list"] = {"order": ["name"], "page_size": size, "searchable": False}
    own_model(repo, members_by_name)
    for rid, name in [("a", "甲"), ("b", "乙"), ("c", "丙")]:
        repo.write(f"exemplars/members/{rid}.md", f"---\nname: {name}\nstatus: published\n{REVIEW}\n---\n")
    site = build_site(repo.path, repo.path / "site")
    pages = sorted((site / "exemplars/members/page").glob("*/index.html")) if size < 3 else []
    assert len(pages) == 3 // size - 1
    first = html(site, "exemplars/members")
    names = re.findall(r'href="(?:\./)?([abc])/"', first)
    # By name, in code point order: 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532), not the files' order.
    assert names == (["c"] if size == 1 else ["c", "b", "a"])
