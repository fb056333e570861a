"""The live content (exemplars/, content/), whatever the department puts there:
only invariants that hold for any valid content. It checks clean; every
published record has its page, titled with its name, and is on its list;
drafts are not published; samples say so on their page; no listed typo and
none of the source's boilerplate reaches a page; nothing loads from another
host; no page is over 150 KB."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.build.pipeline import build_site
from scripts.check import check_repository, errors
from scripts.check.lint import Linter, load_lists

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "seed" / "000_1c554b14bc11d62e.txt"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    snap, problems = check_repository(ROOT)
    site = build_site(ROOT, tmp_path_factory.mktemp("live") / "site")
    return snap, problems, site


def page_of(site: Path, record) -> Path:
    return site / record.kind.url.format(id=record.id) / "index.html"


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_live_content_checks_clean(shipped):
    _, problems, _ = shipped
    assert errors(problems) == [], "\n".join(map(str, errors(problems)))


def test_every_published_record_has_its_page_and_drafts_have_none(shipped):
    snap, _, site = shipped
    for r in snap.records:
        if r.kind.is_list_file:
            continue
        page = page_of(site, r)
        if not r.is_published:
            assert not page.exists(), r.path
            continue
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert r.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in title, (r.path, title)
        if r.is_sample:
            assert "示例" in text_of(html), r.path


def test_every_published_record_is_on_its_list(shipped):
    """Followed through the pages of its kind's list (and its groups): a reader
    can reach every record from the menu."""
    snap, _, site = shipped
    for kind in snap.schema.kinds.values():
        wanted = {r.id for r in snap.records if r.kind is kind and r.is_published}
        if kind.is_list_file or not wanted:
            continue
        folder = site / kind.list_folder
        seen = set()
        for page in folder.rglob("index.html"):
            rel = page.parent.relative_to(folder).as_posix()
            if rel != "." and rel.split("/")[0] in wanted:
                continue  # a record's own page
            seen |= set(re.findall(r'href="(?:\.\./)*(?:\./)?([a-z0-9-]+)/"', page.read_text(encoding="utf-8")))
        assert wanted <= seen, sorted(wanted - seen)[:10]


def test_no_listed_typo_and_no_boilerplate_reaches_a_page(shipped):
    """The typo lint (word boundaries, the allowlist) on every page's text as
    built, templates included; and none of the source's hosting boilerplate."""
    _, _, site = shipped
    linter = Linter(*load_lists(ROOT))
    boilerplate = [line[2:20] for line in SOURCE.read_text(encoding="utf-8").splitlines()[1:4]
                   if len(line) > 20] if SOURCE.exists() else []
    for page in site.rglob("*.html"):
        text = text_of(page.read_text(encoding="utf-8"))
        if linter.may_have_findings(text):
            for line in text.splitlines():
                assert not linter.findings(line), (page, line)
        for line in boilerplate:
            assert line not in text, (page, line)


class PageAssets(HTMLParser):
    """Every URL a page would load: scripts, styles, images, media, frames."""
    LOADS = {"script": "src", "img": "src", "iframe": "src", "video": "poster",
             "source": "src", "track": "src", "audio": "src", "embed": "src", "object": "data"}

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") in ("stylesheet", "preload", "icon", "preconnect", "modulepreload"):
            self.urls.append(a.get("href") or "")
        elif tag in self.LOADS and a.get(self.LOADS[tag]):
            self.urls.append(a[self.LOADS[tag]])
        for value in a.values():
            if value and "url(" in value:
                self.urls += re.findall(r"url\(([^)]+)\)", value)


def test_nothing_loads_from_another_host_and_no_page_is_too_big(shipped):
    _, _, site = shipped
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert len(html.encode("utf-8")) < 150 * 1024, page
        parser = PageAssets()
        parser.feed(html)
        for url in parser.urls:
            assert not re.match(r"^(https?:)?//", url.strip()), (page, url)


def test_without_samples_no_page_shows_a_sample_notice(shipped):
    snap, _, site = shipped
    if any(r.is_sample for r in snap.records):
        pytest.skip("the live content still has sample records (make release refuses them)")
    for page in site.rglob("*.html"):
        assert "示例记录" not in text_of(page.read_text(encoding="utf-8")), page
