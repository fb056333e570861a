"""What a built page says: its title and the text of Material's content area,
without the header, navigation and footer that every page repeats. Used for
both search indexes (scripts/search.py, scripts/offline.py)."""
from __future__ import annotations

from html.parser import HTMLParser


class _PageText(HTMLParser):
    """The title (first <h1>) and the text of Material's content area of a page."""

    SKIP = {"script", "style", "template"}
    # Text in two of these is two words; inline tags (a, strong) do not split one.
    BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
              "dt", "dd", "blockquote", "pre", "figcaption", "summary", "article", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0          # >0 inside <div class="md-content">
        self.skip = 0
        self.in_h1 = False
        self.title: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag in self.BLOCKS:
                self.text.append(" ")
            self.depth += tag == "div"
            self.skip += tag in self.SKIP
            if tag == "h1" and not self.title:
                self.in_h1 = True
        elif tag == "div" and "md-content" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in self.BLOCKS:
            self.text.append(" ")
        if tag == "div":
            self.depth -= 1
        self.skip -= tag in self.SKIP
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)
            if self.in_h1:
                self.title.append(data)


_CONTENT = '<div class="md-content"'


def page_text(html: str) -> tuple[str, str]:
    """(title, text) of a built page; the title is "" if it has no <h1>."""
    parser = _PageText()
    # Nothing before the content area is read: skip the header and nav unparsed.
    start = html.find(_CONTENT)
    parser.feed(html[start:] if start > 0 else html)
    title = " ".join("".join(parser.title).split())
    text = " ".join("".join(parser.text).split())
    return title, text
