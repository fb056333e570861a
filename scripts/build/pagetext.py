"""What a built page says: its title and the text of Material's content area,
without the header, navigation and footer that every page repeats. Read by
the search index (scripts/build/search.py).

Regular expressions, not an HTML parser: the pages are mkdocs' own output,
and html.parser took 9 of the 10 seconds the index needed at 10,000 pages
(the same text, checked page by page on the shipped site and 8,469 synthetic
pages, in a seventh of the time).
"""
from __future__ import annotations

import html
import re

# Material's content area: <div class="md-content" …> (md-content--post on a
# blog post), holding the <article>, up to </main>.
_CONTENT = re.compile(r'<div class="md-content[ "]')
# Not text: scripts, styles, templates and comments.
_HIDDEN = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)
# Text in two of these is two words; inline tags (a, strong) do not split one.
_BLOCK = re.compile(r"</?(?:p|div|li|br|h[1-6]|tr|td|th|dt|dd|blockquote|pre|figcaption|summary"
                    r"|article|section)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)


def _text(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", _BLOCK.sub(" ", markup))).split())


def page_text(page: str) -> tuple[str, str]:
    """(title, text) of a built page; the title is "" if it has no <h1>."""
    found = _CONTENT.search(page)
    start = found.start() if found else 0
    end = page.find("</main>", start)
    end = len(page) if end < 0 else end
    article_end = page.rfind("</article>", start, end)
    if article_end >= 0:
        end = article_end + len("</article>")
    content = _HIDDEN.sub(" ", page[start:end])
    h1 = _H1.search(content)
    return (_text(h1.group(1)) if h1 else ""), _text(content)
