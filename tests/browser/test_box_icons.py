"""The site's own boxes (二维码 on a record page, 暂无视频文件 on a film without
its file) show icons of their own, not Material's note pencil, which reads as
an editor's note (the site keeps it for 编辑备注 in the preview)."""
from __future__ import annotations

import pytest

from scripts.dev.pagekinds import page_kinds

ICON = "(e => getComputedStyle(e, '::before').webkitMaskImage)"
NOTE = "getComputedStyle(document.documentElement).getPropertyValue('--md-admonition-icon--note')"
QR_PATH = "M3 11h2v2H3z"          # Material Design Icons' qrcode
FILM_PATH = "M2.39 1.73 1.11 3"   # Material Design Icons' movie-off-outline


def pencil_in(icon: str, note: str) -> bool:
    """Whether a computed mask-image is the note's icon (its path data)."""
    path = note.split("d='", 1)[-1].split("'", 1)[0][:40]
    return path in icon


@pytest.fixture(scope="module")
def kinds(built_site):
    return page_kinds(built_site.parent)


def test_the_qr_box_has_a_qr_icon(page, site_url, kinds):
    page.goto(site_url + kinds["unit"])
    summary = page.locator("details.zlt-qr > summary")
    assert summary.inner_text().strip() == "二维码"
    icon, note = summary.evaluate(ICON), page.evaluate(NOTE)
    assert "d='M" in note or 'd="M' in note.replace("\\", "")       # the note's icon is known
    assert QR_PATH in icon and not pencil_in(icon, note)


def test_the_missing_film_box_has_a_film_icon(page, site_url, built_site):
    # A film page whose film has no file (the fixture has samples without one).
    path = next(p for p in sorted((built_site / "exemplars" / "videos").glob("*/index.html"))
                if "暂无视频文件" in p.read_text(encoding="utf-8"))
    page.goto(site_url + path.parent.relative_to(built_site).as_posix() + "/")
    box = page.locator(".admonition", has=page.locator(".admonition-title", has_text="暂无视频文件"))
    assert box.count() == 1 and box.is_visible()
    assert "zlt-film-missing" in box.get_attribute("class")
    icon, note = box.locator(".admonition-title").evaluate(ICON), page.evaluate(NOTE)
    assert FILM_PATH in icon and not pencil_in(icon, note)
