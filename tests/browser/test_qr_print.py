"""The QR code of a record page in Chromium: behind a small 二维码 button on
screen, its file not even downloaded until the button is opened, and printed
with the page without a click; the code read back (zbarimg) from the screen
and from the printed PDF is the record's address under site_url."""
from __future__ import annotations

from scripts.records.qr import site_url as configured_site_url
from tests.pdf_reading import page_count, qr_codes, render_png

PAGE = "exemplars/units/moguqi-dangwei/"
LOADED = "el => el.complete && el.naturalWidth > 0"


def test_the_code_is_one_tap_away_on_screen_and_printed_with_the_page(page, site_url, built_site, tmp_path):
    expected = configured_site_url(built_site.parent) + PAGE
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "/assets/qr/" in r.url else None)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + PAGE)
    page.wait_for_load_state("networkidle")
    code = page.locator(".zlt-qr__code")
    assert code.count() == 1
    assert not code.is_visible(), "closed on screen"
    assert requested == [], "not downloaded by readers who never open it"
    summary = page.locator(".zlt-qr > summary")
    assert summary.inner_text().strip() == "二维码"
    assert summary.bounding_box()["height"] >= 44, "a tap target"
    summary.click()
    assert code.is_visible()
    page.wait_for_function(f"({LOADED})(document.querySelector('.zlt-qr__code'))")
    shot = tmp_path / "screen.png"
    code.screenshot(path=str(shot))
    assert qr_codes(shot) == [expected]

    # Printed (the print dialog's own path: page.pdf): the code is on paper
    # without a click, large enough to scan (30 mm), and no button.
    page.goto(site_url + PAGE)
    page.emulate_media(media="print")
    assert code.is_visible(), "printed without a click"
    assert not summary.is_visible(), "no button on paper"
    assert code.bounding_box()["width"] >= 100
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf))
    found = [c for n in range(1, page_count(pdf) + 1)
             for c in qr_codes(render_png(pdf, tmp_path / f"printed-{n}", n, dpi=200))]
    assert found == [expected]
