"""The site as readers get it: Debian's nginx, started here on free ports of
127.0.0.1 with the configuration generated from mkdocs.yml and the built
site (scripts/deploy/nginx.py), serving a build of the shipped content plus
a film of the test's own (ffmpeg). Headers, compression, the Chinese 404,
cache rules and what must never be served are checked on the wire; every
kind of page is loaded in Chromium with zero Content-Security-Policy
violations while search, the reading aids and the film player work."""
from __future__ import annotations

import gzip
import http.client
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.build.pipeline import build_site
from scripts.deploy.precompress import precompress
from scripts.dev import nginx_server
from scripts.records.loader import load_all
from tests.browser.film import CUE, add_test_film
from tests.browser.csp_watch import HOST, mapped_browser, violations, watched  # noqa: F401 (fixtures)
from tests.conftest import Repo

SITE_URL = f"https://{HOST}/"
SECRET = "zlt-secret-must-not-be-served"


@dataclass
class Served:
    instance: nginx_server.Instance
    site: Path
    pages: dict[str, str]          # page kind -> path on the site

    @property
    def url(self) -> str:
        return address(self.instance)


def record_path(records, kind: str, rid: str | None = None) -> str:
    """The site path of a published record of `kind` (the first, or `rid`)."""
    r = next(r for r in records if r.kind.name == kind and r.is_published and (rid is None or r.id == rid))
    return r.kind.url.format(id=r.id)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    work = tmp_path_factory.mktemp("nginx")
    (work / "repo").mkdir()
    repo = Repo(work / "repo", with_content=True)
    config = repo.path / "网站设置.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {SITE_URL}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    film = add_test_film(repo.path)
    site = build_site(repo.path, work / "site")
    precompress(site)   # as publishing does (scripts/deploy/publish.py)
    records, _ = load_all(repo.path)
    kinds = {r.kind.name: r.kind for r in records}
    pages = {
        "home": "",
        "exemplar": record_path(records, "unit"),
        "film": record_path(records, "video", film),
        "news list": kinds["news"].list_folder,
        "news post": record_path(records, "news"),
        "数说党建": kinds["figure"].list_folder,
    }
    instance = nginx_server.prepare(repo.path, site, work / "nginx")
    # What a careless upload could put in the web root: none of it may be served.
    for rel in (".git/config", ".git/HEAD", ".env", "exemplars/units/leaked.md", "mkdocs.yml",
                "exemplars/figures/leaked.yml", "templates/unit/single.md.j2", "scripts/build.py", "notes.md.bak"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(SECRET, encoding="utf-8")
    (site / "empty-folder").mkdir()
    (site / "empty-folder" / "photo.png").write_bytes(b"\x89PNG")
    with nginx_server.running(instance):
        yield Served(instance, site, pages)


def address(instance: nginx_server.Instance, scheme: str = "https") -> str:
    """The site's own address on the test's nginx: the configuration answers
    only its server_name (any other host gets no answer)."""
    host = re.search(r"^\s*server_name (?!_;)(\S+);", instance.config, re.M).group(1)
    return f"{scheme}://{host}:{instance.https_port if scheme == 'https' else instance.http_port}/"


class _Local(http.client.HTTPConnection):
    """Any host name, reached at 127.0.0.1 (the test's nginx), as a browser that resolved it would."""
    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)


class _LocalTLS(http.client.HTTPSConnection):
    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)     # SNI: the URL's host


def get(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers with lower-case names, body) without following
    redirects, from 127.0.0.1 whatever the URL's host."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn = _LocalTLS(parts.hostname, parts.port, context=ssl._create_unverified_context(), timeout=30)
    else:
        conn = _Local(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def fingerprinted(site: Path) -> str:
    return next(p for p in sorted(site.rglob("*.min.js")) if re.search(r"\.[0-9a-f]{8}\.min\.js$", p.name)) \
        .relative_to(site).as_posix()


# --- on the wire ----------------------------------------------------------

def test_the_generated_configuration_names_the_site_and_passes_nginx_t(served):
    config = served.instance.config
    assert re.search(r"^\s*server_name dangjian\.test;$", config, re.M)
    assert nginx_server.check_config(served.instance).returncode == 0


def test_every_response_carries_the_security_headers(served):
    for path in ("", served.pages["exemplar"], fingerprinted(served.site), "no/such/page/", ".git/config"):
        status, headers, _ = get(served.url + path)
        policy = headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
        assert directives["default-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert not re.search(r"https?://|\*", policy), "only the site's own origin"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", "no hash"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["permissions-policy"] and "geolocation=()" in headers["permissions-policy"]
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        assert "nginx/" not in headers.get("server", "")


def test_http_is_redirected_to_https(served):
    status, headers, _ = get(address(served.instance, "http") + "news/?page=2")
    assert status == 301
    assert headers["location"] == f"https://{HOST}:{served.instance.https_port}/news/?page=2"


def test_text_files_are_sent_precompressed_with_gzip_static(served):
    site = served.site
    for path in ("index.html", served.pages["news post"] + "index.html", fingerprinted(site), "feed.xml"):
        original = (site / path).read_bytes()
        status, headers, body = get(served.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip", path
        assert "Accept-Encoding" in headers["vary"]
        # The release's own .gz file, byte for byte: not compressed on the fly.
        assert body == (site / (path + ".gz")).read_bytes(), path
        assert gzip.decompress(body) == original
        status, headers, body = get(served.url + path)
        assert "content-encoding" not in headers and body == original
    # Every text file of the build has its .gz, unless too small to gain.
    from scripts.deploy.precompress import MIN_BYTES, TEXT_SUFFIXES
    missing = [p for p in site.rglob("*") if p.suffix in TEXT_SUFFIXES and p.stat().st_size >= 4 * MIN_BYTES
               and not p.with_name(p.name + ".gz").exists()]
    assert missing == []


def test_a_wrong_address_gets_the_sites_chinese_404_page(served):
    built = (served.site / "404.html").read_bytes()
    for path in ("no/such/page/", "exemplars/units/no-such-unit/", "empty-folder/", "index.php"):
        status, headers, body = get(served.url + path)
        assert status == 404, path
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert body == built
    assert re.search(rb'<html lang="zh', built) and re.search("[\u4e00-\u9fff]".encode(), built)


def test_cache_rules_long_for_fingerprinted_assets_short_for_pages(served):
    _, headers, _ = get(served.url + fingerprinted(served.site))
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("", served.pages["exemplar"], "assets/zlt/reading.js", "search/meta.js", "feed.xml"):
        _, headers, _ = get(served.url + path)
        assert headers["cache-control"] == "public, max-age=300", path
    _, headers, _ = get(served.url + served.pages["exemplar"])
    assert headers.get("etag") and headers.get("last-modified")


def test_dotfiles_sources_and_folders_are_never_served(served):
    for path in (".git/config", ".git/HEAD", ".git/", ".env", "exemplars/units/leaked.md", "mkdocs.yml",
                 "exemplars/figures/leaked.yml", "templates/unit/single.md.j2", "scripts/build.py", "notes.md.bak",
                 "empty-folder/", "assets/", "%2egit/config"):
        status, _, body = get(served.url + path)
        assert status == 404, path
        assert SECRET.encode() not in body and b"Index of" not in body, path


def test_subtitles_and_feed_have_their_types(served):
    film = served.pages["film"]
    _, headers, _ = get(served.url + "media/films/test-film.vtt")
    assert headers["content-type"] == "text/vtt; charset=utf-8"
    _, headers, _ = get(served.url + "feed.xml")
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    status, headers, body = get(served.url + "media/films/test-film.webm", {"Range": "bytes=0-99"})
    assert status == 206 and len(body) == 100 and headers["content-type"] == "video/webm"
    assert get(served.url + film)[0] == 200


# --- in Chromium ----------------------------------------------------------



PLAYED = """v => new Promise((resolve, reject) => {
  const check = () => v.currentTime > 0.3 && !v.paused && resolve(true);
  v.addEventListener('timeupdate', check);
  check();
  setTimeout(() => reject(new Error('the film did not play')), 10000);
})"""

KINDS = ["home", "exemplar", "film", "news list", "news post", "数说党建"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_page_loads_with_no_policy_violation(watched, served, kind):
    watched.goto(served.url + served.pages[kind], wait_until="networkidle")
    assert watched.locator("h1").count() >= 1
    # The theme's and the project's scripts ran (they are allowed, not just quiet).
    assert watched.evaluate("typeof __md_get === 'function' && document.documentElement.classList.contains('zlt-js')")
    assert violations(watched) == []
    assert watched.errors == []


def test_search_works_under_the_policy(watched, served):
    watched.goto(served.url, wait_until="networkidle")
    watched.get_by_role("button", name="搜索").first.click()
    box = watched.get_by_label("请输入要查找的字词")
    box.fill("测试影片")
    first = watched.locator(".zlt-search__results li a").first
    first.wait_for()
    assert "测试影片" in first.inner_text()
    box.fill("党建")
    watched.wait_for_selector(".zlt-search__results li a")
    assert violations(watched) == [] and watched.errors == []
    first = watched.locator(".zlt-search__results li a").first
    first.click()
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []


def test_reading_aids_work_under_the_policy(watched, served):
    watched.goto(served.url + served.pages["news post"], wait_until="networkidle")
    size = "parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)"
    normal = watched.evaluate(size)
    watched.get_by_role("button", name="大字号", exact=True).click()
    assert watched.evaluate(size) > normal * 1.15
    colour = "getComputedStyle(document.querySelector('article p')).color"
    watched.get_by_role("button", name="高对比度").click()
    assert watched.evaluate(colour) == "rgb(0, 0, 0)"
    # Kept on the next page: assets/zlt/head.js applied it before painting.
    watched.goto(served.url + served.pages["exemplar"], wait_until="networkidle")
    assert watched.evaluate(size) > normal * 1.15
    assert violations(watched) == [] and watched.errors == []


def test_the_film_plays_with_subtitles_under_the_policy(watched, served):
    watched.goto(served.url + served.pages["film"], wait_until="networkidle")
    video = watched.locator("article video")
    video.scroll_into_view_if_needed()    # not under the sticky channel bar
    box = video.bounding_box()
    watched.mouse.click(box["x"] + 24, box["y"] + box["height"] - 47)   # the controls' play button
    # (wait_for_function would evaluate a string: the policy rightly forbids eval.)
    assert video.evaluate(PLAYED)
    shown = video.evaluate("""v => [...v.textTracks].filter(t => t.mode === 'showing')
        .flatMap(t => [...(t.activeCues || [])].map(c => c.text))""")
    assert shown == [CUE]
    assert violations(watched) == [] and watched.errors == []


def test_the_policy_does_block_an_inline_script_it_does_not_know(watched, served):
    """The control: the policy is enforced, so the zeros above mean something."""
    (served.site / "probe.html").write_text(
        "<!doctype html><html lang=zh><title>探针</title><script>window.injected = 1</script>"
        "<p style='color:red'>探针</p>", encoding="utf-8")
    watched.goto(served.url + "probe.html")
    assert watched.evaluate("window.injected") is None
    assert any("script-src" in v for v in watched.evaluate("window.__csp"))
    assert any("style-src" in v for v in watched.evaluate("window.__csp"))
