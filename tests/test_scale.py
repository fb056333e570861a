"""A few hundred synthetic records built end to end (strict: every link must
resolve): every record has its page, every list paginates, no page is too big.
Correctness only; the timings are `make bench`'s (scripts/dev/bench.py)."""
from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest
import yaml

from scripts.build.pipeline import build_site
from scripts.render import pagination
from scripts.records.schema import schema_for
from scripts.render.site import HOME_MAX
from scripts.progress import Progress
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH
from scripts.records.loader import load_all
from scripts.dev.synth import generate

pytestmark = pytest.mark.slow

COUNT = 300
PAGE_SIZE = 10          # small pages, so that a few hundred records make many
PAGE_LIMIT = 150 * 1024
MOST = 2 * PAGE_SIZE   # a list page's most items (render.pagination)


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    generate(root, COUNT, seed=1)
    with_page_size(root, PAGE_SIZE)
    site = build_site(root, root / "site")
    records, _ = load_all(root)
    return root, site, records


def with_page_size(root: Path, size: int) -> None:
    """Give the repository its own model: the project's, with every paginated
    list (and derived list) at `size` items a page."""
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    for spec in [*model["kinds"].values(), *model.get("pages", {}).values()]:
        listing = spec.get("list", spec)
        if listing.get("page_size"):
            listing["page_size"] = size
    target = root / SCHEMA_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(model, allow_unicode=True, sort_keys=False), encoding="utf-8")


def url_dir(doc_path: str) -> str:
    """The folder of the page built from a Markdown path of the docs dir."""
    return doc_path[: -len("index.md")] if doc_path.endswith("index.md") else doc_path[: -len(".md")] + "/"


def page(site: Path, doc_path: str) -> str:
    return (site / url_dir(doc_path) / "index.html").read_text(encoding="utf-8")


def list_pages(site: Path, first: str) -> list[str]:
    """The pages of a paginated list, followed through its 下一页 links."""
    paths, html = [first], page(site, first)
    while (m := re.search(r'<a href="([^"]+)">下一页</a>', html)):
        assert len(paths) < 1000
        base = site / url_dir(paths[-1])
        target = (base / m.group(1)).resolve().relative_to(site.resolve()).as_posix()
        paths.append(target.rstrip("/") + "/index.md")
        html = page(site, paths[-1])
    return paths


def test_every_record_has_its_page(synth_site):
    root, site, records = synth_site
    assert len(records) == COUNT and all(r.is_sample for r in records)
    for r in records:
        if r.kind.name == "news":
            html = (site / "news" / r.id / "index.html").read_text(encoding="utf-8")
        elif r.kind.is_list_file:
            continue
        else:
            html = page(site, r.kind.doc_path(r.id))
        assert "示例" in html, r.id


@pytest.mark.parametrize("kind, first", [("member", "exemplars/members/index.md"),
                                         ("video", "exemplars/videos/index.md"),
                                         ("sms", "exemplars/sms/index.md")])
def test_lists_paginate_and_hold_every_record_once(synth_site, kind, first):
    root, site, records = synth_site
    items = [r for r in records if r.kind.name == kind]
    paths = list_pages(site, first)
    assert len(paths) >= math.ceil(len(items) / MOST) > 1
    seen = []
    for n, path in enumerate(paths, 1):
        html = page(site, path)
        found = re.findall(r'(?:href="(?:[^"]*/)?|id=")(synth-[a-z]+-\d{5})', html)
        mine = [i for i in dict.fromkeys(found) if i.startswith(f"synth-{kind}-")]
        assert 0 < len(mine) <= MOST, path
        seen += mine
        text = re.sub(r"<[^>]+>", "", html)
        if n == 1:
            assert f"第 1 页，共 {len(paths)} 页" in text and "上一页</a>" not in html
        else:   # no number that would change with the list's length (render.pagination)
            assert "上一页</a>" in html and "首页</a>" in html and f"共 {len(paths)} 页" not in text
            # What the page holds is said in its title, and not again above the buttons.
            pager = re.search(r'<p class="zlt-pager">(.*?)</p>', html, re.S)
            assert pager and re.sub(r"<[^>]+>", "", pager.group(1)).startswith("翻页："), path
    assert sorted(seen) == sorted(r.id for r in items)


def test_sectors_too_long_for_the_index_get_pages_of_their_own(synth_site):
    root, site, records = synth_site
    units = [r for r in records if r.kind.name == "unit"]
    index = page(site, "exemplars/units/index.md")
    sectors = {}
    for r in units:
        sectors.setdefault(r["sector"], []).append(r.id)
    assert any(len(ids) > PAGE_SIZE for ids in sectors.values())
    seen = []
    for n, (sector, ids) in enumerate(sectors.items()):
        assert f"{sector}（{len(ids)} 个）" in index
    for folder in sorted((site / "exemplars/units/sector").iterdir()):
        paths = list_pages(site, f"exemplars/units/sector/{folder.name}/index.md")
        found = []
        for path in paths:
            found += re.findall(r'href="(?:[^"]*/)?(synth-unit-\d{5})/"', page(site, path))
        if len(set(found)) > PAGE_SIZE:
            assert f'href="sector/{folder.name}/"' in index
        seen += found
    assert sorted(set(seen)) == sorted(r.id for r in units)


def test_honours_and_news_paginate_and_the_home_page_is_bounded(synth_site):
    root, site, records = synth_site
    honours = list_pages(site, "honours.md")
    held = sum(len(r["honours"] or []) for r in records if r.kind.name in ("unit", "member"))
    assert len(honours) >= math.ceil(held / MOST) > 1
    news = sum(r.kind.name == "news" for r in records)
    pages = list_pages(site, "news/index.md")
    assert len(pages) >= math.ceil(news / MOST) > 1
    home = (site / "index.html").read_text(encoding="utf-8")
    # The portal's parts are bounded (the model's `show.home.count`, at most
    # HOME_MAX): cards of each sector, members, films, news.
    count = {name: min(k.show.home.count, HOME_MAX) for name, k in schema_for(root).kinds.items() if k.show.home}
    sectors = {r["sector"] for r in records if r.kind.name == "unit"}
    shown = set(re.findall(r'href="exemplars/(?:units|members)/(synth-[a-z]+-\d+)/"', home))
    assert 0 < len(shown) <= count["unit"] * len(sectors) + count["member"]
    films = set(re.findall(r'href="exemplars/videos/(synth-[a-z]+-\d+)/"', home))
    assert 0 < len(films) <= count["video"]
    posts = set(re.findall(r'href="news/(synth-[a-z]+-\d+)/"', home))
    assert 0 < len(posts) <= count["news"]


def test_no_page_is_over_150_kb(synth_site):
    root, site, records = synth_site
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    assert len(sizes) > COUNT * 0.7
    assert max(sizes.values()) <= PAGE_LIMIT, max(sizes, key=sizes.get)


def test_synth_is_deterministic_and_never_writes_into_the_repository(tmp_path, root):
    generate(tmp_path / "a", 120, seed=7)
    generate(tmp_path / "b", 120, seed=7)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b
    generate(tmp_path / "c", 120, seed=8)
    first_sms = Path("exemplars/sms/synth-sms-00001.yml")
    assert (tmp_path / "c" / first_sms).read_bytes() != a[first_sms]
    with pytest.raises(ValueError):
        generate(root, 10)
    with pytest.raises(ValueError):
        generate(root.parent, 10)


def test_progress_speaks_for_long_steps_only():
    out = io.StringIO()
    p = Progress("校验记录", 3000, stream=out)
    for _ in range(3000):
        p.step()
    lines = out.getvalue().splitlines()
    assert lines[0] == "正在校验记录 1/3000" and lines[-1] == "正在校验记录 3000/3000"
    assert len(lines) < 10  # throttled
    quiet = io.StringIO()
    small = Progress("校验记录", 20, stream=quiet)
    for _ in range(20):
        small.step()
    assert quiet.getvalue() == ""


def test_pager_links_a_window_of_pages():
    items = [f"item-{n:03d}" for n in range(300)]
    pages = pagination.paginate(items, "exemplars/members/index.md", per_page=10)
    assert len(pages) >= 20
    pager, chunk = pages[4]
    assert pager.path(1) == "exemplars/members/index.md"
    assert pager.previous == pages[3][0].path(4) != pager.next == pages[5][0].path(6)
    assert re.fullmatch(r"exemplars/members/page/[0-9a-f]{10}\.md", pager.next)
    assert pager.window() == [1, 3, 4, 5, 6, 7, len(pages)]
    assert pagination.paginate([], "honours.md")[0][0].count == 1
    assert pagination.page_paths("honours.md", [[1], [2]], key=str)[1].startswith("honours/page/")
