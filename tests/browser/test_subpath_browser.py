"""The site under a parent platform's path (site_url https://dangjian.test/dangjian/)
in Chromium, served by nginx with the generated configuration
(tests/subpath_site.py: a server of its own, and the snippet inside a
parent's server): search finds pages and leads to them under the path, from
a page and from the 404 page of a wrong address; the QR code drawn in the
page reads back (zbarimg) as the page's address under the path; no
Content-Security-Policy violation. And the offline bundle of that site
opened from file://: every link and resource inside the bundle, search works."""
from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.dev.searchprobe import first_query
from tests import subpath_site
from tests.browser.csp_watch import HOST, mapped_browser, violations, watched  # noqa: F401 (fixtures)
from tests.browser.test_offline_bundle import crawl
from tests.pdf_reading import qr_codes

pytestmark = pytest.mark.slow
PREFIX, SITE_URL = subpath_site.PREFIX, subpath_site.SITE_URL
UNIT = "exemplars/units/moguqi-dangwei/"
assert HOST == subpath_site.HOST


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    return subpath_site.build_and_publish(tmp_path_factory.mktemp("subpath-browser"))


@pytest.fixture(scope="module", params=["standalone", "snippet"])
def base(request, hosted, tmp_path_factory):
    from scripts.dev import nginx_server
    make = subpath_site.standalone if request.param == "standalone" else subpath_site.parent
    instance = make(hosted, tmp_path_factory.mktemp(f"nginx-{request.param}"))
    with nginx_server.running(instance):
        yield subpath_site.site_address(instance)


def _hrefs(result) -> list[str]:
    return [href for _, href in result["results"]]


def test_search_finds_pages_and_leads_to_them_under_the_path(watched, base):
    r = first_query(watched, base, "蘑菇")
    assert PREFIX + UNIT in _hrefs(r)
    assert all(href.startswith(PREFIX) for href in _hrefs(r)), _hrefs(r)
    assert any(urlsplit(u).path.startswith(PREFIX + "search/s/") for u in r["urls"]), "the index under the path"
    watched.locator(f'.zlt-search__results a[href="{PREFIX + UNIT}"]').click()
    watched.wait_for_url(base + UNIT)
    assert "蘑菇" in watched.locator("h1").first.inner_text()
    assert violations(watched) == [] and watched.errors == []


def test_search_works_on_the_404_page_of_a_wrong_address(watched, base):
    response = watched.goto(base + "no/such/deep/page/")
    assert response.status == 404
    r = first_query(watched, base + "no/such/deep/page/", "蘑菇")
    assert PREFIX + UNIT in _hrefs(r)
    watched.locator(f'.zlt-search__results a[href="{PREFIX + UNIT}"]').click()
    watched.wait_for_url(base + UNIT)
    assert violations(watched) == [] and watched.errors == []


def test_the_qr_code_in_the_page_reads_as_the_address_under_the_path(watched, base, tmp_path):
    expected = SITE_URL + UNIT
    watched.goto(base + UNIT)
    watched.wait_for_load_state("networkidle")
    code = watched.locator(".zlt-qr__code")
    assert code.count() == 1
    assert watched.locator(".zlt-qr__figure").get_attribute("data-qr") == expected
    watched.locator(".zlt-qr > summary").click()
    shot = tmp_path / "qr.png"
    code.screenshot(path=str(shot))
    assert qr_codes(shot) == [expected]
    assert violations(watched) == [] and watched.errors == []


# --- the offline bundle of a site under a path ------------------------------------------

@pytest.fixture(scope="module")
def bundle(hosted, tmp_path_factory):
    from scripts.build.pipeline import OFFLINE_NAME, build_offline
    work = tmp_path_factory.mktemp("subpath-offline")
    zipped = build_offline(hosted.repo, work / f"{OFFLINE_NAME}.zip")
    with zipfile.ZipFile(zipped) as z:
        z.extractall(work / "unzipped")
    return work / "unzipped" / OFFLINE_NAME


def test_the_offline_bundle_works_from_file_when_site_url_has_a_path(browser, bundle):
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        found = crawl(page, bundle)
        assert len(found.visited) >= 0.9 * len(list(bundle.rglob("*.html")))
        assert [b for b in found.broken if not b[3]] == []
        assert found.failed == [] and found.outside == []
        r = first_query(page, (bundle / "index.html").as_uri(), "蘑菇")
        unit = (bundle / UNIT.rstrip("/")).with_suffix(".html")
        assert str(unit) in _hrefs(r)
        assert all(Path(href).is_file() and Path(href).is_relative_to(bundle) for href in _hrefs(r)), _hrefs(r)
        page.locator(f'.zlt-search__results a[href="{unit}"]').click()
        page.wait_for_url(unit.as_uri())
        # The QR code still carries the public address under the path.
        assert page.locator(".zlt-qr__figure").get_attribute("data-qr") == SITE_URL + UNIT
    finally:
        context.close()
