"""The site on a parent platform, under a path of its host (site_url
https://…/dangjian/, the 2015 rule of 中央编办 for county departments).

The configuration generated for it (scripts/deploy/nginx.py: a server of its
own, and the snippet for the parent's server block) is checked as text, and
on the wire: the fixture site built with that site_url, published to a local
target (`current` a symlink to the release, as on a server) and served by
Debian's nginx under /dangjian/ both ways (tests/subpath_site.py), the
parent written with habits that would capture a careless location. Every
site-local link and resource of every built page answers 200 there; the
404, headers, caching, compression, redirects, refusals, feed and sitemap
hold under the prefix; the tamper check runs on that target.
Search and the QR code in Chromium: tests/browser/test_subpath_browser.py."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from scripts.check.release import built_site_problems
from scripts.deploy import csp, nginx
from scripts.deploy.commands import check_policy
from scripts.deploy.publish import Target
from scripts.dev import nginx_server
from scripts.problems import InputError
from scripts.records import qr, view
from tests import subpath_site
from tests.browser.test_nginx import get as get_raw
from tests.pdf_reading import qr_codes, svg_to_png
from tests.test_nginx_config import set_site_url, site_with

ROOT = Path(__file__).resolve().parent.parent
PREFIX, SITE_URL = subpath_site.PREFIX, subpath_site.SITE_URL
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
                    "permissions-policy", "cache-control")


def get(url: str, headers: dict | None = None):
    """(status, headers, body) of `url` from the test's nginx; non-ASCII as a browser sends it."""
    return get_raw(quote(url, safe=":/?#[]@!$&'()*+,;=%~"), headers)


# --- the configuration as text ------------------------------------------------------------

def _blocks_with_headers(text: str) -> list[list[str]]:
    """The add_header names of each block ({ … } level) that has any."""
    found, stack = [], [[]]
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            continue
        if line.endswith("{"):
            stack.append([])
        elif line == "}":
            names = stack.pop()
            if names:
                found.append(names)
        elif line.startswith("add_header "):
            stack[-1].append(line.split()[1].lower())
    return found


def test_a_site_under_a_path_gets_a_location_of_its_own(repo, tmp_path):
    set_site_url(repo, "https://www.zhalantun.gov.cn/dangjian/")
    site = site_with(tmp_path, "<p>文</p>")
    whole = nginx.render(repo.path, site)
    snippet = nginx.render(repo.path, site, snippet=True)
    for text in (whole, snippet):
        # ^~: the parent's regex locations are not tried; alias and location both end in "/".
        assert "location ^~ /dangjian/ {" in text
        assert "alias /srv/zhalantun-dangjian/current/;" in text
        assert re.search(r"location = /dangjian \{\s+absolute_redirect off;\s+return 301 /dangjian/\$is_args\$args;",
                         text)
        assert "error_page 404 /dangjian/404.html;" in text and "error_page 403 =404 /dangjian/404.html;" in text
        assert "try_files" not in text[text.index("location ^~ /dangjian/"):], "alias + try_files: nginx trac #97"
        assert "gzip_static on;" in text and "disable_symlinks on from=$document_root;" in text
        assert nginx.policy_of(text) == csp.policy()
    assert re.search(r"^\s*server_name www\.zhalantun\.gov\.cn;$", whole, re.M)
    # The snippet is for inside a server block: no server, no map (http level), no certificate.
    directives = [line.strip() for line in snippet.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert not [d for d in directives if d.startswith(("server ", "map ", "ssl_", "listen "))]
    assert not [d for d in directives if "Strict-Transport-Security" in d], "HSTS concerns the parent's whole host"
    assert "include /etc/nginx/snippets/zhalantun-dangjian.location.conf;" in snippet
    # A level with any add_header inherits none: each such block carries every header.
    for text, expected in ((snippet, set(SECURITY_HEADERS)),
                           (whole, set(SECURITY_HEADERS) | {"strict-transport-security"})):
        blocks = _blocks_with_headers(text[text.index("location ^~ /dangjian/"):])
        assert len(blocks) >= 2
        for names in blocks:
            assert set(names) == expected, names


@pytest.mark.parametrize("url", ["https://www.zhalantun.gov.cn/党建/", "https://www.zhalantun.gov.cn/dang jian/",
                                 "https://www.zhalantun.gov.cn/dangjian/?from=1",
                                 "https://www.zhalantun.gov.cn/a/../dangjian/", "https://www.zhalantun.gov.cn/a;b/"])
def test_a_path_nginx_cannot_take_as_written_is_refused_at_its_line(repo, tmp_path, url):
    set_site_url(repo, f'"{url}"')
    line = next(n for n, text in enumerate((repo.path / "网站设置.yml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("site_url:"))
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    problem = e.value.problems[0]
    assert (problem.path, problem.line, problem.field) == ("网站设置.yml", line, "site_url")
    assert "带有路径" in problem.message and "英文字母" in problem.message


def test_a_snippet_is_refused_for_a_site_that_has_its_host_to_itself(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"), snippet=True)
    assert "没有路径" in str(e.value)


def test_the_command_writes_the_configuration_and_the_snippet(repo, tmp_path):
    set_site_url(repo, "https://www.zhalantun.gov.cn/dangjian/")
    out = tmp_path / "conf" / "site.conf"
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "nginx", "--site",
                           str(site_with(tmp_path, "<p>文</p>")), "--out", str(out), "--target", "deploy@web1:/srv/dj"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    snippet = out.with_name("site.location.conf")
    assert "alias /srv/dj/current/;" in out.read_text(encoding="utf-8")
    assert "alias /srv/dj/current/;" in snippet.read_text(encoding="utf-8")
    assert str(snippet) in done.stdout and "include /etc/nginx/snippets/site.location.conf;" in done.stdout
    assert "NGINX_CONF=" in done.stdout and "CHANGE-ME" in done.stdout


# --- on the wire ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    return subpath_site.build_and_publish(tmp_path_factory.mktemp("subpath"))


@pytest.fixture(scope="module", params=["standalone", "snippet"])
def served(request, hosted, tmp_path_factory):
    make = subpath_site.standalone if request.param == "standalone" else subpath_site.parent
    instance = make(hosted, tmp_path_factory.mktemp(f"nginx-{request.param}"))
    with nginx_server.running(instance):
        yield request.param, instance, subpath_site.site_address(instance)


def local_links(html: str, page_url: str) -> set[str]:
    """Every address a page links to or loads that is on its own host:port."""
    doc = LexborHTMLParser(html)
    own = urlsplit(page_url).netloc
    found = set()
    for node in doc.css("[href], [src], [srcset], video[poster]"):
        a = node.attributes
        values = [a.get("href"), a.get("src"), a.get("poster")]
        values += [part.split()[0] for part in (a.get("srcset") or "").split(",") if part.strip()]
        for value in values:
            if not value or value.startswith(("data:", "blob:", "mailto:", "tel:", "javascript:", "#")):
                continue
            url = urljoin(page_url, value)
            parts = urlsplit(url)
            if parts.scheme == "https" and parts.netloc == own:
                found.add(parts._replace(fragment="").geturl())
    return found


def page_url(base: str, site: Path, html: Path) -> str:
    rel = html.relative_to(site).as_posix()
    return base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


@pytest.mark.slow
def test_every_link_and_resource_of_every_page_answers_under_the_path(served, hosted):
    _, _, base = served
    pages = sorted(hosted.site.rglob("*.html"))
    assert len(pages) > 30
    links: dict[str, str] = {}
    for html in pages:
        url = page_url(base, hosted.site, html)
        status, headers, body = get(url)
        assert status == 200, url
        assert body == html.read_bytes(), url
        for link in local_links(body.decode("utf-8"), url):
            links.setdefault(link, url)
    # Nothing of the site's own leaves its path (the parent's pages are not ours to link to).
    outside = {link: on for link, on in links.items() if not urlsplit(link).path.startswith(PREFIX)}
    assert outside == {}
    kinds = {"assets/stylesheets/", "assets/javascripts/", "assets/zlt/", "assets/search/", "exemplars/units/",
             "exemplars/members/", "exemplars/videos/", "news/", "media/", "feed.xml"}
    reached = {k for k in kinds if any(urlsplit(link).path.startswith(PREFIX + k) for link in links)}
    assert reached == kinds
    broken = {}
    for link, on in sorted(links.items()):
        status, _, _ = get(link)
        if status != 200:
            broken[link] = (status, on)
    assert broken == {}


@pytest.mark.slow
def test_a_wrong_address_under_the_path_gets_the_sites_404_whose_assets_load(served, hosted):
    _, instance, base = served
    built = (hosted.site / "404.html").read_bytes()
    for path in ("no/such/page/", "exemplars/units/no-such-unit/", "a/b/c/d/e.html", "index.php", ".git/config",
                 "exemplars/units/moguqi-dangwei/index.md", "assets/"):
        url = base + path
        status, headers, body = get(url)
        assert (status, body) == (404, built), path
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert not {h for h in SECURITY_HEADERS if h not in headers}
        # Its styles and scripts load from wherever the reader was.
        assets = {link for link in local_links(body.decode("utf-8"), url)
                  if re.search(r"\.(?:css|js|svg|png)$", urlsplit(link).path)}
        assert len(assets) >= 4
        assert all(get(a)[0] == 200 for a in assets), path


@pytest.mark.slow
def test_headers_caching_compression_and_types_are_the_sites_own(served, hosted):
    how, instance, base = served
    site = hosted.site
    fingerprinted = next(p for p in sorted(site.rglob("*.min.js")) if re.search(r"\.[0-9a-f]{8}\.min\.js$", p.name))
    vtt = next(site.rglob("*.vtt"))
    cases = {"": "public, max-age=300", "news/": "public, max-age=300", "no/such/": "public, max-age=300",
             fingerprinted.relative_to(site).as_posix(): "public, max-age=31536000, immutable",
             vtt.relative_to(site).as_posix(): "public, max-age=300", "feed.xml": "public, max-age=300"}
    for path, cache in cases.items():
        status, headers, body = get(base + path)
        assert headers["cache-control"] == cache, path
        assert headers["content-security-policy"] == csp.policy(), path     # the parent's policy is not sent
        assert subpath_site.PARENT_HEADER.lower() not in headers, path
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert ("strict-transport-security" in headers) == (how == "standalone"), path
    assert get(base + vtt.relative_to(site).as_posix())[1]["content-type"] == "text/vtt; charset=utf-8"
    assert get(base + "feed.xml")[1]["content-type"] == "application/rss+xml; charset=utf-8"
    for path in ("index.html", "news/index.html", fingerprinted.relative_to(site).as_posix()):
        status, headers, body = get(base + path, {"Accept-Encoding": "gzip"})
        release = hosted.target / "current" / (path + ".gz")
        assert status == 200 and headers["content-encoding"] == "gzip" and body == release.read_bytes(), path


@pytest.mark.slow
def test_the_path_without_its_slash_and_folders_without_theirs_are_redirected(served):
    _, instance, base = served
    origin = f"https://{subpath_site.HOST}:{instance.https_port}"
    status, headers, _ = get(origin + PREFIX.rstrip("/") + "?from=weixin")
    assert (status, headers["location"]) == (301, PREFIX + "?from=weixin")
    status, headers, _ = get(base + "news")
    assert (status, headers["location"]) == (301, PREFIX + "news/")


@pytest.mark.slow
def test_outside_the_path_the_parent_platform_is_untouched(served):
    how, instance, base = served
    origin = f"https://{subpath_site.HOST}:{instance.https_port}"
    if how == "snippet":
        status, headers, body = get(origin + "/")
        assert status == 200 and subpath_site.PARENT_HOME in body.decode("utf-8")
        assert headers[subpath_site.PARENT_HEADER.lower()] == "1"
        status, _, body = get(origin + "/other/style.css")
        assert status == 404 and subpath_site.PARENT_404 in body.decode("utf-8")
    else:
        status, headers, _ = get(origin + "/")
        assert (status, headers["location"]) == (302, PREFIX)
    # The alias never reaches beside `current`.
    for path in ("/dangjian../www/history.log", "/dangjian..%2fhistory.log", "/dangjian/../history.log"):
        status, _, body = get(origin + path)
        assert b"publish" not in body, path


@pytest.mark.slow
def test_planted_files_and_symlinks_are_not_served_under_the_path(served, hosted):
    _, _, base = served
    live = hosted.target / "current"
    planted = [live / "shell.php", live / "news" / ".env", live / "passwd.html"]
    planted[0].write_text("<?php system($_GET['c']); ?>", encoding="utf-8")
    planted[1].write_text("SECRET=1", encoding="utf-8")
    planted[2].symlink_to("/etc/passwd")
    try:
        for path in ("shell.php", "news/.env", "passwd.html"):
            status, _, body = get(base + path)
            assert status == 404 and b"root:" not in body and b"SECRET" not in body, path
    finally:
        for p in planted:
            p.unlink()


@pytest.mark.slow
def test_the_feed_and_the_sitemap_carry_the_path_and_their_addresses_answer(served, hosted):
    _, instance, base = served
    origin = f"https://{subpath_site.HOST}:{instance.https_port}"
    _, _, feed = get(base + "feed.xml")
    channel = ET.fromstring(feed).find("channel")
    addresses = [channel.findtext("link")] + [e.text for e in channel.iter() if e.tag in ("link", "guid")]
    addresses += [e.get("href") for e in channel if e.tag.endswith("}link")]
    _, _, sitemap = get(base + "sitemap.xml")
    locs = [e.text for e in ET.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len({p.parent for p in hosted.site.rglob("index.html")})
    for address in [*addresses, *locs]:
        assert address.startswith(SITE_URL), address
        status, _, _ = get(origin + urlsplit(address).path)
        assert status == 200, address


# --- the QR codes of print, and the release ------------------------------------------

@pytest.mark.slow
def test_print_and_the_web_pages_carry_the_same_address_under_the_path(hosted, tmp_path):
    from scripts.records.loader import load_all
    records, _ = load_all(hosted.repo)
    base = qr.site_url(hosted.repo)
    assert base == SITE_URL
    checked = 0
    for r in records:
        address = qr.record_url(base, r.kind, r.id)
        if address is None or not r.is_published:
            continue
        html = (hosted.site / view.page_url(r.kind.doc_path(r.id)) / "index.html").read_text(encoding="utf-8")
        assert f'data-qr="{address}"' in html, r.path
        assert address.startswith(SITE_URL + r.kind.url.split("{", 1)[0].lstrip("/"))
        checked += 1
    assert checked >= 10
    unit = next(r for r in records if r.kind.name == "unit" and r.is_published)
    address = qr.record_url(base, unit.kind, unit.id)
    assert qr_codes(svg_to_png(qr.qr_svg(address), tmp_path / "code")) == [address]


@pytest.mark.slow
def test_the_release_gate_finds_no_broken_link_on_a_site_under_a_path(hosted):
    # Canonical links (https://host/dangjian/…) and the 404 page's /dangjian/… are the site's own.
    problems = [p for p in built_site_problems(hosted.site, SITE_URL) if p.field == "链接"]
    assert problems == []
    # …and a link to the parent platform outside the path is not the site's to check.
    broken = hosted.site / "sandong" / "index.html"
    original = broken.read_text(encoding="utf-8")
    try:
        broken.write_text(original.replace("</main>", f'<a href="{PREFIX}no-such/">坏</a>'
                                           '<a href="https://dangjian.test/portal/">上级</a></main>', 1),
                          encoding="utf-8")
        problems = [p.message for p in built_site_problems(hosted.site, SITE_URL) if p.field == "链接"]
        assert len(problems) == 1 and f"{PREFIX}no-such/" in problems[0]
    finally:
        broken.write_text(original, encoding="utf-8")


@pytest.mark.slow
def test_publish_and_the_tamper_check_work_on_the_sub_path_target(hosted, tmp_path):
    from scripts.deploy import manifest as mf
    key = mf.default_key_path()
    target = hosted.target
    live = target / "current"
    assert live.is_symlink() and (live / "index.html").read_bytes() == (hosted.site / "index.html").read_bytes()

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "--target", str(target), "--public-key",
                               str(mf.public_path(key)), "--state", str(tmp_path / "state")],
                              cwd=ROOT, capture_output=True, text=True)

    # make publish NGINX_CONF=…: the snippet installed on the server is the policy checked.
    snippet = nginx.write(hosted.repo, hosted.site, tmp_path / nginx.SNIPPET_NAME,
                          nginx.Server(root=str(live)), snippet=True)
    check_policy(hosted.site, Target.parse(str(target)), str(snippet))
    done = verify()
    assert done.returncode == 0, done.stderr
    assert "zlt-verify intact" in done.stdout
    page = live / "exemplars" / "units" / "moguqi-dangwei" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</h1>", "（已篡改）</h1>".encode(), 1))
    done = verify()
    assert done.returncode == 1 and "restored" in done.stderr and "moguqi-dangwei/index.html" in done.stderr
    assert page.read_bytes() == original
