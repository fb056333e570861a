"""`make print POSTER=<id>`: an A4 poster of one record, whose QR code (read
by zbarimg from the printed page) opens the record's page under site_url;
one page however long its fields; clear messages for records that cannot
have one. And the preview images of the first pages, for anyone to look at."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.records.loader import load_all
from tests.pdf_reading import A4, fonts, page_count, page_sizes, page_texts, qr_codes, render_png, squeeze
from tests.test_print import SITE_URL, cli, jpeg, set_site_url

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PREVIEW = ROOT / ".build" / "print-preview"
POSTER_KINDS = ("unit", "member", "video", "news")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    from tests.conftest import Repo
    r = Repo(tmp_path_factory.mktemp("posters"), with_content=True)
    set_site_url(r.path, SITE_URL)
    return r


def poster(root: Path, record_id: str, *flags: str) -> Path:
    done = cli(root, "--poster", record_id, *flags)
    assert done.returncode == 0, done.stderr
    suffix = "-shili" if "--samples" in flags else ""
    return root / "dist" / f"poster-{record_id}{suffix}.pdf"


def test_a_poster_of_a_published_record_of_each_kind_leads_to_its_page(repo, tmp_path):
    records, _ = load_all(repo.path)
    done = 0
    for kind in POSTER_KINDS:
        found = [r for r in records if r.kind.name == kind and r.is_published and not r.is_sample]
        if not found:
            continue
        r = found[0]
        pdf = poster(repo.path, r.id)
        assert page_count(pdf) == 1, r.id
        (w, h), = page_sizes(pdf)
        assert abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5
        assert all(f.embedded and f.subset for f in fonts(pdf))
        text = squeeze(page_texts(pdf)[0])
        assert squeeze(r.title) in text and "扫码阅读全文" in text and "示例" not in text
        codes = qr_codes(render_png(pdf, tmp_path / r.id, 1, dpi=100))
        assert codes == [SITE_URL + r.kind.url.format(id=r.id)], r.id
        done += 1
    assert done >= 3, "the fixture has real units, members and films"


def test_the_longest_fields_still_fit_one_page(repo, tmp_path):
    """Fields at the model's maximum lengths, a tall photo, a film with a poster,
    a news post without a summary: one page each, the code still readable."""
    repo.write("media/photos/tall.jpg", jpeg(900, 1800))
    repo.write("media/photos/wide.jpg", jpeg(2400, 1000))
    long_summary = ("示例记录：支部建在产业链上，党员带头发展庭院经济，带动周边农户增收致富。" * 12)[:300]
    repo.write("exemplars/units/sample-longest.md", f"""\
        ---
        name: {("示例呼伦贝尔市扎兰屯市某某镇某某嘎查农民专业合作社联合党总支部委员会" * 2)[:60]}
        sector: 两新组织
        town: 示例某某苏木乡镇
        summary: {long_summary}
        photo: media/photos/tall.jpg
        photo_alt: 示例照片说明，写得比较长，用来检查海报的照片说明在版面上占多少位置，是否仍然只占一页
        honours:
          - {{title: 示例荣誉：先进基层党组织, year: 2010, body: 示例授予单位, level: 扎兰屯市级}}
          - {{title: 示例荣誉：五好党支部, year: 2011, body: 示例授予单位, level: 呼伦贝尔市级}}
          - {{title: 示例荣誉：党建工作示范点, year: 2012, body: 示例授予单位, level: 自治区级}}
        sample: true
        status: published
        ---

        示例正文。
        """)
    repo.write("exemplars/videos/sample-poster-film.md", f"""\
        ---
        title: {("示例专题片：支部建在产业链上，党员带头致富的故事" * 3)[:60]}
        year: 2012
        duration: "25:30"
        broadcasts:
          - {{channel: 示例呼伦贝尔电视台, date: 2012-07-01}}
          - {{channel: 示例远程教育播放站点, date: 2012-08-01}}
        poster: media/photos/wide.jpg
        summary: {long_summary}
        sample: true
        status: published
        ---

        示例简介。
        """)
    repo.write("content/news/posts/sample-long-news.md", f"""\
        ---
        title: {("示例动态：扎兰屯市召开基层党建工作推进会，部署全面抓党建全员抓党建全程抓党建工作" * 2)[:80]}
        date: 2026-11-25
        categories: [示例分类]
        sample: true
        status: published
        ---

        {"示例正文第一段，说明会议的时间、地点和主要内容。" * 12}

        示例正文第二段。
        """)
    for rid in ("sample-longest", "sample-poster-film", "sample-long-news"):
        pdf = poster(repo.path, rid, "--samples")
        assert page_count(pdf) == 1, rid
        text = squeeze(page_texts(pdf)[0])
        assert "示例" in text
        kind = {"sample-longest": "exemplars/units", "sample-poster-film": "exemplars/videos",
                "sample-long-news": "news"}[rid]
        assert qr_codes(render_png(pdf, tmp_path / rid, 1, dpi=100)) == [f"{SITE_URL}{kind}/{rid}/"], rid
    # A news post without a summary: whole sentences of its first paragraph.
    text = squeeze(page_texts(repo.path / "dist" / "poster-sample-long-news-shili.pdf")[0])
    assert "示例正文第一段，说明会议的时间、地点和主要内容。" in text
    assert "示例正文第二段" not in text


@pytest.mark.parametrize("record_id, flags, message", [
    ("no-such-record", (), "找不到编号为“no-such-record”的记录"),
    ("sample-unit-01", (), "是示例记录，印制示例须加 --samples"),
    ("sample-sms-01", ("--samples",), "没有单独的网页"),
])
def test_records_that_cannot_have_a_poster_are_refused_with_a_message(repo, record_id, flags, message):
    before = set((repo.path / "dist").glob("*.pdf")) if (repo.path / "dist").exists() else set()
    done = cli(repo.path, "--poster", record_id, *flags)
    assert done.returncode == 1
    assert message in done.stderr and "未生成 PDF" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    after = set((repo.path / "dist").glob("*.pdf")) if (repo.path / "dist").exists() else set()
    assert after == before


def test_a_draft_cannot_have_a_poster(repo):
    repo.write("exemplars/members/draft-member.md", """\
        ---
        name: 草稿党员
        status: draft
        ---

        草稿。
        """)
    done = cli(repo.path, "--poster", "draft-member")
    assert done.returncode == 1 and "尚未发布" in done.stderr, done.stderr


def test_the_first_pages_are_rendered_for_anyone_to_look_at(repo):
    """.build/print-preview/ (not in git): the compilation's cover, contents and
    first record, and a poster, as PNG."""
    done = cli(repo.path)
    assert done.returncode == 0, done.stderr
    records, _ = load_all(repo.path)
    unit = next(r for r in records if r.kind.name == "unit" and r.is_published and not r.is_sample)
    pdf = poster(repo.path, unit.id)
    shutil.rmtree(PREVIEW, ignore_errors=True)
    compilation = repo.path / "dist" / "xianjin-dianxing-huibian.pdf"
    made = [render_png(compilation, PREVIEW / f"compilation-{n}", n, dpi=100) for n in (1, 2, 3)]
    made.append(render_png(repo.path / "dist" / "zhuantipian-mulu.pdf", PREVIEW / "catalogue-1", 1, dpi=100))
    made.append(render_png(pdf, PREVIEW / "poster-1", 1, dpi=100))
    from PIL import Image
    for png in made:
        with Image.open(png) as im:
            assert abs(im.height / im.width - A4[1] / A4[0]) < 0.01, png
            # Not blank: a page with text and rules has many grey levels.
            assert len(im.convert("L").getcolors(256) or []) > 8, png
    ignored = subprocess.run(["git", "check-ignore", "-q", str(PREVIEW / "poster-1.png")], cwd=ROOT)
    assert ignored.returncode == 0, ".build/ stays out of git"
