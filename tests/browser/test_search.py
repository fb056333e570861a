"""Search in the browser: Chinese words inside longer words and parts of names
are found, results come fast, and the first query downloads little, also with
thousands of records."""
from __future__ import annotations

import random

import pytest

from scripts.dev.searchprobe import first_query
from tests.browser.conftest import serving

# Generous bounds for a busy machine (timings here vary tenfold); the 0.3 s target is met in
# the numbers printed with -s, and `make bench` holds the strict ones.
MAX_MS = 2000
MAX_FIRST_QUERY_BYTES = 200_000


def _hrefs(result):
    return [href for _, href in result["results"]]


def test_a_word_inside_a_longer_word_finds_its_page(page, site_url):
    # 执法 is inside 城市综合执法局党委, never a word of its own on that page's title.
    r = first_query(page, site_url, "执法")
    assert "/exemplars/units/chengshi-zonghe-zhifaju-dangwei/" in _hrefs(r)
    assert r["ms"] < MAX_MS


def test_part_of_a_name_finds_the_member_page(page, site_url):
    r = first_query(page, site_url, "廷江")
    assert _hrefs(r)[0] == "/exemplars/members/liu-tingjiang/"
    assert r["results"][0][0] == "刘廷江"
    page.locator(".zlt-search__results a").first.click()
    assert page.locator("h1").first.inner_text() == "刘廷江"


def test_nothing_found_is_said_so(page, site_url):
    r = first_query(page, site_url, "xyzzyq")
    assert r["results"] == []
    assert "没有找到" in page.get_by_role("status").inner_text()


def test_results_come_fast_once_search_is_open(browser, site_url):
    context = browser.new_context(locale="zh-CN")
    try:
        r = first_query(context.new_page(), site_url, "蘑菇", cold=False)
    finally:
        context.close()
    print(f"\nwarm first query: {r['ms']:.0f} ms, {r['bytes']} B")
    assert "/exemplars/units/moguqi-dangwei/" in _hrefs(r)
    assert r["ms"] < MAX_MS


def test_first_query_transfers_little(page, site_url):
    r = first_query(page, site_url, "基层")
    print(f"\ncold first query: {r['ms']:.0f} ms, {r['bytes']} B, {len(r['urls'])} requests")
    assert r["results"]
    assert any("/search/s/" in u for u in r["urls"]), "the search did not load the index"
    assert 0 < r["bytes"] <= MAX_FIRST_QUERY_BYTES


def test_keyboard_opens_searches_and_closes(page, site_url):
    page.goto(site_url)
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="搜索本站")
    assert dialog.is_visible()
    box = page.get_by_role("searchbox", name="请输入要查找的字词")
    assert box.evaluate("e => e === document.activeElement")
    box.fill("蘑菇气")
    page.wait_for_selector(".zlt-search__results a")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/exemplars/units/moguqi-dangwei/"
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # Opened from its button, closing gives the focus back to the button.
    opener = page.get_by_role("button", name="搜索").first
    opener.focus()
    page.keyboard.press("Enter")
    assert dialog.is_visible()
    page.get_by_role("button", name="关闭搜索").click()
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('zlt-search-open')")
    # Enter in the box goes to the first result.
    opener.click()
    box.fill("廷江")
    page.wait_for_selector(".zlt-search__results li:first-child a[href$='/liu-tingjiang/']")
    box.press("Enter")
    page.wait_for_url("**/liu-tingjiang/")
    assert page.locator("h1").first.inner_text() == "刘廷江"


def test_more_results_come_ten_at_a_time_without_repeats(page, site_url):
    first_query(page, site_url, "党")
    links = page.locator(".zlt-search__results a")
    assert links.count() == 10
    status = page.get_by_role("status").inner_text()
    total = int(status.split()[1])
    assert total > 10
    page.get_by_role("button", name="显示更多结果").click()
    page.wait_for_function(f"() => document.querySelectorAll('.zlt-search__results a').length >= {min(20, total)}")
    page.wait_for_timeout(300)   # nothing more arrives
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == min(20, total) == len(set(hrefs))


# --- exactness, on a small site with odd text ------------------------------------

ODD_TEXT = ("示例正文：鼋鼍，鼍鳖。全角ＡＢＣ字样，生僻字𠀾。党员带头抗洪抢险。"
            "代码示例 `<img src=x onerror=\"document.title='pwned'\">` 照原样显示。")


@pytest.fixture(scope="module")
def odd_site_url(tmp_path_factory):
    from tests.conftest import Repo
    from scripts.build.pipeline import build_site

    work = tmp_path_factory.mktemp("odd")
    repo = Repo(work, with_content=True)
    repo.write("exemplars/units/odd.md", f"""
        ---
        name: 示例字词党支部
        sector: 农村
        summary: 示例记录。
        sample: true
        status: published
        ---

        {ODD_TEXT}
        """)
    site = build_site(repo.path, work / "site")
    with serving(site) as url:
        yield url


ODD = "/exemplars/units/odd/"


@pytest.mark.parametrize("query", ["鼍鳖", "abc", "ＡＢＣ", "Abc", "𠀾", "鼋鼍 抢险", "生僻字"])
def test_words_are_found_however_typed(page, odd_site_url, query):
    r = first_query(page, odd_site_url, query)
    assert _hrefs(r) == [ODD]
    # The excerpt marks what was asked, as written on the page.
    marks = page.locator(".zlt-search__excerpt mark").all_inner_texts()
    assert {m.lower() for m in marks} & {"鼍鳖", "ａｂｃ", "𠀾", "鼋鼍", "抢险", "生僻字"}


def test_page_text_stays_text_in_the_results(page, odd_site_url):
    first_query(page, odd_site_url, "照原样")
    excerpt = page.locator(".zlt-search__excerpt").first
    assert "onerror=\"document.title" in excerpt.inner_text()
    assert excerpt.locator("img").count() == 0
    assert page.title() != "pwned"


@pytest.mark.parametrize("query", ["鼋鼍鳖", "鼍鳖 不在此页", "ＡＢＣＤ"])
def test_words_the_page_holds_only_in_pieces_are_not_found(page, odd_site_url, query):
    # 鼋鼍鳖: both of its pairs are on the page, but apart.
    r = first_query(page, odd_site_url, query)
    assert r["results"] == []
    assert "没有找到" in page.get_by_role("status").inner_text()


# --- many records -----------------------------------------------------------

def _words(rng: random.Random, n: int) -> list[str]:
    """n distinct made-up two- to four-character Chinese words."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def write_many_records(repo, units: int, members: int, seed: int = 1) -> None:
    """Varied throwaway records (marked samples): made-up words, so the index
    holds many distinct terms, a pessimistic case for its size."""
    rng = random.Random(seed)
    vocab = _words(rng, 20_000)
    sectors = ["农村", "社区", "两新组织", "机关"]

    def text(k):
        return "".join(rng.choice(vocab) + rng.choice("，。、；") * (rng.random() < 0.2) for _ in range(k))

    for i in range(units):
        repo.write(f"exemplars/units/gen-unit-{i:05d}.md", f"""
            ---
            name: {rng.choice(vocab)}{rng.choice(vocab)}党支部{i}
            sector: {rng.choice(sectors)}
            summary: {text(12)}
            sample: true
            status: published
            ---

            {text(80)}

            {text(80)}
            """)
    for i in range(members):
        repo.write(f"exemplars/members/gen-member-{i:05d}.md", f"""
            ---
            name: 示例{rng.choice(vocab)}{i}
            summary: {text(12)}
            sample: true
            status: published
            ---

            {text(100)}
            """)


@pytest.fixture
def big_site_url(full_repo, tmp_path):
    from scripts.build.pipeline import build_site

    repo = full_repo
    write_many_records(repo, units=1600, members=400)
    repo.write("exemplars/units/kanghong.md", """
        ---
        name: 示例抗洪党支部
        sector: 农村
        summary: 示例记录。
        sample: true
        status: published
        ---

        示例正文：党员带头参加抗洪抢险，连续奋战三昼夜。
        """)
    repo.write("exemplars/members/wang-tingjiang.md", """
        ---
        name: 王廷江示例
        summary: 示例记录。
        sample: true
        status: published
        ---

        示例正文。
        """)
    site = build_site(repo.path, tmp_path / "site")
    with serving(site) as url:
        yield url


def test_two_thousand_records_first_query_stays_small(browser, big_site_url):
    context = browser.new_context(locale="zh-CN")
    try:
        cold = first_query(context.new_page(), big_site_url, "抢险")
        name = first_query(context.new_page(), big_site_url, "廷江", cold=False)
    finally:
        context.close()
    print(f"\n2,000 records: cold first query {cold['ms']:.0f} ms, {cold['bytes']} B; "
          f"warm {name['ms']:.0f} ms")
    assert "/exemplars/units/kanghong/" in _hrefs(cold)
    assert "/exemplars/members/wang-tingjiang/" in _hrefs(name)
    assert cold["bytes"] <= MAX_FIRST_QUERY_BYTES
    assert name["ms"] < MAX_MS
