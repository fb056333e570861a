"""What an official Chinese government site carries, as a reader sees it: the
footer from `extra:` in mkdocs.yml, 网站地图, sitemap.xml, the Chinese 404 page,
the news feed and the share metadata."""
from __future__ import annotations

import http.server
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from scripts.site_config import site_config

from tests.browser.conftest import serving

HOME = ""
EXEMPLAR = "exemplars/units/chengshi-zonghe-zhifaju-dangwei/"
PAGES = [HOME, EXEMPLAR, "news/", "news/sandong-gongzuofa/", "sitemap/", "404.html"]
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's own 404.html for a missing page, as a web server would."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server_url(built_site):
    with serving(built_site, _Handler) as url:
        yield url


def footer_text(page) -> str:
    return " ".join(page.locator("footer").inner_text().split())


@pytest.mark.parametrize("path", PAGES)
def test_every_footer_shows_the_sponsor_and_placeholders_for_unset_registrations(page, server_url, path):
    page.goto(server_url + path)
    text = footer_text(page)
    assert "主办单位：中共扎兰屯市委组织部" in text
    for placeholder in ("联系方式待填写", "ICP备案号待填写", "公安备案号待填写", "网站标识码待填写"):
        assert placeholder in text
    badge = page.locator("footer [data-zlt=gov-badge]")
    assert badge.is_visible() and "党政机关网站标识" in badge.inner_text()
    assert "Made with" not in text


def test_footer_shows_the_registrations_an_editor_filled_in(page, full_repo, tmp_path):
    from scripts.build.pipeline import build_site

    config_path = full_repo.path / "网站设置.yml"
    config = config_path.read_text(encoding="utf-8")
    values = {"contact": "电话：0470-0000000（测试）", "icp_beian": "蒙ICP备00000000号-1",
              "police_beian": "蒙公网安备 00000000000000号", "site_code": "0000000000",
              "gov_badge": "assets/gov-badge.png"}
    for key, value in values.items():
        config = re.sub(rf'^(  {key}:) ""', rf'\1 "{value}"', config, flags=re.M)
    config_path.write_text(config, encoding="utf-8")
    assert site_config(full_repo.path)["extra"]["icp_beian"] == values["icp_beian"]
    badge = Path(__file__).resolve().parents[2] / "templates/overrides/assets/zlt/share.png"
    full_repo.write("content/assets/gov-badge.png", badge.read_bytes())
    site = build_site(full_repo.path, tmp_path / "site")

    with serving(site, _Handler) as url:
        page.goto(url + EXEMPLAR)
        text = footer_text(page)
        for value in values.values():
            if not value.endswith(".png"):
                assert value in text
        assert "待填写" not in text
        icp = page.locator("footer").get_by_role("link", name=values["icp_beian"])
        assert icp.get_attribute("href") == "https://beian.miit.gov.cn/"
        image = page.locator("footer").get_by_role("img", name="党政机关网站标识")
        assert image.is_visible()
        assert page.evaluate("i => i.complete && i.naturalWidth > 0", image.element_handle())


def test_the_site_map_lists_every_section_and_its_links_work(page, server_url, built_site):
    page.goto(server_url)
    page.locator("footer").get_by_role("link", name="网站地图").click()
    page.wait_for_url(re.compile(r"/sitemap/$"))
    assert page.locator("h1").first.inner_text() == "网站地图"
    article = page.locator("article")
    for section in ("首页", "三动工作法", "先进典型", "优秀共产党员", "荣誉榜", "专题片", "红色短信", "数说党建", "工作动态"):
        assert article.get_by_role("link", name=section, exact=True).count() == 1, section
    units = len(list((built_site / "exemplars" / "units").glob("*/index.html")))
    assert f"先进典型（共 {units} 条）" in article.inner_text()
    for href in article.locator("a").evaluate_all("links => links.map(a => a.href)"):
        assert page.request.get(href).status == 200, href
    assert (built_site / "sitemap" / "index.html").stat().st_size < 150 * 1024
    article.get_by_role("link", name="专题片", exact=True).click()
    assert page.locator("h1").first.inner_text() == "专题片"


def test_sitemap_xml_lists_the_pages_at_the_configured_address(built_site, root):
    site_url = site_config(root)["site_url"]
    locs = [e.text for e in ET.parse(built_site / "sitemap.xml").getroot().findall("s:url/s:loc", SITEMAP_NS)]
    assert site_url + EXEMPLAR in locs and site_url in locs
    for loc in locs:
        assert loc.startswith(site_url)
        assert (built_site / unquote(loc[len(site_url):]) / "index.html").exists(), loc


def test_a_wrong_address_shows_a_chinese_page_with_ways_on(page, server_url):
    response = page.goto(server_url + "exemplars/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").first.inner_text() == "抱歉，您要找的页面不存在"
    # The theme's styles load even this deep: the page is not a bare text page.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    for name in ("查看网站地图", "浏览先进典型", "阅读工作动态"):
        assert page.locator("article").get_by_role("link", name=name).is_visible()
    page.locator("article").get_by_role("link", name="回到首页").click()
    assert page.locator("h1").first.inner_text() == "扎兰屯党建网"


def test_the_news_feed_is_linked_from_every_page_and_lists_the_news(page, server_url, built_site):
    page.goto(server_url + EXEMPLAR)
    link = page.locator('head link[rel~="alternate"][type="application/rss+xml"]')
    assert link.get_attribute("title") == "扎兰屯党建网 工作动态"
    response = page.request.get(page.evaluate("document.querySelector('link[type=\"application/rss+xml\"]').href"))
    assert response.status == 200
    channel = ET.fromstring(response.body()).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["扎兰屯市坚持“三动”工作法扎实推进党建功能区建设"]
    assert items[0].findtext("pubDate") == "Wed, 25 Nov 2026 00:00:00 +0800"
    site_url = channel.findtext("link").removesuffix("news/")
    for item in items:  # each item leads to the news page itself
        assert (built_site / item.findtext("link")[len(site_url):] / "index.html").exists()


def test_share_metadata_comes_from_the_page(page, server_url, built_site):
    page.goto(server_url + "news/sandong-gongzuofa/")
    meta = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        'meta[property^="og:"], meta[name^="twitter:"]')].map(m => [m.getAttribute('property') || m.name, m.content]))""")
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert meta["og:title"] == page.locator("h1").first.inner_text() == meta["twitter:title"]
    assert meta["og:description"] == description == meta["twitter:description"]
    assert description.startswith("扎兰屯市坚持机制推动、宣传带动、活动促动")
    assert meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary_large_image"
    assert re.match(r"https?://", meta["og:image"]) and meta["og:url"].endswith("/news/sandong-gongzuofa/")
    assert (built_site / "assets/zlt/share.png").exists() and meta["og:image"].endswith("/assets/zlt/share.png")

    page.goto(server_url + EXEMPLAR)
    title = page.evaluate("document.querySelector('meta[property=\"og:title\"]').content")
    assert title == page.locator("h1").first.inner_text() == "城市综合执法局党委"
    assert page.evaluate("document.querySelector('meta[property=\"og:type\"]').content") == "website"
