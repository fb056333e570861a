"""Relations say only what they mean (#24 item 1): a record A linking a record
B through one of A's reference fields is shown on B's page as what it is (a
相关… section, in either direction), never as the value of one of B's own
fields (所在单位：A, A among B's 片中典型), nor on B's card. Checked for
every reference field of the model (schema.yaml) and every kind it may name,
in the generated Markdown of one build, so a new reference field or kind is
covered without a line here."""
from __future__ import annotations

import re

import pytest
import yaml

from scripts.records import view
from scripts.records.schema import Field, schema_for

pytestmark = pytest.mark.slow

REVIEW = {"first": {"by": "编辑部", "date": "2026-01-05"}, "second": {"by": "编辑部", "date": "2026-01-05"},
          "final": {"by": "编辑部", "date": "2026-01-05"}}


def ref_fields(schema):
    """(kind, field name, kind named, the field's item) of every reference
    field of the model, a list of references included."""
    for kind in schema.kinds.values():
        for name, f in kind.fields.items():
            item = f.items if f.type == "list" and isinstance(f.items, Field) else f
            if item.type in ("ref", "ref_or_text"):
                for target in item.kinds:
                    yield kind, name, schema.kinds[target], f.type == "list"


def minimal(kind, title: str) -> dict:
    """A published record of `kind` with its required fields only."""
    data = {}
    for name, f in kind.fields.items():
        if name == kind.title_field:
            data[name] = title
        elif f.required:
            data[name] = ([v for v in f.values if v][0] if f.type == "enum" else
                          int(f.min or 1) if f.type in ("int", "number") else
                          "2026-01-05" if f.type == "date" else "内容")
    return {**data, "review": REVIEW, "status": "published"}


def write(repo, kind, rid: str, data: dict) -> None:
    rel = kind.path.replace("*", rid)
    if rel.endswith(".md"):
        repo.write(rel, "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n正文。\n")
    else:
        repo.write(rel, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def claims(markdown: str, kind, holder: dict, shown: str) -> list[str]:
    """Where a page of a record of `kind` (its data `holder`) states `shown`
    (another record's title) as one of its own fields' values though none
    of them holds it: "label：shown" on a line, or a section headed with a
    field's label listing it (相关… sections say a mutual link: allowed)."""
    out = []
    for name, f in kind.fields.items():
        value = holder.get(name)
        if value:
            continue   # a field it does hold: not what this test is about
        for line in markdown.splitlines():
            if f"{f.label}：" in line and shown in line.split(f"{f.label}：", 1)[1]:
                out.append(f"{f.label}：… {line.strip()[:80]}")
    for heading, body in re.findall(r"(?m)^## (.+)\n((?:(?!^## ).*\n?)*)", markdown):
        heading = heading.strip()
        if shown in body and not heading.startswith("相关"):
            labels = {f.label for n, f in kind.fields.items() if not holder.get(n)}
            if heading in labels:
                out.append(f"## {heading}")
    return out


def card_facts(docs, title: str) -> list[str]:
    """The facts lines of every card (list pages, home page, related
    sections) of the record titled `title`."""
    out = []
    for page in docs.rglob("*.md"):
        for card in re.findall(r"<li>\s*<p class=\"zlt-card__media.*?</li>", page.read_text(encoding="utf-8"), re.S):
            if title in card:
                out += re.findall(r'<p class="zlt-card__facts">(.*?)</p>', card, re.S) or [""]
    return out


def test_a_link_is_never_shown_as_a_field_of_the_record_linked(repo, tmp_path):
    from scripts.build.pipeline import generate

    schema = schema_for(repo.path)
    pairs = list(ref_fields(schema))
    assert pairs, "the model has no reference field: nothing to test"
    cases = []
    for n, (kind, name, target, is_list) in enumerate(pairs, 1):
        a_id, b_id = f"yuan-{n:02d}", f"ba-{n:02d}"
        a_title, b_title = f"源记录{n:02d}号", f"靶记录{n:02d}号"
        b = minimal(target, b_title)
        a = minimal(kind, a_title)
        a[name] = [b_id] if is_list else b_id
        write(repo, target, b_id, b)
        write(repo, kind, a_id, a)
        cases.append((kind, name, target, a_id, b_id, b))
    # The detector itself: a member whose own unit is the unit is said so.
    if "member" in schema.kinds and "unit" in schema.kinds.get("member").fields:
        write(repo, schema.kinds["unit"], "own-unit", minimal(schema.kinds["unit"], "本单位甲"))
        write(repo, schema.kinds["member"], "own-member", {**minimal(schema.kinds["member"], "本人乙"), "unit": "own-unit"})
    docs = tmp_path / "docs"
    generate(repo.path, docs)
    from scripts.records.loader import read_repository
    snap = read_repository(repo.path)
    by_id = {r.id: r for r in snap.records}

    if "own-member" in by_id:
        member = schema.kinds["member"]
        page = (docs / member.doc_path("own-member")).read_text(encoding="utf-8")
        assert claims(page, member, {}, "本单位甲"), "the detector misses a field stated on the page"

    cards = 0
    for kind, name, target, a_id, b_id, b in cases:
        what = f"{kind.name}.{name} → {target.name}"
        shown = view.title(by_id[a_id])
        page_path = docs / target.doc_path(b_id)
        page = page_path.read_text(encoding="utf-8")
        assert shown in page, f"{what}: the link is not shown at all on {page_path.name}"
        assert not claims(page, target, b, shown), (what, claims(page, target, b, shown))
        facts = card_facts(docs, view.title(by_id[b_id]))
        cards += len(facts)
        assert not [f for f in facts if shown in f], (what, facts)
    assert cards, "no card of a linked record found: the cards were not checked"
