"""Justified Chinese text in WeasyPrint: the extra width of a line spread
between its characters.

Chinese text has no spaces, and WeasyPrint justifies a line only by widening
its spaces (`layout.inline.justify_line`, with a TODO for the css-text-3
algorithms): a justified Chinese paragraph comes out ragged
wherever a line is short of a whole character (a line may not start with
、。，） so Pango moves a character down; digits and Latin letters are narrower
than a character). No library does inter-character justification for
WeasyPrint, so this module adds it, as css-text-3's `text-justify:
inter-character` describes and as Chinese typesetting does: every gap between
two characters of a line gets the same share of the line's extra width.

How: a line holding Chinese text is justified by letter spacing instead of
word spacing. `justify_line` marks the spacing it computes as InterCharacter
and gives it to every text box of the line; `Layout.set_text` turns an
InterCharacter spacing into Pango letter spacing over the whole box (Pango
drops the half spacing before a box's first and after its last character, so a
box of n characters widens by n - 1 gaps, which is what the widths count).
Lines without Chinese text keep WeasyPrint's own justification. Line breaking
itself stays Pango's (UAX #14: no line starts with closing punctuation).

This is the project's one change to a library's code, and it depends on the
internals of WeasyPrint 70.0 exactly (pinned in requirements.txt): WeasyPrint
offers no public way to do it (70.0 has no `text-justify` property: it warns
"Ignored `text-justify: inter-character` … unknown property"; `letter-spacing`
is one value for a whole element, not the rest of each line), so it replaces
two of its functions, `layout.inline.justify_line` and
`text.line_break.Layout.set_text`. `install()` applies the patch once, in the
process that prints (print is WeasyPrint's only user).
tests/test_no_monkey_patches.py allows it only while the installed and pinned
WeasyPrint is the version named here, and tests/test_print_typesetting.py
checks the right edges of justified lines in a real PDF: before upgrading,
check whether the new WeasyPrint justifies Chinese text itself (then delete
this patch), else that the patch still fits and those tests pass, and update
the version above.
"""
from __future__ import annotations

import re
import unicodedata

# Han, kana, CJK punctuation and full-width forms: a line with any of these is
# justified between characters.
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Characters that draw nothing of their own width: no gap after them.
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufe0e", "\ufe0f"}

_installed = False

_BODY = re.compile(r"<body\b")
_TEXT = re.compile(r">([^<>]+)<")
_QUOTE = re.compile("([\u2018\u2019\u201c\u201d])")


class InterCharacter(float):
    """A justification spacing to spread between characters, not spaces."""


def _clusters(text: str) -> int:
    return sum(1 for c in text if not unicodedata.combining(c) and c not in _ZERO_WIDTH)


def _install() -> None:
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import TO_UNITS

    def gaps(box) -> int:
        if isinstance(box, boxes.TextBox):
            return max(0, _clusters(box.text) - 1)
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return sum(gaps(child) for child in box.children if child.is_in_normal_flow())
        return 0

    def has_cjk(box) -> bool:
        if isinstance(box, boxes.TextBox):
            return bool(_CJK.search(box.text))
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return any(has_cjk(child) for child in box.children)
        return False

    def spread(context, box, spacing: InterCharacter, x_advance: float) -> float:
        # inline.add_word_spacing, counting gaps between characters.
        if isinstance(box, boxes.TextBox):
            box.justification_spacing = spacing
            box.position_x += x_advance
            n = gaps(box)
            if n:
                layout = line_break.create_layout(box.text, box.style, context, max_width=None,
                                                  justification_spacing=spacing)
                layout.deactivate()
                x_advance += spacing * n
                box.width += spacing * n
                box.pango_layout = layout
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            before = x_advance
            children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
            for child in children:
                if child.is_in_normal_flow():
                    x_advance = spread(context, child, spacing, x_advance)
            box.width += x_advance - before
        else:  # an atomic inline (an image): moved, not widened
            box.translate(x_advance, 0)
        return x_advance

    weasyprint_justify_line = inline.justify_line

    def justify_line(context, line, extra_width):
        if extra_width > 0 and has_cjk(line):
            n = gaps(line)
            if n:
                spread(context, line, InterCharacter(extra_width / n), 0)
                return
        weasyprint_justify_line(context, line, extra_width)

    weasyprint_set_text = line_break.Layout.set_text

    def set_text(self, text, justify=False):
        spacing = self.justification_spacing
        if not (justify and isinstance(spacing, InterCharacter)):
            return weasyprint_set_text(self, text, justify)
        weasyprint_set_text(self, text, False)
        letter = self.style["letter_spacing"]
        letter = 0 if letter == "normal" else letter
        attrs = pango.pango_layout_get_attributes(self.layout)
        if attrs == ffi.NULL:
            attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        attr = pango.pango_attr_letter_spacing_new(int((letter + spacing) * TO_UNITS))
        attr.start_index, attr.end_index = 0, len(self.text.encode())
        pango.pango_attr_list_change(attrs, attr)
        pango.pango_layout_set_attributes(self.layout, attrs)

    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text


def install() -> None:
    """Patch WeasyPrint once per process (print is its only user)."""
    global _installed
    if not _installed:
        _install()
        _installed = True


def mark_quotes(html: str) -> str:
    """“ ” ‘ ’ in the text of the document's body wrapped in <span
    class="cjk-quote">, which print.css sets full width (OpenType `fwid`):
    Noto CJK draws these ambiguous-width marks narrow, as in Latin text,
    unless asked."""
    start = _BODY.search(html)
    if not start:
        return html
    head, body = html[:start.start()], html[start.start():]

    def text(m: re.Match) -> str:
        return ">" + _QUOTE.sub(r'<span class="cjk-quote">\1</span>', m.group(1)) + "<"

    return head + _TEXT.sub(text, body)
