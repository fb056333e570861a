"""The offline bundle in full, opened from file:// in Chromium: every page
reached from the home page (and the 404 page) is visited, every link and
resource on it resolves to a file inside the bundle (no folder, which
file:// cannot open; no anchor that is not on its page), nothing leaves the
bundle but the official external links, nothing fails to load; a film made
here by ffmpeg plays with its Chinese subtitles showing; the home page says
when the bundle was made. (The bundle has no 404 page: file:// has no server
to show one.)"""
from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.film import CUE, FILM_ID, add_test_film
from tests.test_release import FOOTER, set_footer

# Links that may leave the bundle: the registration authorities the footer must link to.
OFFICIAL_HOSTS = {"beian.miit.gov.cn", "beian.mps.gov.cn", "www.beian.gov.cn"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from scripts.build.pipeline import OFFLINE_NAME, build_offline
    from tests.conftest import Repo

    work = tmp_path_factory.mktemp("offline")
    (work / "repo").mkdir()
    repo = Repo(work / "repo", with_content=True)
    add_test_film(repo.path)
    set_footer(repo, **{k: v for k, v in FOOTER.items() if k != "gov_badge"})   # the ICP link shows
    before = datetime.now(timezone.utc)
    zipped = build_offline(repo.path, work / "dist" / f"{OFFLINE_NAME}.zip")
    with zipfile.ZipFile(zipped) as z:
        z.extractall(work / "unzipped")
    return work / "unzipped" / OFFLINE_NAME, before


LINKS = """() => [...document.querySelectorAll(
    'a[href], link[href], script[src], img[src], source[src], track[src], video[poster], iframe[src]')]
  .map(e => ({tag: e.tagName.toLowerCase(), rel: e.getAttribute('rel') || '',
              url: e.tagName === 'VIDEO' ? e.poster : (e.href || e.src),
              footer: !!e.closest('footer')}))"""


class Crawl:
    def __init__(self, folder: Path):
        self.folder = folder
        self.visited: dict[str, set[str]] = {}     # page → ids on it
        self.broken: list[tuple[str, str, str, bool]] = []   # (page, url, why, in footer)
        self.failed: list[str] = []
        self.outside: list[tuple[str, str]] = []

    def local(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file":
            return None
        return Path(unquote(parts.path))


def crawl(page, folder: Path) -> Crawl:
    found = Crawl(folder)
    # (ERR_ABORTED: a favicon still loading when the crawl moves on; a missing file is ERR_FILE_NOT_FOUND.)
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "")
            else found.failed.append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:"))
            else found.outside.append((page.url, r.url)))
    queue = [(folder / "index.html").as_uri(), (folder / "sitemap.html").as_uri()]
    anchors: list[tuple[str, str, str, bool]] = []
    while queue:
        url = queue.pop()
        path = found.local(url)
        if str(path) in found.visited:
            continue
        page.goto(url)
        found.visited[str(path)] = set(page.evaluate("() => [...document.querySelectorAll('[id], a[name]')]"
                                                     ".map(e => e.id || e.name)"))
        for link in page.evaluate(LINKS):
            target = link["url"]
            parts = urlsplit(target)
            if parts.scheme in ("data", "blob", "javascript", "mailto"):
                continue
            if parts.scheme != "file":
                if parts.hostname not in OFFICIAL_HOSTS:
                    found.outside.append((str(path), target))
                continue
            file = found.local(target)
            if not file.is_relative_to(folder):
                found.broken.append((str(path), target, "leaves the bundle", link["footer"]))
            elif file.is_dir():
                found.broken.append((str(path), target, "a folder (file:// has no index pages)", link["footer"]))
            elif not file.is_file():
                found.broken.append((str(path), target, "no such file", link["footer"]))
            elif file.suffix == ".html":
                if link["tag"] == "a" and link["rel"] != "canonical":
                    queue.append(file.as_uri())
                if parts.fragment:
                    anchors.append((str(path), str(file), unquote(parts.fragment), link["footer"]))
    for source, target, fragment, footer in anchors:
        if target in found.visited and fragment not in found.visited[target]:
            found.broken.append((source, f"{target}#{fragment}", "no such anchor", footer))
    return found


@pytest.fixture(scope="module")
def crawled(browser, bundle):
    folder, _ = bundle
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        yield crawl(page, folder)
    finally:
        context.close()


def test_every_kind_of_page_is_reached_and_nothing_leaves_the_bundle(crawled, bundle):
    folder, _ = bundle
    # Every kind of page is reached by following links from the home page
    # (and the 网站地图, which only the footer links to).
    visited = {Path(p).relative_to(folder).as_posix() for p in crawled.visited}
    for kind in ("exemplars/units/", "exemplars/members/", "exemplars/videos/", "exemplars/sms/",
                 "exemplars/figures/", "news/", "news/category/", "honours", "sandong/"):
        assert any(p.startswith(kind) for p in visited), kind
    assert f"exemplars/videos/{FILM_ID}.html" in visited and "sitemap.html" in visited
    assert len(visited) >= 0.9 * len(list(folder.rglob("*.html")))
    assert not (folder / "404.html").exists()
    assert crawled.outside == []
    assert crawled.failed == []


def test_every_link_and_resource_resolves_inside_the_bundle(crawled):
    broken = [b for b in crawled.broken if not b[3]]
    assert broken == [], broken[:10]


def test_the_footers_links_resolve_inside_the_bundle(crawled):
    broken = [b for b in crawled.broken if b[3]]
    assert broken == [], broken[:10]


def test_the_official_registration_link_is_the_only_way_out(crawled, bundle):
    folder, _ = bundle
    text = (folder / "index.html").read_text(encoding="utf-8")
    assert "https://beian.miit.gov.cn/" in text


def test_the_film_plays_from_file_with_its_subtitles_showing(page, bundle):
    folder, _ = bundle
    film = next(folder.rglob(f"{FILM_ID}.html"))
    page.goto(film.as_uri())
    video = page.locator("article video")
    assert video.evaluate("v => v.querySelector('source').src").startswith(folder.as_uri())
    poster = video.evaluate("v => v.poster")
    assert Path(unquote(urlsplit(poster).path)).is_file()
    video.scroll_into_view_if_needed()    # not under the sticky channel bar
    box = video.bounding_box()
    page.mouse.click(box["x"] + 24, box["y"] + box["height"] - 47)   # the controls' play button
    page.wait_for_function("() => document.querySelector('article video').currentTime > 0.3", timeout=10000)
    assert not video.evaluate("v => v.paused")
    tracks = video.evaluate("""v => [...v.textTracks].map(t => ({kind: t.kind, lang: t.language, mode: t.mode,
        cues: t.cues ? [...t.cues].map(c => c.text) : null, active: [...(t.activeCues || [])].map(c => c.text)}))""")
    assert tracks == [{"kind": "subtitles", "lang": "zh", "mode": "showing", "cues": [CUE], "active": [CUE]}]
    # The download link is the same file.
    href = page.get_by_role("link", name=re.compile("^下载视频")).evaluate("a => a.href")
    assert href == video.evaluate("v => v.querySelector('source').src")


def test_the_home_page_says_when_the_bundle_was_made(page, bundle):
    folder, before = bundle
    page.goto((folder / "index.html").as_uri())
    text = page.locator("article").inner_text()
    m = re.search(r"本离线版生成于 (\d{4}) 年 (\d{1,2}) 月 (\d{1,2}) 日 (\d{2}):(\d{2})（北京时间）", text)
    assert m, text[-300:]
    beijing = timezone(timedelta(hours=8))
    made = datetime(*map(int, m.groups()), tzinfo=beijing)
    assert before.astimezone(beijing).replace(second=0, microsecond=0) <= made <= datetime.now(beijing)


def test_the_film_page_draws_its_qr_code_from_file(page, bundle):
    """The code of the public address, drawn from file:// too (classic
    scripts, no module, nothing fetched)."""
    folder, _ = bundle
    page.goto(next(folder.rglob(f"{FILM_ID}.html")).as_uri())
    code = page.locator(".zlt-qr__code")
    assert code.count() == 1
    address = page.locator(".zlt-qr__figure").get_attribute("data-qr")
    assert address.startswith(("http://", "https://")) and address.endswith(f"/{FILM_ID}/")
    assert code.get_attribute("aria-label") == "本页二维码：" + address
