"""数说党建 charts as a reader sees them: on a 390 px phone, without
JavaScript, with a screen reader's name, and Chinese drawn in a CJK font."""
import re

from axe_playwright_python.sync_playwright import Axe

CHARTS = "article figure.zlt-chart svg"


def test_charts_fit_a_390_px_phone_and_their_text_is_not_cut(browser, site_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + "exemplars/figures/")
    assert page.locator(CHARTS).count() == 6
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for box in page.evaluate(f"""() => [...document.querySelectorAll('{CHARTS}')].map(svg => {{
            const r = svg.getBoundingClientRect();
            const scale = r.width / svg.viewBox.baseVal.width;
            return {{left: r.left, right: r.right, scale,
                     texts: [...svg.querySelectorAll('text')].map(t => {{
                        const b = t.getBoundingClientRect();
                        return {{left: b.left, right: b.right, size: 14 * scale}};
                     }})}};
        }})"""):
        assert 0 <= box["left"] and box["right"] <= 390
        assert box["scale"] > 0.9  # drawn at about its natural size, not shrunk
        for t in box["texts"]:
            assert box["left"] <= t["left"] and t["right"] <= box["right"] + 0.5
            assert t["size"] >= 12.5
    context.close()


def test_charts_are_drawn_without_javascript(browser, site_url):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "exemplars/figures/")
    charts = page.locator(CHARTS)
    assert charts.count() == 6
    assert all(charts.nth(i).bounding_box()["height"] > 50 for i in range(6))
    context.close()


def test_a_screen_reader_gets_each_chart_as_one_named_picture(page, site_url):
    page.goto(site_url + "exemplars/figures/")
    chart = page.get_by_role("img", name=re.compile(r"^征集励志短信、获奖短信（单位：条）"))
    assert chart.count() == 1
    name = chart.evaluate("s => s.getAttribute('aria-labelledby').split(' ')"
                          ".map(id => document.getElementById(id).textContent).join(' ')")
    assert "征集励志短信：500余条；获奖短信：180多条。" in name
    results = Axe().run(page, context={"include": [["article figure.zlt-chart"]]},
                        options={"runOnly": ["wcag2a", "wcag2aa"], "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def test_chinese_labels_are_drawn_in_a_cjk_font(page, site_url):
    page.goto(site_url + "exemplars/figures/")
    label = page.locator("article figure.zlt-chart svg text").first
    assert label.text_content() == "提拔使用领导干部"
    # Ask Chromium which installed font actually drew the label's glyphs.
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article figure.zlt-chart svg text"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert [(f["familyName"], f["glyphCount"]) for f in fonts] == [("Noto Sans CJK SC", 8)]
