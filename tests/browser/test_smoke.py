"""A reader opens the site and goes from the home page to an exemplar."""


def test_reader_reaches_an_exemplar_from_the_home_page(page, site_url):
    page.goto(site_url)
    assert page.locator("h1").first.inner_text() == "扎兰屯党建网"
    page.get_by_role("link", name="先进典型", exact=True).first.click()
    page.get_by_role("link", name="城市综合执法局党委").first.click()
    assert page.locator("h1").first.inner_text() == "城市综合执法局党委"
    assert "全国“五好”党组织风采大赛" in page.locator("article").inner_text()
