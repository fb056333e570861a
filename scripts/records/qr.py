"""QR codes of the records' own addresses, for the web pages and for print.

A record's address is its kind's `url` in schema.yaml under mkdocs.yml's
`site_url`: what a phone opens from a poster, a printed compilation or a
printed web page. The code is drawn by segno (a maintained QR library) as one
SVG path of horizontal strokes on a white square: about 2 KB for an address of
the site, no image file, no request, the same bytes on every build.

Kinds whose records have no page of their own (red SMS, figures: anchors on
their list, `Kind.is_list_file`) get no address here, and so no code.
"""
from __future__ import annotations

import functools
import io
from pathlib import Path

from ..site_config import site_config
from .schema import Kind

# Error correction M (15 %): survives a smudged or folded print, and keeps the
# code small enough to read at 2 cm. The quiet zone of 4 modules is the
# standard's: readers fail without it.
ERROR = "m"
QUIET_ZONE = 4


def site_url(root: Path) -> str:
    """mkdocs.yml's site_url, ending with a slash ("" when not set)."""
    url = str(site_config(root).get("site_url") or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def record_url(base: str, kind: Kind, record_id: str) -> str | None:
    """The public address of a record's own page under `base` (site_url), or
    None when its kind has no page per record or the site has no address."""
    if not base or "{id}" not in kind.url:
        return None
    return base + kind.url.format(id=record_id)


MASK = 0


@functools.lru_cache(maxsize=4096)
def qr_svg(data: str, title: str = "", css_class: str = "") -> str:
    """Inline SVG markup of the QR code of `data`: one path for the dark
    modules on a white square (readable on a dark page too), sized by its
    viewBox only, so that CSS sets its size."""
    import segno

    # A fixed mask and no error-level boost: segno otherwise tries all eight
    # masks (and each level) and keeps the best-scored, 90 % of the time it
    # takes; every mask is a valid code that phones read (the tests decode
    # them with zbar). 14 ms → 1 ms a record: 10,000 record pages are 10 s.
    code = segno.make_qr(data, error=ERROR, mask=MASK, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=QUIET_ZONE,
              dark="#000", light="#fff", svgclass=css_class or None, lineclass=None,
              title=title or None)
    svg = out.getvalue().decode("utf-8")
    # An image for screen readers, named by its title; crisp module edges.
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def jinja_filters(root: Path) -> dict:
    """The web templates' filters: `record | page_url` (its address, "" when it
    has none) and `record | qr` (the inline SVG of that address, "" when none)."""
    from markupsafe import Markup

    base = site_url(root)

    def page_url(record) -> str:
        return record_url(base, record.kind, record.id) or ""

    def qr(record) -> Markup:
        url = page_url(record)
        if not url:
            return Markup("")
        return Markup(qr_svg(url, title=f"本页二维码：{url}", css_class="zlt-qr__code"))

    return {"page_url": page_url, "qr": qr}
