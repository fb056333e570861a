"""The templates' filters: field values as Markdown or HTML text, links
relative to the page being written, pictures and covers, figures, dates, and
how a record shows (scripts/records/view.py, shared with print).

Plain functions; those that read the repository (photo sizes, files) are
made for one repository by `filters(root)`, which environment() registers.
"""
from __future__ import annotations

import html
import posixpath
import re
from datetime import date
from functools import partial
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from ..records import images, qr, view
from ..records.loader import Record
from ..records.relations import is_reference
from ..records.schema import Field
from .charts import bar_chart, chart_groups
from .covers import SHAPES, cover_path, cover_size
from .paths import html_page_url, relative_path
from .video import filters as video_filters

# Characters that can start Markdown markup (links, emphasis, code, attribute
# lists, tables); escaped so that a field is always shown as text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|~])")
_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]{}#!|~])")


def md_text(value) -> str:
    """A field value as literal Markdown text: no markup, no HTML, one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_text(value) -> Markup:
    """A field value as text inside raw HTML: escaped, on one line (a blank
    line would end the HTML block in Markdown)."""
    return Markup(html.escape(" ".join(str(value).split())))


def md_unescape(markdown_text) -> Markup:
    """Text that went through md_text (a macro's output), for raw HTML: the
    backslashes before Markdown's signs taken out; it is HTML-escaped already."""
    return Markup(_MD_ESCAPED.sub(r"\1", str(markdown_text)))


def _html_text(value):
    """Strings (also inside lists) HTML-escaped; anything else as it is."""
    if isinstance(value, list):
        return [_html_text(v) for v in value]
    return html.escape(value) if isinstance(value, str) else value


# --- links -------------------------------------------------------------------

def _linked(site, target: Record | str) -> tuple[Record | None, str]:
    """The record a link names (by id or itself) and the doc path of the page
    that shows it; (None, "") for free text or a record left out of this build."""
    r = site.by_id.get(target) if isinstance(target, str) else target
    if r is None:
        return None, ""
    return r, site.located.get(r.id) or r.kind.doc_path(r.id)


def _anchor(r: Record) -> str:
    """Records without pages of their own (sms, figures) are anchors on their list's page."""
    return f"#{r.id}" if r.kind.is_list_file else ""


@jinja2.pass_context
def link(ctx, target: Record | str, text=None):
    """A Markdown link from the page being rendered to a record's page."""
    r, doc_path = _linked(ctx["site"], target)
    if r is None:  # free text, or a record left out of this build
        return Markup(md_text(text or target))
    href = relative_path(doc_path, posixpath.dirname(ctx["page_path"])) + _anchor(r)
    return Markup(f"[{md_text(text or view.title(r))}]({href})")


@jinja2.pass_context
def html_link(ctx, target: Record | str, text=None, css_class: str = "") -> Markup:
    """The same link as `link`, as raw HTML (the cards: MkDocs reads raw
    HTML as it is, far faster than Markdown inside HTML)."""
    r, doc_path = _linked(ctx["site"], target)
    label = html_text(text or (view.title(r) if r is not None else target))
    if r is None:
        return label
    href = html_page_url(doc_path, ctx["page_path"]) + _anchor(r)
    attributes = f' class="{html.escape(css_class)}"' if css_class else ""
    return Markup(f'<a{attributes} href="{html.escape(href)}">{label}</a>')


@jinja2.pass_context
def url(ctx, doc_path: str):
    return Markup(relative_path(doc_path, posixpath.dirname(ctx["page_path"])))


@jinja2.pass_context
def front_matter(ctx, data: dict) -> Markup:
    # MkDocs themes print page titles and descriptions unescaped (into
    # <title>, headings, the blog's excerpts): escape them here as text.
    # str(): a title built with a macro is Markup, which YAML cannot dump.
    clean = {k: _html_text(str(v) if isinstance(v, str) else v) for k, v in data.items() if v not in (None, "", [])}
    if ctx.get("searchable") is False:
        # Material's own front matter for it; the search index reads it
        # from the page (templates/overrides/main.html, build/search.py).
        clean["search"] = {"exclude": True}
    front = yaml.dump(clean, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    return Markup("---\n" + front + "---\n")


# --- how a record shows (records/view.py) ------------------------------------

def record_title(r: Record) -> str:
    """The record's title as shown (`show.title`: films in 《》)."""
    return view.title(r)


@jinja2.pass_context
def facts(ctx, r: Record) -> str:
    """The facts line of a card (`show.facts`), references by their titles."""
    return view.facts(r, ctx["site"].by_id.get)


# Fields a page shows in its own way, or not to readers at all: the common
# editorial fields, the summary (the lead), the home page's pick, and the
# companions of a picture (its alt text and caption go with it).
_NOT_LISTED = {"summary", "description", "featured", "photos", "honours"}


def _field_items(r: Record, name: str, site) -> list:
    """The values shown for field `name`: records (linked by the template)
    for references to records of this build, else text as the view words
    it; an id naming a record left out of this build is not for readers."""
    f = r.kind.fields[name]
    item = f.items if f.type == "list" and isinstance(f.items, Field) else f
    if item.type not in ("ref", "ref_or_text"):
        if item.type == "date":
            return [cn_date(v) for v in view.field_values(r, name)]
        return view.field_values(r, name)
    value = r[name]
    out = []
    for v in value if isinstance(value, list) else [value]:
        if is_reference(item, v):
            if v in site.by_id:
                out.append(site.by_id[v])
        elif isinstance(v, str) and v.strip():
            out.append(v.strip())
    return out


@jinja2.pass_context
def shown_fields(ctx, r: Record, only=None) -> list[dict]:
    """The record's fields as its kind's default page lists them, in the
    model's order, each {name, label, items (records and text), long}:
    `only` names the fields wanted (else every field a reader reads that the
    page does not show in its own way: not the title, picture, summary,
    body, honours or editorial fields)."""
    kind, site = r.kind, ctx["site"]
    picture = kind.show.picture
    skip = set(kind.fields) & (set(site.schema.common) | _NOT_LISTED | {kind.title_field})
    if picture:
        skip |= {picture, picture + "_alt", picture + "_caption"}
    out = []
    for name in only if only is not None else kind.fields:
        f = kind.fields.get(name)
        if f is None or (only is None and name in skip):
            continue
        if f.type == "media" or f.type == "struct" and only is None:
            continue   # pictures and files show as themselves, not as words
        items = _field_items(r, name, site)
        if items:
            out.append({"name": name, "label": f.label, "items": items, "long": f.type == "text"})
    return out


def fact_fields(kind) -> list[str]:
    """The fields named in the kind's facts line (`show.facts`), in order."""
    import string
    names: list[str] = []
    for part in kind.show.facts:
        for _literal, name, _spec, _conv in string.Formatter().parse(part):
            if name and name.partition(".")[0] not in names:
                names.append(name.partition(".")[0])
    return names


# --- pictures and covers --------------------------------------------------------

def picture_field(r: Record) -> str:
    """The field holding a record's own picture (`show.picture`), "" for none."""
    name = r.kind.show.picture
    return name if name in r.kind.fields else ""


def needs_cover(r: Record) -> bool:
    """Whether a card of r shows a drawn cover: its kind has a cover shape
    (`show.cover`) and r no picture of its own."""
    name = picture_field(r)
    return r.kind.show.cover in SHAPES and not (name and r[name])


def own_picture(r: Record) -> bool:
    """Whether r has a picture of its own (`show.picture` filled in), not
    a drawn cover: a headline shows no cover, which only repeats its title."""
    name = picture_field(r)
    return bool(name and r[name])


def playable(r: Record) -> bool:
    """Whether r has a video file to play (a `media: video` field filled in):
    a film without one gets no play mark (▶) and no player."""
    return any(f.type == "media" and f.media == "video" and r[name] for name, f in r.kind.fields.items())


def picture(root: Path, r: Record) -> dict | None:
    """A record's picture for cards and headlines: its photo or poster, else
    its build-time cover (decorative: alt text empty, the title is beside
    it). None for kinds without pictures."""
    name = picture_field(r)
    value = r[name] if name else None
    if isinstance(value, str) and value:
        size = images.photo_size(root, value) or (None, None)
        shown = view.title(r)
        # A film's picture is its poster: named so for a screen reader.
        alt = r[name + "_alt"] or (f"{shown}封面" if r.kind.show.cover == "film" else shown)
        return {"src": value, "alt": alt, "width": size[0], "height": size[1], "cover": False,
                "caption": r[name + "_caption"] or r[name + "_alt"] or ""}
    if r.kind.show.cover not in SHAPES:
        return None
    w, h = cover_size(r.kind.show.cover)
    return {"src": cover_path(r.kind.name, r.id), "alt": "", "width": w, "height": h,
            "cover": True, "caption": ""}


# --- numbers and dates ------------------------------------------------------------

def number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def amount(r: Record) -> str:
    """A figure as the source words it: 70余万元, 不少于2次, 2000㎡以上."""
    q, n, unit = r["qualifier"] or "", number(r["value"]), r["unit"] or ""
    if q == "不少于":
        return f"{q}{n}{unit}"
    if q == "以上":
        return f"{n}{unit}{q}"
    return f"{n}{q}{unit}"


def cn_date(value) -> str:
    """2026-11-25 as an article says it: 2026年11月25日."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else str(value or "")


def isodate(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def body(r: Record) -> Markup:
    return Markup(r.body.strip())


def chart(figures, key):
    return Markup(bar_chart(figures, key, amount))


def filters(root: Path) -> dict:
    """Every filter of the templates of the repository at `root`."""
    out = dict(
        link=link, html_link=html_link, url=url, front_matter=front_matter,
        html_text=html_text, md_unescape=md_unescape,
        record_title=record_title, facts=facts, shown_fields=shown_fields, fact_fields=fact_fields,
        honour=view.honour_text, picture=partial(picture, root), photo_size=partial(images.photo_size, root),
        number=number, amount=amount, cn_date=cn_date, isodate=isodate, body=body,
        chart=chart, chart_groups=chart_groups, own_picture=own_picture, playable=playable,
    )
    out.update(video_filters(root))
    out.update(qr.jinja_filters(root))  # record | page_url
    return out
