"""The QR code of a record page in Chromium: behind a small 二维码 button on
screen, shown without a click when the page is printed, and the code drawn
by the browser reads back (zbarimg) as the record's address under site_url."""
from __future__ import annotations

from scripts.records.qr import site_url as configured_site_url
from tests.pdf_reading import qr_codes

PAGE = "exemplars/units/moguqi-dangwei/"


def test_the_code_is_one_tap_away_on_screen_and_printed_with_the_page(page, site_url, built_site, tmp_path):
    expected = configured_site_url(built_site.parent) + PAGE
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + PAGE)
    code = page.locator(".zlt-qr__code")
    assert code.count() == 1
    assert not code.is_visible(), "closed on screen"
    summary = page.locator(".zlt-qr > summary")
    assert summary.inner_text().strip() == "二维码"
    assert summary.bounding_box()["height"] >= 44, "a tap target"
    summary.click()
    assert code.is_visible()
    shot = tmp_path / "screen.png"
    code.screenshot(path=str(shot))
    assert qr_codes(shot) == [expected]

    page.emulate_media(media="print")
    page.goto(site_url + PAGE)
    assert code.is_visible(), "printed without a click"
    assert not summary.is_visible(), "no button on paper"
    box = code.bounding_box()
    assert box["width"] >= 100, "large enough to scan from paper (30 mm)"
    printed = tmp_path / "print.png"
    code.screenshot(path=str(printed))
    assert qr_codes(printed) == [expected]
