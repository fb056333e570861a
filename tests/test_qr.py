"""QR codes of the record pages (scripts/records/qr.py, templates/partials/qr.md.j2):
every page of a record of its own carries its own address under site_url for
the browser to draw as a code (assets/zlt/qr.js with the vendored lean-qr;
drawn and read back in tests/browser/test_qr_print.py), the build writes no
file per record, and print's code reads back (zbarimg) as that address."""
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
_FIGURE = re.compile(r'<details class="zlt-qr">.*?</details>\s*((?:<script [^>]*></script>\s*)+)', re.S)
_DATA = re.compile(r'<figure class="zlt-qr__figure" data-qr="([^"]+)">')
_SCRIPT = re.compile(r'<script src="([^"]+)" defer></script>')
# Every script the code needs, in the order the page must run them.
SCRIPTS = ["assets/vendor/lean-qr.js", "assets/zlt/qr.js"]


def record_pages(site: Path):
    root = site.parent
    records, _ = load_all(root)
    base = site_url(root)
    for r in records:
        if r.kind.name in PAGE_KINDS and r.is_published:
            url = record_url(base, r.kind, r.id)
            yield r, url, site / r.kind.url.format(id=r.id) / "index.html"


def test_every_record_page_carries_its_own_address_for_the_code(built_site):
    seen = set()
    for r, url, page in record_pages(built_site):
        found = list(_FIGURE.finditer(page.read_text(encoding="utf-8")))
        assert len(found) == 1, f"{page}: one QR code"
        whole, tags = found[0].group(0), found[0].group(1)
        assert _DATA.findall(whole) == [url], page
        assert url in whole.split("<figcaption>")[1], "the address is printed under the code"
        folder = page.parent.relative_to(built_site).as_posix()
        scripts = [posixpath.normpath(posixpath.join(folder, src)) for src in _SCRIPT.findall(tags)]
        assert scripts == SCRIPTS, page
        seen.add(r.kind.name)
    assert seen == set(PAGE_KINDS), seen
    for script in SCRIPTS:
        assert (built_site / script).is_file(), script
    # No file per record: the browser draws the code.
    assert not (built_site / "assets" / "qr").exists()
    assert not list(built_site.rglob("*qr*.svg"))


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
    text = (repo.path / "网站设置.yml").read_text(encoding="utf-8")
    (repo.path / "网站设置.yml").write_text(re.sub(r"(?m)^site_url:.*$", "site_url: ''", text), encoding="utf-8")
    repo.write("exemplars/units/a-unit.md", "---\nname: 示例某党支部\nsector: 农村\nsample: true\nstatus: published\n---\n\n正文。\n")
    from scripts.build.pipeline import generate
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs)
    page = (docs / "exemplars/units/a-unit.md").read_text(encoding="utf-8")
    assert "示例某党支部" in page
    assert "zlt-qr" not in page and "lean-qr" not in page
