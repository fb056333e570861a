"""The search index updated in place (search.update_index) is the index
written from scratch (search.index_site), byte for byte, after any change;
it never writes through the hard links an incremental build's site is made
of, reads only the pages written, and indexes the whole site when its state
cannot be trusted."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scripts.build import search
from scripts.build.search import index_site, update_index

NAME = "扎兰屯党建网"


def _colliding(count: int, prefix: str) -> list[str]:
    """Addresses whose hashes fall on the same number (page_ids' space of
    4,096 for a small site), and one on the next: numbers move when one of
    them comes or goes."""
    by_slot: dict[int, list[str]] = {}
    i = 0
    while True:
        address = f"{prefix}{i}/"
        slot = int.from_bytes(hashlib.sha256(address.encode()).digest()[:8], "big") % 4096
        by_slot.setdefault(slot, []).append(address)
        if len(by_slot[slot]) == count and (slot + 1) % 4096 in by_slot:
            return by_slot[slot] + by_slot[(slot + 1) % 4096][:1]
        i += 1


ADDRESSES = ["", "news/a/", "news/b/", "units/c/", "units/d/", "members/e/", "members/f/", "g/", "h/",
             *_colliding(3, "x")]
RELS = [a + "index.html" for a in ADDRESSES]
WORDS = ["党建", "刘廷江", "抗洪抢险", "蘑菇气", "党支部", "扎兰屯", "群众", "ＶＣＤ", "2010", "Abc", "服务",
         "基层", "𠀾村", "示例"]


def _html(title: str, words: list[str], excluded: bool) -> str:
    mark = search.EXCLUDED_MARK if excluded else ""
    h1 = f"<h1>{title}</h1>" if title else ""
    return (f"<html><head>{mark}</head><body><div class=\"md-content\"><article>{h1}"
            f"<p>{'，'.join(words)}</p></article></div></body></html>")


pages_st = st.tuples(st.sampled_from(["", "刘廷江", "党建工作", "示例单位", "新发社区"]),
                     st.lists(st.sampled_from(WORDS), max_size=30), st.booleans())
sites_st = st.dictionaries(st.sampled_from(RELS), pages_st, max_size=8)
step_st = st.lists(st.one_of(
    st.tuples(st.just("put"), st.sampled_from(RELS), pages_st),           # added or changed
    st.tuples(st.just("title"), st.sampled_from(RELS), st.sampled_from(["新标题", "刘廷江", ""])),
    st.tuples(st.just("same"), st.sampled_from(RELS)),                     # written again, unchanged
    st.tuples(st.just("delete"), st.sampled_from(RELS))), min_size=1, max_size=5)


def _write(site: Path, rel: str, page) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)   # a new file: the site is hard links to the live one
    path.write_text(_html(*page), encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _link_copy(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=os.link)


def _from_scratch(site: Path, scratch: Path) -> dict[str, bytes]:
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(site, scratch, ignore=shutil.ignore_patterns("search"))
    index_site(scratch, NAME)
    return _tree(scratch / "search")


def _run_steps(tmp: Path, first: dict, steps: list) -> None:
    live, state = tmp / "live", tmp / "state"
    pages = dict(first)
    for rel, page in pages.items():
        _write(live, rel, page)
    live.mkdir(exist_ok=True)
    index_site(live, NAME, state_dir=state)
    for i, batch in enumerate(steps):
        new = tmp / f"new{i}"
        _link_copy(live, new)
        before = _tree(live)
        written, removed = set(), set()
        for op in batch:
            rel = op[1]
            if op[0] == "put":
                pages[rel] = op[2]
            elif op[0] == "title" and rel in pages:
                pages[rel] = (op[2], *pages[rel][1:])
            elif op[0] == "delete":
                if pages.pop(rel, None) is not None:
                    (new / rel).unlink()
                    removed.add(rel)
                    written.discard(rel)
                continue
            if rel in pages:
                _write(new, rel, pages[rel])
                written.add(rel)
                removed.discard(rel)
        gone: set[str] = set()
        meta = update_index(new, NAME, True, written, removed, state, gone)
        assert _tree(live) == before, "the update wrote through a hard link into the live site"
        # What it removed is said (the build checks the new site against it).
        now = _tree(new)
        assert {rel for rel in before if rel.startswith("search/") and rel not in now} <= gone
        assert _tree(new / "search") == _from_scratch(new, tmp / "scratch"), (first, steps[: i + 1])
        assert meta["pages"] == sum(1 for p in pages.values() if not p[2])
        shutil.rmtree(live)
        new.rename(live)


@pytest.mark.slow
@pytest.mark.parametrize("shard_bytes, segment_span", [(search.SHARD_BYTES, search.SEGMENT_SPAN), (300, 1024)])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=sites_st, steps=st.lists(step_st, min_size=1, max_size=4))
def test_an_update_is_the_index_from_scratch(tmp_path_factory, shard_bytes, segment_span, first, steps):
    """Random sites and changes: pages added, changed, retitled, written
    again unchanged, deleted, excluded and included again; addresses whose
    numbers collide (a page's number moves when another comes or goes); with
    small shards and segments (300 bytes, 1,024 numbers: 4 segments, shard
    counts that change as pages come and go) and the real sizes."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_BYTES", shard_bytes)
        mp.setattr(search, "SEGMENT_SPAN", segment_span)
        _run_steps(tmp_path_factory.mktemp("upd"), first, steps)


def test_colliding_addresses_move_when_one_goes(tmp_path):
    """The collision group really renumbers: the case the property test covers."""
    ids = search.page_ids(sorted(ADDRESSES))
    ids_without = search.page_ids(sorted(a for a in ADDRESSES if a != ADDRESSES[-4]))
    assert any(ids[a] != ids_without[a] for a in ADDRESSES[-3:])
    first = {rel: ("刘廷江", ["党建", rel], False) for rel in RELS}
    _run_steps(tmp_path, first, [[("delete", RELS[-4])], [("put", RELS[-4], ("新标题", ["群众"], False))]])


@pytest.mark.slow
def test_a_large_site_with_segments_and_a_new_number_space(tmp_path, monkeypatch):
    """1,024 pages, then the 1,025th: the number space doubles (every page
    renumbered, the index written again from the old page files), then
    changes within two segments (of 4,096 numbers here, so that a small
    site has several)."""
    import scripts.build.search as search
    monkeypatch.setattr(search, "SEGMENT_SPAN", 4096)
    first = {f"p{i}/index.html": (f"页面{i}", [WORDS[i % len(WORDS)], WORDS[i * 7 % len(WORDS)], str(i)], False)
             for i in range(1024)}
    _run_steps(tmp_path, first, [
        [("put", "p1024/index.html", ("新页面", ["党建", "扎兰屯"], False))],
        [("title", "p3/index.html", "改过的标题"), ("delete", "p5/index.html"),
         ("put", "p9/index.html", ("", ["群众"], True)), ("put", "p1025/index.html", ("", ["群众"], False)),
         ("put", "p1026/index.html", ("又一页", ["基层"], False))],
    ])
    meta = json.loads((tmp_path / "live" / "search" / "meta.js").read_text(encoding="utf-8")[len("zltSearch.m("):-3])
    assert meta["segments"] == 2


def _site(tmp_path: Path) -> tuple[Path, Path]:
    live, state = tmp_path / "live", tmp_path / "state"
    for i, rel in enumerate(RELS[:6]):
        _write(live, rel, (f"页面{i}", WORDS[i:i + 5], False))
    index_site(live, NAME, state_dir=state)
    new = tmp_path / "new"
    _link_copy(live, new)
    _write(new, RELS[0], ("改过的标题", ["党建"], False))
    return new, state


def test_only_the_pages_written_are_read(tmp_path):
    new, state = _site(tmp_path)
    # A page not written by this build, unreadable: reading it would fail.
    (new / RELS[1]).unlink()
    (new / RELS[1]).write_bytes(b"\xff\xfe not utf-8")
    update_index(new, NAME, True, {RELS[0]}, set(), state)
    with pytest.raises(search.SearchIndexError):
        index_site(tmp_path / "new", NAME)


@pytest.mark.parametrize("spoil", ["no state", "bad json", "other format", "other meta", "shard changed",
                                   "page changed", "other name"])
def test_a_state_in_doubt_indexes_the_whole_site(tmp_path, spoil, caplog):
    new, state = _site(tmp_path)
    data = state / search.STATE_FILE
    name = NAME
    if spoil == "no state":
        data.unlink()
    elif spoil == "bad json":
        data.write_text("{", encoding="utf-8")
    elif spoil == "other format":
        data.write_text(json.dumps({**json.loads(data.read_text(encoding="utf-8")), "format": 0}), encoding="utf-8")
    elif spoil == "other meta":
        (new / "search" / "meta.js").unlink()
        (new / "search" / "meta.js").write_text('zltSearch.m({"format":2});\n', encoding="utf-8")
    elif spoil in ("shard changed", "page changed"):
        # Every file of the kind changed by hand: the update reads one of them.
        for f in (new / "search" / ("s" if spoil == "shard changed" else "p")).iterdir():
            text = f.read_text(encoding="utf-8")
            f.unlink()
            f.write_text(text.replace(");", ") ;"), encoding="utf-8")
    else:
        name = "另一个网站"
    caplog.set_level("INFO", logger="zlt")
    update_index(new, name, True, {RELS[0]}, set(), state)
    assert "搜索索引完整重建" in caplog.text
    expected = tmp_path / "expected"
    shutil.copytree(new, expected, ignore=shutil.ignore_patterns("search"))
    index_site(expected, name)
    assert _tree(new / "search") == _tree(expected / "search")
    # The state is whole again: the next update needs no full index.
    caplog.clear()
    _write(new, RELS[2], ("又一个标题", ["群众"], False))
    update_index(new, name, True, {RELS[2]}, set(), state)
    assert "搜索索引完整重建" not in caplog.text
