"""The portal in the built HTML: one <h1> and no duplicate id on any page,
the home page made from the records, samples counted apart, the editors'
note only in the preview, Chinese heading anchors, the footer's links in the
offline bundle."""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from scripts.build.pipeline import build_offline, build_site
from tests.portal_checks import duplicates, page_facts
from tests.portal_repo import FIGURES, UNITS, write_real_records


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    from tests.conftest import Repo
    work = tmp_path_factory.mktemp("real")
    repo = Repo(work, with_content=False)
    write_real_records(repo)
    return build_site(repo.path, work / "site")


def assert_every_page_has_one_h1_and_unique_ids(site: Path):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for p in pages:
        facts = page_facts(p.read_text(encoding="utf-8"))
        rel = p.relative_to(site).as_posix()
        assert facts.h1 == 1, (rel, facts.h1)
        assert duplicates(facts.ids) == [], rel


def test_every_shipped_page_has_one_h1_and_no_duplicate_id(built_site):
    assert_every_page_has_one_h1_and_unique_ids(built_site)


def test_every_page_without_samples_has_one_h1_and_no_duplicate_id(real_site):
    assert_every_page_has_one_h1_and_unique_ids(real_site)


def test_headings_get_chinese_anchors(built_site):
    html = (built_site / "sandong/index.html").read_text(encoding="utf-8")
    assert 'id="机制推动"' in html and 'id="_1"' not in html
    for p in built_site.rglob("*.html"):
        assert not re.search(r'<h[1-6] id="_\d+"', p.read_text(encoding="utf-8")), p


def test_the_home_page_is_made_from_the_records(real_site):
    home = (real_site / "index.html").read_text(encoding="utf-8")
    text = text_of(home)
    for name, *_ in UNITS.values():
        assert name in text
    for title in ("王红", "《田野守望》", "我市举办春季党员培训班", "冬季走访困难党员"):
        assert title in text, title
    values = [text_of(v).replace(" ", "") for v in re.findall(r'<p class="zlt-figure__value">(.*?)</p>', home)]
    assert values == [f"{v}{q}{u}" for _, v, q, u, _, featured in FIGURES if featured]
    assert "本站共收录先进典型 2 个。" in text and "其中示例" not in text
    assert "12:30" in text and "扎兰屯电视台播出" in text           # a film's duration and broadcaster
    # No 红色短信 was published: the column is left out, not shown empty.
    assert "红色短信" not in text and "暂无" not in text
    # The headline: the newest post with its own photo, loaded first.
    headline = re.search(r'<div class="zlt-headline">(.*?)</div>', home, re.S).group(1)
    assert "media/photos/huiyi.jpg" in headline and 'fetchpriority="high"' in headline
    assert "我市举办春季党员培训班" in headline


def test_samples_are_counted_apart_and_listed_after_the_real_records(built_site):
    from scripts.records.loader import load_all
    records, _ = load_all(Path(__file__).resolve().parent / "fixtures" / "site")
    units_ = [r for r in records if r.kind.name == "unit" and r.is_published]
    units = (built_site / "exemplars/units/index.html").read_text(encoding="utf-8")
    assert f"本站共收录先进典型 {len(units_)} 个，其中示例 {sum(r.is_sample for r in units_)} 个" in text_of(units)
    rural = (built_site / "exemplars/units/sector/1/index.html").read_text(encoding="utf-8")
    cards = re.findall(r'href="\.\./\.\./([a-z0-9-]+)/"', rural)
    assert cards[0] == "moguqi-dangwei"       # the real record before the samples


def test_record_pages_show_no_editors_note_but_the_preview_does(full_repo, built_site, tmp_path):
    public = text_of((built_site / "exemplars/units/moguqi-dangwei/index.html").read_text(encoding="utf-8"))
    assert "原文" not in public and "本页不作补充" not in public
    preview = build_site(full_repo.path, tmp_path / "preview", preview=True)
    shown = text_of((preview / "exemplars/units/moguqi-dangwei/index.html").read_text(encoding="utf-8"))
    assert "编辑备注" in shown and "未给出评比名次" in shown


def test_every_footer_link_of_the_offline_bundle_is_a_file_in_it(full_repo, tmp_path):
    bundle = build_offline(full_repo.path, tmp_path / "offline.zip")
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        # 404.html is MkDocs' page for a server's wrong address, built with
        # root-absolute links for any folder; file:// never shows it.
        pages = [n for n in names if n.endswith(".html") and not n.endswith("/404.html")]
        assert len(pages) > 10
        for name in pages:
            html = z.read(name).decode("utf-8")
            footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
            assert "MkDocs" not in footer and "Material" not in footer
            for href in re.findall(r'href="([^"]+)"', footer):
                if re.match(r"https?://", href):
                    continue          # the registration link, 相关链接: other sites
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(href)))
                assert target in names, (name, href)
