"""The QR code of a record page in Chromium: drawn by the page's own scripts
(assets/zlt/qr.js, the vendored lean-qr) from nothing but the page's address,
behind a small 二维码 button on screen and printed with the page without a
click; the code read back (zbarimg) from the screen and from the printed PDF
is the record's address under site_url. Without scripts, the address is
still there in words."""
from __future__ import annotations

from urllib.parse import urlsplit

from scripts.records.qr import site_url as configured_site_url
from tests.pdf_reading import page_count, qr_codes, render_png

PAGE = "exemplars/units/moguqi-dangwei/"


def test_the_code_is_one_tap_away_on_screen_and_printed_with_the_page(page, site_url, built_site, tmp_path):
    expected = configured_site_url(built_site.parent) + PAGE
    requested = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + PAGE)
    page.wait_for_load_state("networkidle")
    code = page.locator(".zlt-qr__code")
    assert code.count() == 1, "drawn on load"
    assert code.get_attribute("aria-label") == "本页二维码：" + expected
    assert page.locator(".zlt-qr figcaption").text_content().startswith("用手机扫码打开本页")
    assert not code.is_visible(), "closed on screen"
    assert not [p for p in requested if "qr" in p and not p.endswith(("/assets/vendor/lean-qr.js", "/assets/zlt/qr.js"))], \
        "no file per record"
    summary = page.locator(".zlt-qr > summary")
    assert summary.inner_text().strip() == "二维码"
    assert summary.bounding_box()["height"] >= 44, "a tap target"
    summary.click()
    assert code.is_visible()
    shot = tmp_path / "screen.png"
    code.screenshot(path=str(shot))
    assert qr_codes(shot) == [expected]

    # Printed (the print dialog's own path: page.pdf): the code is on paper
    # without a click, large enough to scan (30 mm), and no button.
    page.goto(site_url + PAGE)
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    assert code.is_visible(), "printed without a click"
    assert not summary.is_visible(), "no button on paper"
    assert code.bounding_box()["width"] >= 100
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf))
    found = [c for n in range(1, page_count(pdf) + 1)
             for c in qr_codes(render_png(pdf, tmp_path / f"printed-{n}", n, dpi=200))]
    assert found == [expected]


def test_without_scripts_the_address_is_still_there(browser, site_url, built_site):
    expected = configured_site_url(built_site.parent) + PAGE
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + PAGE)
        assert page.locator(".zlt-qr__code").count() == 0
        page.locator(".zlt-qr > summary").click()
        caption = page.locator(".zlt-qr figcaption").inner_text()
        assert caption.startswith("本页网址") and expected in caption
        assert "扫码" not in caption, "no hint to scan a code that is not there"
    finally:
        context.close()
