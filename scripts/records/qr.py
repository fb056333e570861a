"""QR codes of the records' own addresses, for the web pages and for print.

A record's address is its kind's `url` in schema.yaml under mkdocs.yml's
`site_url`: what a phone opens from a poster, a printed compilation or a
printed web page. The code is encoded by zxing-cpp (the maintained C++
barcode library, with Python bindings) and drawn here as one SVG path of
horizontal strokes on a white square: about 2 KB for an address of
the site, the same bytes on every build. Print puts it inline. A web page
carries only the address (`page_url`): the reader's browser draws the same
code with lean-qr (templates/partials/qr.md.j2), so the build writes no file
per record and the pages' Markdown stays small for MkDocs.

Kinds whose records have no page of their own (red SMS, figures: anchors on
their list, `Kind.is_list_file`) get no address here, and so no code.
"""
from __future__ import annotations

import functools
import re
from html import escape
from pathlib import Path

import zxingcpp

from ..site_config import site_config
from .schema import Kind
from .view import page_address

# Error correction M (15 %): survives a smudged or folded print, and keeps the
# code small enough to read at 2 cm. The quiet zone of 4 modules is the
# standard's: readers fail without it.
ERROR = "M"
QUIET_ZONE = 4


def site_url(root: Path) -> str:
    """mkdocs.yml's site_url, ending with a slash ("" when not set)."""
    url = str(site_config(root).get("site_url") or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def record_url(base: str, kind: Kind, record_id: str) -> str | None:
    """The public address of a record's own page under `base` (site_url), or
    None when its kind has no page per record or the site has no address."""
    if not base or kind.is_list_file:
        return None
    # The page's path made an address the one way print and the web share.
    return page_address(base, kind.doc_path(record_id))


_DARK_RUN = re.compile(rb"\x00+")   # a run of dark modules in a row of zxing-cpp's bitmap


@functools.lru_cache(maxsize=1024)
def qr_svg(data: str, title: str = "", css_class: str = "") -> str:
    """SVG markup of the QR code of `data`: one path of horizontal strokes for
    the dark modules on a white square (readable on a dark page too), sized by
    its viewBox only, so that CSS sets its size.

    zxing-cpp's encoder (C++, with the zint library inside) picks the mask
    the standard's way; segno, pure Python, took three times as long with its
    mask search turned off (10,000 record pages: 3 s against 9). zxing-cpp's
    own SVG writer draws a rectangle per run of modules, so the path is
    written here from its bitmap (one byte a module, 0 for dark)."""
    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR)
    bitmap = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    rows, width = bitmap.shape
    modules = bitmap.tobytes()
    strokes = "".join([f"M{m.start() - y * width + QUIET_ZONE} {y + QUIET_ZONE}.5h{m.end() - m.start()}"
                       for y in range(rows) for m in _DARK_RUN.finditer(modules, y * width, (y + 1) * width)])
    size = width + 2 * QUIET_ZONE
    # An image for screen readers, named by its title; crisp module edges.
    head = '<svg role="img" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"'
    head += f' viewBox="0 0 {size} {size}"' + (f' class="{escape(css_class)}"' if css_class else "") + ">"
    return (head + (f"<title>{escape(title)}</title>" if title else "")
            + f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/><path stroke="#000" d="{strokes}"/></svg>')


def jinja_filters(root: Path) -> dict:
    """The web templates' filter `record | page_url`: its address, "" when it has none."""
    base = site_url(root)

    def page_url(record) -> str:
        return record_url(base, record.kind, record.id) or ""

    return {"page_url": page_url}
