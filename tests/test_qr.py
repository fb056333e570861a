"""QR codes of the record pages (scripts/records/qr.py, templates/partials/qr.md.j2):
every page of a record of its own carries the code of its own address under
site_url, as a small file of its own (one SVG path) that loads only when
opened or printed, and the code, printed, reads back (zbarimg) as that address."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from scripts.records.loader import load_all
from scripts.records.qr import qr_svg, record_url, site_url
from scripts.records.schema import schema_for
from tests.pdf_reading import qr_codes, svg_to_png

# Kinds whose page templates include partials/qr.md.j2.
PAGE_KINDS = ("unit", "member", "video", "news")
_FIGURE = re.compile(r'<details class="zlt-qr">.*?</details>', re.S)
_IMG = re.compile(r'<img class="zlt-qr__code" src="([^"]+)" alt="本页二维码：([^"]+)"[^>]*\bloading="lazy"')
MAX_SVG_BYTES = 4096


def record_pages(site: Path):
    root = site.parent
    records, _ = load_all(root)
    base = site_url(root)
    for r in records:
        if r.kind.name in PAGE_KINDS and r.is_published:
            url = record_url(base, r.kind, r.id)
            yield r, url, site / r.kind.url.format(id=r.id) / "index.html"


def code_file(page: Path) -> tuple[Path, str, str]:
    """(the code's file, its alt text's address, the figure's HTML) of a record page."""
    figures = _FIGURE.findall(page.read_text(encoding="utf-8"))
    assert len(figures) == 1, f"{page}: one QR code"
    img = _IMG.search(figures[0])
    assert img, figures[0]
    return Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), img.group(1)))), img.group(2), figures[0]


def test_every_record_page_carries_the_code_of_its_own_address(built_site):
    seen = set()
    for r, url, page in record_pages(built_site):
        svg_file, alt_url, figure = code_file(page)
        assert alt_url == url, page
        assert url in figure.split("<figcaption>")[1], "the address is printed under the code"
        # Small: one path of strokes on a white square, no per-module shapes.
        svg = svg_file.read_text(encoding="utf-8")
        assert len(svg.encode()) <= MAX_SVG_BYTES, (svg_file, len(svg.encode()))
        assert svg.count("<path") == 2 and "<rect" not in svg
        seen.add(r.kind.name)
    assert seen == set(PAGE_KINDS), seen


@pytest.mark.slow   # WeasyPrint, pdftoppm and zbarimg (make system-deps)
def test_the_code_on_a_record_page_reads_back_as_its_address(built_site, tmp_path):
    done = set()
    for r, url, page in record_pages(built_site):
        if r.kind.name in done:
            continue
        svg_file, _, _ = code_file(page)
        assert qr_codes(svg_to_png(svg_file.read_text(encoding="utf-8"), tmp_path / r.id)) == [url], page
        done.add(r.kind.name)
    assert done == set(PAGE_KINDS)


def test_addresses_follow_the_model_and_site_url(root):
    schema = schema_for(root)
    base = "https://example.org/dangjian/"
    assert record_url(base, schema.kinds["unit"], "a-b") == base + "exemplars/units/a-b/"
    assert record_url(base, schema.kinds["news"], "x") == base + "news/x/"
    # Kinds kept in one list file have no page of their own, so no code.
    assert record_url(base, schema.kinds["sms"], "s") is None
    assert record_url(base, schema.kinds["figure"], "f") is None
    assert record_url("", schema.kinds["unit"], "a") is None


@pytest.mark.slow
@pytest.mark.parametrize("url", ["https://example.org/dangjian/exemplars/units/moguqi-dangwei/",
                                 "http://127.0.0.1:8000/news/2026-11-25-some-long-news-id-with-many-words/"])
def test_a_code_reads_back_whatever_the_address(url, tmp_path):
    svg = qr_svg(url)
    assert qr_codes(svg_to_png(svg, tmp_path / "code", size_mm=20)) == [url]


def test_no_code_when_the_site_has_no_address(repo):
    text = (repo.path / "mkdocs.yml").read_text(encoding="utf-8")
    (repo.path / "mkdocs.yml").write_text(re.sub(r"(?m)^site_url:.*$", "site_url: ''", text), encoding="utf-8")
    repo.write("exemplars/units/a-unit.md", "---\nname: 示例某党支部\nsector: 农村\nsample: true\nstatus: published\n---\n\n正文。\n")
    from scripts.build.pipeline import generate
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs)
    page = (docs / "exemplars/units/a-unit.md").read_text(encoding="utf-8")
    assert "示例某党支部" in page
    assert "zlt-qr" not in page
    assert not (docs / "assets" / "qr").exists()
