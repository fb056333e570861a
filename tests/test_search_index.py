"""The search index: the text it is built from, its grams, and its files as
search.js reads them (the browser side is tests/browser/test_search.py)."""
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from scripts.build.pagetext import page_text
from scripts.build.search import address_of, fold, grams, index_site, page_ids, shard_of


def test_page_text_is_the_content_only_and_inline_tags_do_not_split_words():
    html = """<html><body><header><nav>先进典型 工作动态</nav></header>
      <div class="md-content"><article><h1>刘<em>廷</em>江</h1><p>抗洪<strong>抢险</strong></p>
      <script>var x = "脚本";</script><p>第二段</p></article></div>
      <footer>主办单位</footer></body></html>"""
    title, text = page_text(html)
    assert title == "刘廷江"
    assert text == "刘廷江 抗洪抢险 第二段"


def test_grams_are_the_characters_and_neighbour_pairs_of_each_run():
    assert grams("刘廷江") == {"刘", "廷", "江", "刘廷", "廷江"}
    # Punctuation and spaces end a run: no pair is made across them.
    assert "洪抢" not in grams("抗洪，抢险") and "抗洪" in grams("抗洪，抢险")
    assert "江 " not in grams("刘廷江 党员")


def test_full_width_and_capitals_fold_to_what_a_reader_types():
    assert fold("ＶＣＤ光盘２０１０") == "vcd光盘2010"
    assert {"vc", "cd", "20", "10"} <= grams("ＶＣＤ 2010")


def test_characters_beyond_the_basic_plane_are_one_character():
    assert grams("𠀾村") == {"𠀾", "村", "𠀾村"}


def test_shards_are_spread_and_stable():
    # Fixed values: search.js computes the same FNV-1a (the browser tests find
    # every word only if both sides agree).
    assert shard_of("党建", 1) == 0
    assert [shard_of(g, 7) for g in ("党建", "廷江", "𠀾")] == [shard_of(g, 7) for g in ("党建", "廷江", "𠀾")]
    assert len({shard_of(chr(0x4E00 + i) + "村", 16) for i in range(200)}) == 16


def test_addresses_follow_the_site_s_url_style():
    assert address_of("exemplars/units/x/index.html", True) == "exemplars/units/x/"
    assert address_of("index.html", True) == ""
    assert address_of("exemplars/units/x.html", False) == "exemplars/units/x.html"


def _page(title, text):
    return (f'<html><body><div class="md-content"><article><h1>{title}</h1>'
            f"<p>{text}</p></article></div></body></html>")


def _call(path):
    """The data of one index file: zltSearch.x(DATA);"""
    m = re.fullmatch(r"zltSearch\.[msp]\((.*)\);\n", path.read_text(encoding="utf-8"), re.S)
    assert m, path
    return json.loads(m.group(1))


def _posting(site, meta, gram):
    part = _call(site / "search" / "s" / f"{shard_of(gram, meta['shards'])}.js")[1]
    body, titles = part[gram].split("|")

    def numbers(gaps):
        out, n = [], 0
        for g in filter(None, gaps.split(",")):
            n += int(g)
            out.append(n)
        return out
    return numbers(body), numbers(titles)


def test_index_files_hold_postings_titles_and_pages(tmp_path):
    site = tmp_path / "site"
    for rel, title, text in [("index.html", "首页", "扎兰屯党建网"),
                             ("a/index.html", "刘廷江", "带领群众抗洪抢险"),
                             ("b/index.html", "蘑菇气党委", "刘廷江的事迹 \u2028 </script>"),
                             ("404.html", "页面不存在", "抢险")]:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(_page(title, text), encoding="utf-8")
    meta = index_site(site, "扎兰屯党建网")
    assert meta == _call(site / "search" / "meta.js")
    assert meta["pages"] == 3 and meta["shards"] >= 1
    # Pages are numbered from their addresses' hashes (page_ids); 404 is not indexed.
    ids = page_ids(["", "a/", "b/"])
    assert _call(site / "search" / "p" / f"{ids['a/']}.js") == [ids["a/"], {"u": "a/", "t": "刘廷江", "x": "带领群众抗洪抢险"}]
    assert _call(site / "search" / "p" / f"{ids['']}.js")[1]["u"] == ""
    assert len(list((site / "search" / "p").iterdir())) == 3
    assert _posting(site, meta, "廷江") == (sorted([ids["a/"], ids["b/"]]), [ids["a/"]])   # in a/'s title
    assert _posting(site, meta, "抢险") == ([ids["a/"]], [])
    # Text stays text: a line separator is escaped for JavaScript.
    assert "\u2028" not in (site / "search" / "p" / f"{ids['b/']}.js").read_text(encoding="utf-8")


def test_the_index_is_the_same_for_the_same_site_and_replaced_whole(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(_page("首页", "党建"), encoding="utf-8")
    first = index_site(site, "扎兰屯党建网")
    def files():
        return {p.relative_to(site): p.read_bytes() for p in (site / "search").rglob("*") if p.is_file()}
    before = files()
    (site / "search" / "s" / "99.js").write_text("stale", encoding="utf-8")
    assert index_site(site, "扎兰屯党建网") == first
    assert files() == before


@pytest.mark.slow
def test_what_a_first_query_can_load_stays_small_at_ten_thousand_pages(tmp_path):
    """The most a first query can download at 10,000 pages, from the files
    themselves: the meta, 4 shards (search.js's MAX_GRAMS) of the largest size,
    and 10 pages of the largest size, all compressed. The browser measures real
    queries at this size in `make bench`; this bound holds for any query."""
    import gzip
    import random

    rng = random.Random(7)
    common = ["党建", "党支部", "扎兰屯", "群众", "服务", "党员", "基层", "组织"]
    rare = ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4))) for _ in range(30_000)]
    site = tmp_path / "site"
    for i in range(10_000):
        words = [rng.choice(common) if rng.random() < 0.3 else rng.choice(rare) for _ in range(220)]
        page = site / f"p{i // 100}" / f"{i}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(_page(f"示例单位{rng.choice(rare)}{i}", "，".join(words)), encoding="utf-8")
    meta = index_site(site, "扎兰屯党建网")
    assert meta["pages"] == 10_000

    def largest(folder):
        return max(len(gzip.compress(p.read_bytes())) for p in (site / "search" / folder).iterdir())

    # A gram's posting list is in every segment of its shard: s/<k>.js, s/<k>.<j>.js.
    shard = {}
    for f in (site / "search" / "s").iterdir():
        k = f.name.split(".")[0]
        shard[k] = shard.get(k, 0) + len(gzip.compress(f.read_bytes()))
    assert len(shard) == meta["shards"] and meta["segments"] > 1
    script = (Path(__file__).parents[1] / "templates/overrides/assets/search/search.js").read_bytes()
    most = (len(gzip.compress(script)) + len(gzip.compress((site / "search" / "meta.js").read_bytes()))
            + 4 * max(shard.values()) + 10 * largest("p"))
    print(f"\n10,000 pages: {meta['shards']} shards in {meta['segments']} segments; "
          f"a first query loads at most {most / 1024:.0f} KB")
    assert most <= 200 * 1024


@given(st.text(alphabet=st.sampled_from(
    list("，：（）；！？…。、“”《》ＡＢｃ１２①㎡ﬁ　ｶﾀ中文字党建eE\u0301\u0308 ,.:()") + ["\u2126", "\ufb01"]), max_size=30))
def test_fold_is_nfkc_and_lower_case(text):
    """fold() spares the normalization of text that needs none; the result is NFKC's."""
    import unicodedata

    assert fold(text) == unicodedata.normalize("NFKC", text).lower()


def test_page_numbers_stay_put_when_other_pages_come_and_go():
    """An incremental build rewrites the files of the pages that changed only:
    a page's number depends on its address, not on the pages before it."""
    addresses = [f"exemplars/units/u{i}/" for i in range(3000)]
    before = page_ids(addresses)
    after = page_ids(addresses[:1000] + addresses[1001:] + ["news/new/"])
    moved = [a for a in after if a in before and after[a] != before[a]]
    assert len(moved) <= 3
    assert len(set(after.values())) == len(after)
    # A build from scratch numbers the same set the same way, in any order.
    assert page_ids(list(reversed(addresses))) == before
