"""`make print`: the 先进典型事迹材料汇编 and the 专题片目录 of a content
repository, read back from the PDFs with poppler and zbar (tests/pdf_reading.py).

The repository is the test fixture's (real records of the source and a few
samples, tests/fixtures/site) with a site address of its own, a draft, and,
for the run with --samples, a sample holding a photo, a table and more
photos. Every expectation comes from the records as the loader reads them,
so the tests hold for any content.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.check.safety import rendered_html
from scripts.records.loader import load_all
from tests.pdf_reading import (A4, TEXT_BLOCK, fonts, lines, page_count, page_sizes, page_texts, qr_codes,
                               render_png, squeeze)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://dangjian.zhalantun.example/wang/"
COMPILATION = "xianjin-dianxing-huibian.pdf"
CATALOGUE = "zhuantipian-mulu.pdf"
COMPILED = ("unit", "member")
_BLOCKS = re.compile(r"<(p|li|h[1-6]|td|th)\b[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]*>")
_FOOTER = re.compile(r"—\s*(\d+)\s*—")
_TOC_ENTRY = re.compile(r"^(.*?)[\s·.]*?·+[\s·]*(\d+)$")


def cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "print", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})})


def set_site_url(root: Path, url: str) -> None:
    config = root / "网站设置.yml"
    text = re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


def jpeg(width: int, height: int) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG", quality=80)
    return out.getvalue()


def story_blocks(record, root: Path) -> list[str]:
    """The text of each paragraph, heading, list item and cell of a story,
    without whitespace."""
    page = rendered_html(record.body, root / "mkdocs.yml")
    return [t for t in (squeeze(_TAG.sub("", m.group(2))) for m in _BLOCKS.finditer(page)) if t]


def unescape(text: str) -> str:
    import html
    return html.unescape(text)


def draft_and_repo(tmp_path_factory, name: str):
    from tests.conftest import Repo
    repo = Repo(tmp_path_factory.mktemp(name), with_content=True)
    set_site_url(repo.path, SITE_URL)
    repo.write("exemplars/units/caogao-dangzhibu.md", """\
        ---
        name: 草稿待审党支部
        sector: 社区
        summary: 尚未发布的草稿，不应印出。
        status: draft
        ---

        草稿正文不应出现在汇编里。
        """)
    return repo


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """`python -m scripts print` on the fixture repository: (root, dist)."""
    repo = draft_and_repo(tmp_path_factory, "print")
    done = cli(repo.path)
    assert done.returncode == 0, done.stderr
    assert f"dist/{COMPILATION}" in done.stdout and f"dist/{CATALOGUE}" in done.stdout, done.stdout
    return repo.path, repo.path / "dist"


@pytest.fixture(scope="module")
def with_samples(tmp_path_factory):
    """`print --samples`, with a sample unit that has a photo, more photos
    and a table in its story: (root, dist)."""
    repo = draft_and_repo(tmp_path_factory, "print-samples")
    repo.write("media/photos/test-photo.jpg", jpeg(1600, 1000))
    repo.write("media/photos/test-photo-2.jpg", jpeg(800, 1200))
    rows = "\n".join(f"| 第{i}季度 | {i * 3} 次 | 示例表格第{i}行 |" for i in range(1, 6))
    (repo.path / "exemplars/units/sample-with-photo.md").write_text(
        "---\n"
        "name: 示例照片党支部\n"
        "sector: 两新组织\n"
        "town: 示例镇\n"
        "summary: 示例记录：带照片和表格的先进典型。\n"
        "photo: media/photos/test-photo.jpg\n"
        "photo_alt: 示例照片说明：党员在田间开展志愿服务\n"
        "photos:\n"
        "  - file: media/photos/test-photo-2.jpg\n"
        "    alt: 示例第二张照片的说明\n"
        "sample: true\n"
        "status: published\n"
        "---\n\n"
        "## 主要做法\n\n"
        "示例正文第一段：支部建在产业链上。\n\n"
        "| 时间 | 活动 | 说明 |\n| --- | --- | --- |\n" + rows + "\n", encoding="utf-8")
    done = cli(repo.path, "--samples")
    assert done.returncode == 0, done.stderr
    return repo.path, repo.path / "dist"


def compiled(root: Path, samples: bool = False):
    records, _ = load_all(root)
    return [r for r in records if r.kind.name in COMPILED and r.is_published and (samples or not r.is_sample)]


# --- what is printed --------------------------------------------------------

def test_the_compilation_holds_every_published_unit_and_member_with_its_story(printed):
    root, dist = printed
    text = squeeze("".join(page_texts(dist / COMPILATION, block=True)))
    expected = compiled(root)
    assert expected, "the fixture has published units and members"
    for r in expected:
        assert squeeze(r.title) in text, r.id
        if r["summary"]:
            assert squeeze(r["summary"]) in text, r.id
        blocks = story_blocks(r, root)
        assert blocks, f"{r.id} has a story"
        for block in blocks:
            assert unescape(block) in text, f"{r.id}: {block[:40]}"


def test_no_sample_and_no_draft_is_printed_without_the_flag(printed):
    root, dist = printed
    records, _ = load_all(root)
    left_out = [r for r in records if r.is_sample or not r.is_published]
    assert any(r.is_sample for r in left_out) and any(not r.is_published for r in left_out)
    for name in (COMPILATION, CATALOGUE):
        text = squeeze("".join(page_texts(dist / name)))
        assert "示例" not in text, name
        for r in left_out:
            assert squeeze(r.title) not in text, (name, r.id)
    assert not list(dist.glob("*-shili.pdf"))


def contents(pdf: Path) -> dict[str, str]:
    """The contents' entries: title (without whitespace) → printed page number."""
    full, block = page_texts(pdf), page_texts(pdf, block=True)
    out, pending = {}, ""
    toc_pages = [i for i, t in enumerate(full) if squeeze(block[i]).startswith("目录")]
    assert toc_pages, "a contents page"
    for i in toc_pages:
        for line in block[i].splitlines():
            line = line.strip()
            if not line or squeeze(line) == "目录":
                continue
            m = _TOC_ENTRY.match(line)
            if m:
                out[squeeze(pending + m.group(1))] = m.group(2)
                pending = ""
            else:
                pending += line   # a long title, wrapped
    return out


def footer_numbers(pdf: Path) -> list[str | None]:
    """The page number printed at the foot of each page (None where there is none)."""
    out = []
    for text in page_texts(pdf):
        last = text.strip().splitlines()[-1] if text.strip() else ""
        m = _FOOTER.search(last)
        out.append(m.group(1) if m else None)
    return out


def start_pages(pdf: Path, records) -> dict[str, list[int]]:
    """Record id → the pages (0-based) whose text block opens with its title
    (after the part's and the sector's headings, for the first of a group)."""
    block = page_texts(pdf, block=True)
    out = {}
    for r in records:
        title = squeeze(r.title)
        out[r.id] = [i for i, t in enumerate(block)
                     if title in squeeze("".join(t.strip().splitlines()[:6]))
                     and not squeeze(t).startswith("目录")]
    return out


def test_each_record_starts_a_page_and_the_contents_give_that_page(printed):
    root, dist = printed
    pdf = dist / COMPILATION
    toc, numbers = contents(pdf), footer_numbers(pdf)
    records = compiled(root)
    starts = start_pages(pdf, records)
    for r in records:
        title = squeeze(r.title)
        assert title in toc, f"{r.id} is in the contents"
        assert len(starts[r.id]) == 1, f"{r.id} starts on one page: {starts[r.id]}"
        page = starts[r.id][0]
        assert numbers[page] == toc[title], f"{r.id}: the contents say page {toc[title]}, " \
                                             f"it starts on page {numbers[page]}"
    # The records' pages are numbered 1, 2, 3 … from the first record on.
    arabic = [int(n) for n in numbers if n]
    assert arabic == list(range(1, len(arabic) + 1))
    assert "编印说明" in toc


def test_running_headers_name_the_document_the_part_and_the_sector(printed):
    root, dist = printed
    pdf = dist / COMPILATION
    headers = [squeeze(t) for t in page_texts(pdf, header=True)]
    records = compiled(root)
    starts = start_pages(pdf, records)
    for r in records:
        header = headers[starts[r.id][0]]
        assert "先进典型事迹材料汇编" in header, r.id
        assert ("先进基层党组织" if r.kind.name == "unit" else "优秀共产党员") in header, (r.id, header)
        if r.kind.name == "unit":
            assert r["sector"] in header, (r.id, header)
    assert not headers[0], "the cover has no header"


def test_fonts_are_embedded_subsets_and_pages_are_a4(printed):
    _, dist = printed
    for pdf in (dist / COMPILATION, dist / CATALOGUE):
        found = fonts(pdf)
        assert found, pdf.name
        assert all(f.embedded and f.subset for f in found), [f for f in found if not (f.embedded and f.subset)]
        names = " ".join(f.name for f in found)
        assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names, names
        sizes = page_sizes(pdf)
        assert len(sizes) == page_count(pdf)
        assert all(abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5 for w, h in sizes), (pdf.name, sizes)


def test_the_colophon_says_what_was_printed(printed):
    root, dist = printed
    last = squeeze(page_texts(dist / COMPILATION)[-1])
    assert "编印说明" in last
    units = [r for r in compiled(root) if r.kind.name == "unit"]
    assert f"先进基层党组织{len(units)}篇" in last
    assert "记录未纳入git版本管理" in last      # the scratch repository is not in git
    assert "生成时间" in last


# --- the film catalogue -------------------------------------------------------

def test_the_catalogue_lists_every_published_film_with_a_code_to_its_page(printed, tmp_path):
    root, dist = printed
    pdf = dist / CATALOGUE
    text = squeeze("".join(page_texts(pdf)))
    records, _ = load_all(root)
    films = [r for r in records if r.kind.name == "video" and r.is_published and not r.is_sample]
    assert films
    for r in films:
        assert squeeze(f"《{r.title}》") in text, r.id
        for b in r["broadcasts"] or []:
            assert squeeze(b["channel"]) in text, r.id
        for value in (r["year"], r["duration"]):
            if value:
                assert str(value) in text, r.id
    found = []
    for page in range(1, page_count(pdf) + 1):
        found += qr_codes(render_png(pdf, tmp_path / f"catalogue-{page}", page, dpi=200))
    assert sorted(found) == sorted(f"{SITE_URL}exemplars/videos/{r.id}/" for r in films)


# --- samples, only when asked for -------------------------------------------------

def test_samples_are_printed_only_with_the_flag_and_every_page_says_so(with_samples):
    root, dist = with_samples
    assert not (dist / COMPILATION).exists()     # a print with samples has a name of its own
    pdf = dist / COMPILATION.replace(".pdf", "-shili.pdf")
    pages = page_texts(pdf)
    for number, text in enumerate(pages, 1):
        assert "示例" in text, f"page {number} is not marked"
    text = squeeze("".join(page_texts(pdf, block=True)))
    for r in compiled(root, samples=True):
        assert squeeze(r.title) in text, r.id
    catalogue = dist / CATALOGUE.replace(".pdf", "-shili.pdf")
    assert all("示例" in t for t in page_texts(catalogue))


def test_photos_are_printed_with_their_captions_and_tables_keep_their_rows(with_samples):
    root, dist = with_samples
    pdf = dist / COMPILATION.replace(".pdf", "-shili.pdf")
    text = squeeze("".join(page_texts(pdf, block=True)))
    assert "示例照片说明：党员在田间开展志愿服务" in text
    assert "示例第二张照片的说明" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    assert len([line for line in images.splitlines()[2:] if " image " in line]) >= 2
    # Each row of the table on one page, whole.
    pages = page_texts(pdf, block=True)
    for i in range(1, 6):
        row = squeeze(f"第{i}季度{i * 3}次示例表格第{i}行")
        assert sum(row in squeeze(p) for p in pages) == 1, i


# --- the way editors use it ---------------------------------------------------------

def test_a_record_with_an_error_stops_the_print_and_writes_nothing(tmp_path):
    from tests.conftest import Repo
    repo = Repo(tmp_path, with_content=True)
    bad = repo.write("exemplars/units/bad-unit.md", """\
        ---
        name: 有错误的党支部
        sector: 不存在的领域
        status: published
        ---

        正文。
        """)
    done = cli(repo.path)
    assert done.returncode == 1
    assert "exemplars/units/bad-unit.md:3" in done.stderr and "未生成 PDF" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (repo.path / "dist").exists() or not list((repo.path / "dist").glob("*.pdf"))
    assert bad.exists()


def test_the_same_records_print_the_same_bytes(tmp_path):
    from tests.conftest import Repo
    repo = Repo(tmp_path, with_content=True)
    env = {"SOURCE_DATE_EPOCH": "1764547200"}   # 2025-12-01 00:00 UTC
    first = cli(repo.path, "--out", str(tmp_path / "a"), env=env)
    second = cli(repo.path, "--out", str(tmp_path / "b"), env=env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    for name in (COMPILATION, CATALOGUE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    colophon = squeeze(page_texts(tmp_path / "a" / COMPILATION)[-1])
    assert "2025年12月1日08:00（北京时间）" in colophon


def test_the_colophon_names_the_commit(tmp_path):
    from tests.conftest import Repo
    repo = Repo(tmp_path, with_content=True)
    git = ["git", "-C", str(repo.path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "records"], check=True)
    commit = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    done = cli(repo.path)
    assert done.returncode == 0, done.stderr
    colophon = squeeze(page_texts(repo.path / "dist" / COMPILATION)[-1])
    assert f"git提交{commit}" in colophon
    assert "尚未提交的修改" not in colophon


def test_nothing_is_fetched_from_another_host_or_outside_the_repository(tmp_path):
    from weasyprint.urls import URLFetchingError
    from scripts.print.typeset import _fetcher
    inside = tmp_path / "repo"
    (inside / "media").mkdir(parents=True)
    (inside / "media" / "a.png").write_bytes(b"x")
    (tmp_path / "secret.txt").write_text("x")
    fetch = _fetcher([inside])
    assert fetch.fetch((inside / "media" / "a.png").as_uri())
    for url in ("http://example.org/a.png", "https://example.org/a.png", (tmp_path / "secret.txt").as_uri(),
                (inside / ".." / "secret.txt").as_uri(), "ftp://example.org/a"):
        with pytest.raises((URLFetchingError, ValueError)):
            fetch.fetch(url)


def test_the_web_build_neither_imports_nor_waits_for_print(tmp_path):
    from tests.conftest import Repo
    repo = Repo(tmp_path, with_content=True)
    code = ("import sys; from pathlib import Path; from scripts.build.pipeline import build_site; "
            f"site = build_site(Path({str(repo.path)!r})); "
            "bad = sorted(m for m in sys.modules if m.startswith(('weasyprint', 'scripts.print'))); "
            "assert not bad, bad; "
            "assert not list(site.rglob('*.pdf')), 'a PDF in the site'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
