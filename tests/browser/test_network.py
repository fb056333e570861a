"""Nothing from another host: every kind of page, with search opened and a
query run, requests nothing beyond the site's own origin (no CDN, no fonts)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

PAGES = {
    "home": "",
    "exemplar list": "exemplars/units/",
    "exemplar": "exemplars/units/chengshi-zonghe-zhifaju-dangwei/",
    "member": "exemplars/members/liu-tingjiang/",
    "film": "exemplars/videos/xiwang-de-tianye/",
    "sms": "exemplars/sms/",
    "figures": "exemplars/figures/",
    "honours": "honours/",
    "news list": "news/",
    "news post": "news/sandong-gongzuofa/",
    "404": "404.html",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_and_search_load_nothing_from_another_host(page, site_url, path):
    origin = urlsplit(site_url).netloc
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site_url + path, wait_until="networkidle")
    page.get_by_role("button", name="搜索").first.click()
    page.get_by_label("请输入要查找的字词").fill("党建")
    page.wait_for_selector(".zlt-search__results a")
    page.wait_for_load_state("networkidle")

    assert any("/search/s/" in u for u in requests)   # the search did run
    foreign = [u for u in requests
               if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin]
    assert foreign == []


def test_a_page_view_loads_nothing_that_grows_with_the_site(page, site_url):
    """Reading a page must not download site-wide files such as sitemap.xml
    (Material fetches it for any link[rel=alternate]); only search may load
    its index, and only when opened."""
    requests = []
    page.on("request", lambda r: requests.append(urlsplit(r.url).path))
    for path in PAGES.values():
        page.goto(site_url + path, wait_until="networkidle")
        page.wait_for_timeout(200)
    site_wide = [u for u in requests
                 if u.endswith(("sitemap.xml", "sitemap.xml.gz", "feed.xml", "search_index.json"))
                 or u.startswith("/search/")]
    assert site_wide == []
