"""The Jinja environment of templates/print/: HTML for WeasyPrint, every field
value HTML-escaped, the stories rendered from Markdown as the site renders
them (check.safety.rendered_html: the same Python-Markdown and extensions).

What a record shows (its title, facts line, honours, address) comes from
records.view, the same functions the web pages use: a poster and the page
its QR code opens cannot disagree."""
from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..check.safety import rendered_html
from ..records import images, view
from ..records.loader import Record
from ..records.qr import qr_svg
from .colophon import cn_number

_HEADING = re.compile(r"<(/?)h([1-6])\b")
_LINK = re.compile(r"</?a\b[^>]*>")
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]*>")
_SENTENCE = re.compile(r"[^。！？]*[。！？]?”?")
# The templates of a kind without its own templates/print/<kind>.html.j2.
DEFAULT_KIND_TEMPLATE = "print/_default.html.j2"
# A story's headings sit under the part (h1), the group (h2) and the record's
# name (h3): its own ## 基本情况 becomes an h4.
HEADING_SHIFT = 2


def story_html(r: Record, mkdocs_yml: Path) -> str:
    """A record's body as HTML for print: its headings under the record's
    title, links as plain text (a sheet of paper cannot follow them)."""
    body = r.body.strip()
    if not body:
        return ""
    out = rendered_html(body, mkdocs_yml)
    out = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + HEADING_SHIFT)}", out)
    return _LINK.sub("", out)


def plain_text(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", markup)).split())


def excerpt(r: Record, mkdocs_yml: Path, limit: int = 150) -> str:
    """A record's summary, else the first sentences of its story's first
    paragraph, whole sentences up to `limit` characters."""
    if r["summary"]:
        return str(r["summary"]).strip()
    first = _PARAGRAPH.search(story_html(r, mkdocs_yml))
    text = plain_text(first.group(1)) if first else ""
    out = ""
    for sentence in _SENTENCE.findall(text):
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    if not out and text:
        out = text[:limit].rstrip("，、；：") + "……"
    return out


def environment(book) -> jinja2.Environment:
    """Templates of templates/print/ for the records of `book` (book.Book)."""
    root = book.root
    mkdocs_yml = root / "mkdocs.yml"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / "templates"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,   # optional fields are simply absent
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def photo(rel: str) -> str:
        """The file URL of a photo as the site serves it (resized, no EXIF:
        1200 px wide, about 250 dpi across the text block)."""
        try:
            path = images.photo(root, rel)[0]
        except (OSError, ValueError):
            path = root / rel
        return path.resolve().as_uri()

    def qr(r: Record, css_class: str = "qr") -> Markup:
        url = book.url(r)
        return Markup(qr_svg(url, title=f"二维码：{url}", css_class=css_class)) if url else Markup("")

    def cn_date(value) -> str:
        d = date.fromisoformat(value) if isinstance(value, str) else value
        return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else str(value or "")

    def kind_template(kind) -> jinja2.Template:
        """The kind's own print templates, else the default ones: any kind
        of the model prints, a new one with no template written."""
        return env.select_template([f"print/{kind.name}.html.j2", DEFAULT_KIND_TEMPLATE])

    def picture(r: Record) -> dict:
        """The record's picture (schema.yaml `show.picture`) and the text
        written for it: {"src": file URL, "alt": …, "caption": …}, or {}."""
        name = r.kind.show.picture
        file = r[name] if name else None
        if not isinstance(file, str) or not file:
            return {}
        alt = r[name + "_alt"]
        label = getattr(r.kind.fields.get(name), "label", "")
        return {"src": photo(file), "alt": alt or f"{view.title(r)}{label}",
                "caption": alt or ""}

    env.filters.update(
        story=lambda r: Markup(story_html(r, mkdocs_yml)),
        excerpt=lambda r, limit=150: excerpt(r, mkdocs_yml, limit),
        record_title=view.title, facts=lambda r: view.facts(r, book.by_id.get), picture=picture,
        photo=photo, qr=qr, url=book.url, cn_number=cn_number, cn_date=cn_date, honour=view.honour_text,
        unit_name=book.unit_name, sector=book.sector_of)
    env.globals["kind_template"] = kind_template
    return env
