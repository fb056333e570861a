"""A new column is one entry in the model (issue #22, Must show).

A content repository adds a kind of record, 党务公开 (`decision`), by one
entry in its own scripts/records/schema.yaml and its record files: nothing
else. The real pipeline then gives it record pages, list pages grouped and
paginated as declared, its menu tab and 网站地图 entry, cards with drawn
covers on its list and the home page, search entries, sitemap.xml entries,
the workbench's form and a print poster. A template of its own, where the
repository has one, replaces the default.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, Repo

pytestmark = pytest.mark.slow

SCHEMA = "scripts/records/schema.yaml"

# The one entry: 党务公开 (title, date, village → unit, category, summary, photo).
DECISION = """
  decision:
    label: 党务公开
    plural: 党务公开
    path: exemplars/decisions/*.md
    url: exemplars/decisions/{id}/
    title_field: title
    list: {order: [-date, path], page_size: 2, group_by: category}
    show:
      picture: photo
      cover: place
      facts: ["{date}", "{category}"]
      menu: {label: 党务公开, position: 6}
      home: {position: 8, count: 3, layout: cards}
    fields:
      title: {type: string, required: true, max: 80, label: 标题}
      date: {type: date, required: true, label: 公开日期}
      village: {type: ref_or_text, kinds: [unit], max: 60, label: 所在村（社区）, help: 有典型记录的填其编号，否则直接写名称。}
      category: {type: enum, values: [党务, 村务, 财务], required: true, label: 公开类别}
      summary: {type: text, max: 300, label: 摘要}
      photo: {type: media, media: image, label: 照片}
"""

# (id, title, date, village, category): 党务 has three records, two pages of two.
RECORDS = [
    ("dangfei-shoujiao", "党费收缴情况公示", "2026-03-01", "moguqi-dangwei", "党务"),
    ("fazhan-dangyuan", "发展党员公示", "2026-02-20", "红旗村", "党务"),
    ("zhibu-huanjie", "支部换届选举结果公示", "2026-01-15", "moguqi-dangwei", "党务"),
    ("cunwu-jueyi", "村级公益事业一事一议公示", "2026-02-01", "红旗村", "村务"),
    ("caiwu-shouzhi", "第一季度财务收支公开", "2026-03-10", "红旗村", "财务"),
]


def add_decision_kind(path: Path) -> None:
    """The walk-through: one entry in the repository's own model, record files."""
    model = path / SCHEMA
    model.parent.mkdir(parents=True, exist_ok=True)
    text = (ROOT / SCHEMA).read_text(encoding="utf-8")
    assert text.rstrip().endswith("}") or "kinds:" in text
    model.write_text(text.rstrip("\n") + "\n" + DECISION, encoding="utf-8")
    for rid, title, day, village, category in RECORDS:
        record = path / "exemplars" / "decisions" / f"{rid}.md"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(f"---\ntitle: {title}\ndate: {day}\nvillage: {village}\ncategory: {category}\n"
                          f"summary: 示例记录：{title}，用于展示党务公开栏目。\nsample: true\nstatus: published\n---\n\n"
                          f"{title}的正文。\n", encoding="utf-8")


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The fixture content with the new kind added, built with the real pipeline."""
    work = tmp_path_factory.mktemp("newkind")
    (work / "repo").mkdir()
    repo = Repo(work / "repo", with_content=True)
    before = {p.relative_to(repo.path).as_posix() for p in repo.path.rglob("*") if p.is_file()}
    add_decision_kind(repo.path)
    after = {p.relative_to(repo.path).as_posix() for p in repo.path.rglob("*") if p.is_file()}
    run(repo.path, "build")
    return repo, repo.path / "site", sorted(after - before)


def test_the_walk_through_touches_the_model_and_records_only(walked):
    _, _, added = walked
    product = [p for p in added if not p.startswith("exemplars/decisions/")]
    assert product == [SCHEMA]
    assert len(added) == 1 + len(RECORDS)


def test_each_record_gets_its_page_from_the_default_template(walked):
    _, site, _ = walked
    page = (site / "exemplars/decisions/dangfei-shoujiao/index.html").read_text(encoding="utf-8")
    text = text_of(page)
    assert "<h1" in page and "党费收缴情况公示" in re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "【示例】" in text and "示例记录，用于展示网站" in text                # sample marked
    assert "公开日期：2026年3月1日" in text and "公开类别：党务" in text           # facts with labels
    # The village is a reference: a link to the unit's page, by its name.
    assert re.search(r'所在村（社区）</strong>：<a href="\.\./\.\./units/moguqi-dangwei/">[^<]+</a>', page)
    assert "相关先进典型" not in text                  # linked above already: not listed twice
    assert "党费收缴情况公示的正文" in text and 'data-qr="' in page and "返回党务公开" in text
    free = text_of((site / "exemplars/decisions/fazhan-dangyuan/index.html").read_text(encoding="utf-8"))
    assert re.search(r"所在村（社区）\s*：红旗村", free)                                # free text as it is
    # The unit's page lists the records linking to it, whatever their kind.
    unit = text_of((site / "exemplars/units/moguqi-dangwei/index.html").read_text(encoding="utf-8"))
    assert "相关党务公开" in unit and "支部换届选举结果公示" in unit


def test_its_list_is_grouped_and_paginated_as_declared(walked):
    _, site, _ = walked
    index = (site / "exemplars/decisions/index.html").read_text(encoding="utf-8")
    # Newest first, about two to a page (render.pagination): 5 records on
    # pages named after their first record.
    newest = ["caiwu-shouzhi", "dangfei-shoujiao", "fazhan-dangyuan", "cunwu-jueyi", "zhibu-huanjie"]
    cards = re.findall(r'class="zlt-card__title" href="([a-z-]+)/"', index)
    assert 1 <= len(cards) <= 3 and cards == newest[: len(cards)]
    later = [re.findall(r'class="zlt-card__title" href="\.\./\.\./([a-z-]+)/"', p.read_text(encoding="utf-8"))
             for p in (site / "exemplars/decisions/page").glob("*/index.html")]
    assert later and sorted(cards + sum(later, [])) == sorted(newest)
    # One list per category, in the enum's order, with chips on the index.
    chips = re.findall(r'<a href="(category/\d+/)">([^<]+)</a>', index)
    assert [c[1] for c in chips] == ["党务（3）", "村务（1）", "财务（1）"]
    party = (site / "exemplars/decisions/category/1/index.html").read_text(encoding="utf-8")
    shown = re.findall(r'class="zlt-card__title" href="\.\./\.\./([a-z-]+)/"', party)
    assert shown and shown == ["dangfei-shoujiao", "fazhan-dangyuan", "zhibu-huanjie"][: len(shown)]
    later = "".join(p.read_text(encoding="utf-8")
                    for p in (site / "exemplars/decisions/category/1/page").glob("*/index.html"))
    assert ("支部换届选举结果公示" in later) == (len(shown) < 3)


def test_its_cards_have_covers_on_the_list_and_the_home_page(walked):
    _, site, _ = walked
    index = (site / "exemplars/decisions/index.html").read_text(encoding="utf-8")
    assert '<div class="zlt-cards zlt-cards--place">' in index               # the units' card look
    assert 'src="../../assets/covers/decision/caiwu-shouzhi.svg"' in index
    assert "2026-03-10 · 财务" in text_of(index)                              # its facts line
    cover = (site / "assets/covers/decision/caiwu-shouzhi.svg").read_text(encoding="utf-8")
    assert "党务公开" in cover and "示例" in cover
    home = (site / "index.html").read_text(encoding="utf-8")
    section = re.search(r"<h2[^>]*>党务公开</h2>(.*?)</div>\s*</div>", home, re.S)
    assert section, "a home section of its own"
    shown = re.findall(r'class="zlt-card__title" href="exemplars/decisions/([a-z-]+)/"', section.group(1))
    assert shown == ["caiwu-shouzhi", "dangfei-shoujiao", "fazhan-dangyuan"]     # count: 3
    assert 'src="assets/covers/decision/caiwu-shouzhi.svg"' in section.group(1)
    # After 红色短信 (position 7), its position being 8.
    assert home.index(">红色短信</h2>") < home.index(">党务公开</h2>")


def test_it_has_a_menu_tab_and_a_sitemap_entry(walked):
    _, site, _ = walked
    home = (site / "index.html").read_text(encoding="utf-8")
    tabs = re.search(r'<nav class="md-tabs".*?</nav>', home, re.S).group(0)
    assert re.search(r'href="exemplars/decisions/"[^>]*>\s*党务公开', tabs)
    sitemap = text_of((site / "sitemap/index.html").read_text(encoding="utf-8"))
    assert re.search(rf"党务公开\s*（共 {len(RECORDS)} 条）", sitemap)
    # The home page's tiles beside the news column name it too.
    tiles = re.search(r'<div class="zlt-tiles">(.*?)</div>', home, re.S).group(1)
    assert "党务公开" in tiles


def _search_data(path: Path):
    return json.loads(re.search(r"^zltSearch\.\w\((.*)\);\s*$", path.read_text(encoding="utf-8"), re.S).group(1))


def test_search_and_sitemap_xml_find_its_pages(walked):
    _, site, _ = walked
    from scripts.build.search import shard_of
    pages = dict(_search_data(p) for p in (site / "search" / "p").glob("*.js"))
    number = next(n for n, page in pages.items() if page["u"] == "exemplars/decisions/dangfei-shoujiao/")
    assert "党费收缴情况公示" in pages[number]["t"]
    # The word's pair is in its shard's posting list, with this page in it.
    shards = _search_data(site / "search" / "meta.js")["shards"]
    shard = _search_data(site / "search" / "s" / f"{shard_of('党费', shards)}.js")[1]
    gaps = [int(g) for g in shard["党费"].split("|")[0].split(",")]
    assert number in [sum(gaps[: i + 1]) for i in range(len(gaps))]
    xml = (site / "sitemap.xml").read_text(encoding="utf-8")
    for rid, *_ in RECORDS:
        assert f"/exemplars/decisions/{rid}/</loc>" in xml, rid
    assert "/exemplars/decisions/category/1/</loc>" in xml


def test_the_workbench_has_its_form(walked):
    repo, _, _ = walked
    from scripts.editor.decap import decap_config
    collections = {c["name"]: c for c in decap_config(repo.path)["collections"]}
    form = collections["decision"]
    assert form["label"] == "党务公开" and form["folder"] == "exemplars/decisions"
    fields = {f["name"]: f for f in form["fields"]}
    assert {"title", "date", "village", "category", "summary", "photo", "body"} <= set(fields)
    assert fields["village"]["widget"] == "zlt-ref" and fields["village"]["kinds"] == ["unit"]
    assert [o["value"] for o in fields["category"]["options"]] == ["党务", "村务", "财务"]
    assert fields["photo"]["widget"] == "image"


def test_it_prints_a_poster(walked, tmp_path):
    repo, _, _ = walked
    run(repo.path, "print", "--poster", "dangfei-shoujiao", "--samples", "--out", str(tmp_path))
    pdfs = list(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 1 and "dangfei-shoujiao" in pdfs[0].name
    from tests.pdf_reading import page_texts, squeeze
    assert "党费收缴情况公示" in squeeze("".join(page_texts(pdfs[0])))


def test_a_template_of_its_own_replaces_the_default(tmp_path):
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    add_decision_kind(repo.path)
    repo.write("templates/decision/single.md.j2", """
    {{ {"title": record | record_title, "hide": ["navigation", "toc"]} | front_matter }}
    # {{ record | record_title }}

    本页由党务公开自己的模板生成。
    """)
    from scripts.build.pipeline import generate
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs)
    own = (docs / "exemplars/decisions/dangfei-shoujiao.md").read_text(encoding="utf-8")
    assert "本页由党务公开自己的模板生成。" in own and "公开日期" not in own
    # Its list has no template of its own: still the default.
    assert "zlt-cards--place" in (docs / "exemplars/decisions/index.md").read_text(encoding="utf-8")


def test_a_kind_without_any_template_stops_the_build_saying_so(tmp_path):
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=False)
    add_decision_kind(repo.path)
    shutil.rmtree(repo.path / "templates" / "_default")
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "build"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "党务公开" in done.stderr and "_default/" in done.stderr, done.stderr
