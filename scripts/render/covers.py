"""Covers for records that have no photo or poster: SVG made at build time.

A card on the home page or a list needs a picture; most records (and every
sample) have none, and stock photos would be dishonest. A cover is typeset,
not photographed: the kind and its group (先进典型 · 农村) above, the title in
large type, the site's name below, on 党建红 with a thin gold frame and a
pattern of rays, so that no reader takes it for a photograph. A sample's
cover carries a yellow 示例 band across its corner.

No library draws CJK text into a file without fonts being embedded (Pillow
would need a font file and would make the covers large bitmaps); SVG needs
none: the reader's own Chinese system font sets the text, and the file is
a few kilobytes. The text is broken into lines here (CJK width 1 em, other
characters 0.6 em, as in charts.py), never starting a line with closing
punctuation. Covers are byte-identical on every build.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT_FAMILY = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
GOLD = "#f6d58e"
WHITE = "#ffffff"
# Characters that may not begin a line (Chinese typesetting, GB/T 15834).
NO_LINE_START = set("，。、；：？！）》」』”’】〉…—·,.;:?!)]}%")
NO_LINE_END = set("（《「『“‘【〈([{")
COVER_FOLDER = "assets/covers"


@dataclass(frozen=True)
class Shape:
    width: int
    height: int
    top: str          # gradient colours, top-left to bottom-right
    bottom: str
    lines: int        # most lines of title
    film: bool = False


# The shapes a kind's `show.cover` names (schema.yaml): place 4:3 (a unit),
# portrait 3:4 (a person's frame), screen 16:9 (news), film 16:9 with
# sprocket holes; the same ratios as photos and posters in the cards (the
# grid's class zlt-cards--<shape>, templates/overrides/assets/zlt/site.css).
SHAPES = {
    "place": Shape(480, 360, "#b3261e", "#7a1010", 3),
    "portrait": Shape(360, 480, "#9c1c1c", "#5e0d0d", 4),
    "film": Shape(640, 360, "#5a1212", "#260606", 2, film=True),
    "screen": Shape(640, 360, "#c0271f", "#861111", 2),
}
DEFAULT_SHAPE = SHAPES["place"]


def cover_path(kind: str, record_id: str) -> str:
    """The cover's path inside the site (and the docs dir): by kind, as ids
    are unique only within one."""
    return f"{COVER_FOLDER}/{kind}/{record_id}.svg"


def cover_size(shape: str) -> tuple[int, int]:
    s = SHAPES.get(shape, DEFAULT_SHAPE)
    return s.width, s.height


def _advance(c: str) -> float:
    return 1.0 if ord(c) > 0x2E7F else 0.6


def _width(text: str) -> float:
    """Advance width in em: CJK and full-width signs 1 em, others 0.6 em."""
    return sum(map(_advance, text))


def wrap(text: str, per_line: float, most: int) -> list[str]:
    """`text` in lines of at most `per_line` em, at most `most` lines (the
    last ending in … if cut); no line starts with closing punctuation."""
    text = " ".join(text.split())
    lines: list[str] = []
    line, width = "", 0.0     # the line being set, and its width
    for c in text:
        if line and width + _advance(c) > per_line:
            if c in NO_LINE_START:        # keep it with the line before
                line += c
                width += _advance(c)
                continue
            carried = ""
            while line and line[-1] in NO_LINE_END:  # an opening mark goes with what it opens
                carried, line = line[-1] + carried, line[:-1]
            lines.append(line)
            line, width = carried, _width(carried)
            if c == " ":
                continue
        line += c
        width += _advance(c)
    if line:
        lines.append(line)
    if len(lines) > most:
        last = lines[most - 1]
        while last and _width(last + "…") > per_line:
            last = last[:-1]
        lines = lines[: most - 1] + [last + "…"]
    return lines


def _title_block(title: str, s: Shape, left: float, box_w: float, box_top: float, box_h: float) -> list[str]:
    """The title set as large as fits the box, as <text> lines."""
    for size in (44, 40, 36, 32, 28, 24):
        lines = wrap(title, box_w / size, s.lines)
        if len(lines) * size * 1.3 <= box_h and not lines[-1].endswith("…"):
            break
    lead = size * 1.3
    top = box_top + (box_h - lead * len(lines)) / 2 + size * 0.95
    return [f'<text x="{left:g}" y="{top + i * lead:.1f}" font-size="{size}" font-weight="700"'
            f' fill="{WHITE}">{escape(line)}</text>' for i, line in enumerate(lines)]


@functools.lru_cache(maxsize=None)
def _rays(s: Shape) -> str:
    """A fan of thin gold rays from the bottom-right corner: decoration that
    says 'designed', not 'photographed'."""
    cx, cy, r = s.width, s.height, max(s.width, s.height) * 0.9
    paths = []
    for i in range(9):
        a0, a1 = 180 + i * 10, 180 + i * 10 + 5
        x0, y0 = cx + r * math.cos(math.radians(a0)), cy + r * math.sin(math.radians(a0))
        x1, y1 = cx + r * math.cos(math.radians(a1)), cy + r * math.sin(math.radians(a1))
        paths.append(f"M{cx} {cy}L{x0:.1f} {y0:.1f}L{x1:.1f} {y1:.1f}Z")
    return f'<path d="{"".join(paths)}" fill="{GOLD}" opacity=".09"/>'


@functools.lru_cache(maxsize=None)
def _sprockets(s: Shape, pad: int) -> str:
    w, h = s.width, s.height
    holes = "".join(f'<rect x="{x}" y="{y}" width="14" height="9" rx="2"/>'
                    for x in range(pad, w - pad, 32) for y in (pad // 2 - 14, h - pad // 2 + 5))
    return f'<g fill="{GOLD}" opacity=".35">{holes}</g>'


def cover_svg(shape: str, kind_label: str, title: str, group: str = "", sample: bool = False,
              site_name: str = "") -> str:
    """The SVG cover of one record, in one of SHAPES."""
    s = SHAPES.get(shape, DEFAULT_SHAPE)
    w, h = s.width, s.height
    pad = round(min(w, h) * 0.09)
    label = kind_label + (f" · {group}" if group else "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"'
        f' font-family="{FONT_FAMILY}">',
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{s.top}"/><stop offset="1" stop-color="{s.bottom}"/>'
        '</linearGradient></defs>',
        f'<rect width="{w}" height="{h}" fill="url(#g)"/>',
        _rays(s),
        f'<rect x="{pad / 2:g}" y="{pad / 2:g}" width="{w - pad:g}" height="{h - pad:g}" fill="none"'
        f' stroke="{GOLD}" stroke-opacity=".55" stroke-width="2"/>',
    ]
    if s.film:  # sprocket holes along the top and bottom edges: a film
        out.append(_sprockets(s, pad))
    label_size = 22 if w >= 400 else 20
    out.append(f'<text x="{pad}" y="{pad + label_size}" font-size="{label_size}" fill="{GOLD}"'
               f' font-weight="700">{escape(label)}</text>')
    out.append(f'<rect x="{pad}" y="{pad + label_size + 12}" width="48" height="3" fill="{GOLD}"/>')
    box_top = pad + label_size + 24
    box_h = h - box_top - pad - 40
    out += _title_block(title, s, pad, w - 2 * pad, box_top, box_h)
    # Not on a film's cover: its card puts the play mark in that corner.
    if site_name and not s.film:
        out.append(f'<text x="{pad}" y="{h - pad - 4}" font-size="18" fill="{GOLD}"'
                   f' opacity=".9">{escape(site_name)}</text>')
    if sample:
        # A yellow 示例 label in the top-right corner, dark text on it (9:1).
        x, y = w - pad - 84, pad - 2
        out.append(f'<rect x="{x}" y="{y}" width="72" height="36" rx="4" fill="#ffd54f"/>'
                   f'<text x="{x + 36}" y="{y + 26}" font-size="22" font-weight="700" fill="#3a2a00"'
                   f' text-anchor="middle">示例</text>')
    out.append("</svg>\n")
    return "\n".join(out)
