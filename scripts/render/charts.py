"""数说党建 as pictures: horizontal bar charts drawn as inline SVG at build time.

One chart per `chart` group of figures (figures in a group share a unit, so
their bars share a scale). The SVG is plain markup written from the data: no
JavaScript, no web font, nothing fetched, and byte-identical on every build.
It is readable on a 390 px phone: each label sits on its own line above its
bar, and the picture is 360 units wide, so it is drawn at about its natural
size. Screen readers get the title and every number as text (role="img" with
<title>/<desc>), and the page keeps the table of numbers as well.

A qualifier is shown honestly: the bar stops at the stated number and a dashed
segment after it says "more than this" (70余万元, 180多条, 2000㎡以上,
不少于2次); the number is always written as the source words it.
"""
from __future__ import annotations

from typing import Callable, Iterable
from xml.sax.saxutils import escape, quoteattr


WIDTH = 360           # viewBox width, px at natural size
PAD = 4
FONT = 16             # label and value size, px at natural size (no text under 16 px on phones)
BAR = 18              # bar thickness
ROW = FONT + 6 + BAR + 12
TAIL = 16             # the dashed "more than" segment
FONT_FAMILY = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
# Contrast on the white background (WCAG 2.1): text 16.1:1 (AA needs 4.5:1),
# bars 6.6:1 (non-text graphics need 3:1).
INK = "#1f1f1f"
BAR_FILL = "#b71c1c"
BACKGROUND = "#ffffff"
MORE_NOTE = "虚线段表示原文为“余”“多”“以上”或“不少于”：实际数量比所标数字多，或至少是这个数。"


def _text_width(text: str, size: float) -> float:
    """Estimated advance width: CJK and full-width signs 1 em, others 0.6 em."""
    return sum(size if ord(c) > 0x2E7F else 0.6 * size for c in text)


def _num(x: float) -> str:
    """Coordinates with at most one decimal, without trailing zeros."""
    return f"{round(x, 1):g}"


def chart_groups(figures: Iterable) -> list[str]:
    """The chart group keys of these figures, in order of first appearance."""
    keys: list[str] = []
    for r in figures:
        if r["chart"] and r["chart"] not in keys:
            keys.append(r["chart"])
    return keys


def bar_chart(figures: Iterable, key: str, amount: Callable) -> str:
    """The <figure> with the inline SVG bar chart of the figures in group `key`.

    `amount` words a figure as the source does (render.py's `amount` filter).
    Returns "" when no figure is in the group, so a template may ask freely.
    """
    rows = [r for r in figures if r["chart"] == key]
    if not rows:
        return ""
    unit = rows[0]["unit"] or ""
    labels = [str(r["label"]) for r in rows]
    words = [amount(r) for r in rows]
    qualified = any(r["qualifier"] for r in rows)
    top = max(float(r["value"]) for r in rows) or 1.0
    reserve = max(_text_width(w, FONT) for w in words) + 6 + (TAIL if qualified else 0)
    span = WIDTH - 2 * PAD - reserve
    height = PAD + ROW * len(rows) - 12 + PAD
    ident = f"chart-{key}"
    title = "、".join(labels) + (f"（单位：{unit}）" if unit else "")
    desc = "；".join(f"{label}：{w}" for label, w in zip(labels, words)) + "。"
    if qualified:
        desc += MORE_NOTE

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}"'
        f' font-family="{FONT_FAMILY}" font-size="{FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="{BACKGROUND}"/>',
    ]
    for i, (r, label, w) in enumerate(zip(rows, labels, words)):
        y = PAD + i * ROW
        bar_y = y + FONT + 6
        length = max(2.0, float(r["value"]) / top * span)
        end = PAD + length
        out.append(f'<text x="{PAD}" y="{_num(y + FONT - 2)}" fill="{INK}">{escape(label)}</text>')
        out.append(f'<rect x="{PAD}" y="{bar_y}" width="{_num(length)}" height="{BAR}" fill="{BAR_FILL}"/>')
        if r["qualifier"]:
            out.append(f'<rect x="{_num(end + 1)}" y="{bar_y + 1}" width="{TAIL - 3}" height="{BAR - 2}"'
                       f' fill="none" stroke="{BAR_FILL}" stroke-width="2" stroke-dasharray="3 2"/>')
            end += TAIL
        out.append(f'<text x="{_num(end + 6)}" y="{_num(bar_y + BAR - 4)}" fill="{INK}"'
                   f' font-weight="bold">{escape(w)}</text>')
    out.append("</svg>")

    caption = f"<strong>{escape(title)}</strong>"
    if qualified:
        caption += f'<br/><small>{escape(MORE_NOTE)}</small>'
    # No blank line inside: Markdown keeps the whole <figure> as one HTML block.
    # Laid out by the class (site.css), not by style="…": the pages carry no
    # inline style, so their policy needs no 'unsafe-hashes' (scripts/deploy/csp.py).
    return (f'<figure class="zlt-chart" id={quoteattr(ident)}>\n'
            f'<figcaption>{caption}</figcaption>\n'
            + "\n".join(out) + "\n</figure>\n")
