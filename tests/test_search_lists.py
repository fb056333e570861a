"""Search finds records, not the lists that gather them: at 1,000 synthetic
records, no page of any list the model marks not searchable (at any page
number, in any group) is in the index, and every record page is."""
from __future__ import annotations

import json
import re

import pytest

from scripts.build.pipeline import build_site
from scripts.dev.synth import generate
from scripts.records.loader import load_all
from scripts.records.schema import schema_for

pytestmark = pytest.mark.slow


def indexed_addresses(site) -> set[str]:
    out = set()
    for page in (site / "search" / "p").glob("*.js"):
        data = json.loads(re.fullmatch(r"zltSearch\.p\((.*)\);\n", page.read_text(encoding="utf-8"), re.S).group(1))
        out.add(data[1]["u"])
    return out


def test_no_list_page_is_indexed_at_a_thousand_records(tmp_path):
    root = tmp_path / "synth"
    generate(root, 1000, seed=3)
    site = build_site(root, root / "site")
    schema = schema_for(root)
    indexed = indexed_addresses(site)
    # Every built page that belongs to a list not meant for search, found on
    # disk from the model alone: its folder, its page/N pages, its groups.
    list_pages = set()
    folders = [k.list_folder for k in schema.kinds.values() if not k.listing.searchable]
    folders += [f"{name}/" for name, listing in schema.pages.items() if not listing.searchable]
    records, _ = load_all(root)
    record_pages = {r.kind.url.format(id=r.id) for r in records if not r.kind.is_list_file and r.is_published}
    for folder in folders:
        for page in (site / folder).rglob("index.html"):
            address = page.parent.relative_to(site).as_posix() + "/"
            if address not in record_pages:
                list_pages.add(address)
    assert len(list_pages) > 30     # many pages of many lists at this size
    assert any("/page/" in a for a in list_pages) and any("/sector/" in a for a in list_pages)
    assert any(a.startswith("news/category/") for a in list_pages)
    assert not list_pages & indexed, sorted(list_pages & indexed)[:10]
    assert record_pages <= indexed, sorted(record_pages - indexed)[:10]
