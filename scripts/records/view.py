"""How a record shows, once, for the web pages and for print alike.

The web templates (scripts/render) and the print templates (scripts/print)
used to build the same view twice and drifted apart: honours with and
without 年, films' 《》 written by hand in eight places, four ways of turning
a page's path into its address, two tests of a local address. Everything
that decides what a reader sees of a record lives here instead, driven by the
model (schema.yaml `show:`), and both sides call it: a new kind with a `show:`
block is titled, described and addressed the same on its page, its card and
its poster without a line of template.

Plain text throughout: callers escape for their output (HTML, Markdown).
This module imports nothing from render/ or print/ (tests/test_layout.py).
"""
from __future__ import annotations

import datetime
import ipaddress
import posixpath
import string
from typing import Any, Callable
from urllib.parse import urlsplit

from .loader import Record
from .relations import is_reference
from .schema import Field, Struct

Resolve = Callable[[str], "Record | None"]

FACTS_SEPARATOR = " · "
LIST_SEPARATOR = "、"
_FORMATTER = string.Formatter()


# --- values ------------------------------------------------------------------

def _scalar(value: Any) -> str:
    """One value as written for readers: dates YYYY-MM-DD, whole numbers
    without ".0", true as 是 and false as nothing (a fact that is not so is
    left out rather than printed as 否)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "是"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return ""   # a struct without a key named: nothing readable
    return str(value).strip()


def _one(f: Field | None, value: Any, resolve: Resolve | None) -> str:
    """A scalar value, a reference shown as the title of the record it names.
    An id that names no record of this build (a draft, a sample left out) is
    left out: an id is never meant for readers."""
    if f is not None and resolve is not None and is_reference(f, value):
        target = resolve(value)
        return title(target) if target is not None else ""
    if f is not None and f.type == "ref" and isinstance(value, str):
        return ""   # a reference with nothing to resolve it: an id, not text
    return _scalar(value)


def _item_field(f: Field | None) -> Field | None:
    return f.items if f is not None and isinstance(f.items, Field) else None


def _key_field(f: Field | None, key: str) -> Field | None:
    struct = f.items if f is not None and isinstance(f.items, Struct) else None
    return struct.fields.get(key) if struct is not None else None


def field_values(record: Record, path: str, resolve: Resolve | None = None) -> list[str]:
    """The non-empty values shown for `path` ("field" or "field.key"): one for
    a plain field, one per item for a list (the item's `key` for a list of
    structs), references as their records' titles."""
    name, _, key = path.partition(".")
    f = record.kind.fields.get(name)
    value = record[name]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if key:
            if not isinstance(item, dict):
                continue
            shown = _one(_key_field(f, key), item.get(key), resolve)
        else:
            shown = _one(_item_field(f) if isinstance(value, list) else f, item, resolve)
        if shown:
            out.append(shown)
    return out


def _fill(fmt: str, record: Record, resolve: Resolve | None) -> str:
    """`fmt` with each {field} replaced, or "" when every placeholder is empty
    (a part with no placeholder is shown as written)."""
    out, placeholders, filled = [], 0, 0
    for literal, name, _spec, _conversion in _FORMATTER.parse(fmt):
        out.append(literal)
        if name is None:
            continue
        placeholders += 1
        shown = LIST_SEPARATOR.join(field_values(record, name, resolve))
        filled += bool(shown)
        out.append(shown)
    if placeholders and not filled:
        return ""
    return "".join(out).strip()


# --- the view -----------------------------------------------------------------

def title(record: Record) -> str:
    """The record's title as shown everywhere: its kind's `show.title` (films:
    "《{title}》"), else the title field (else the id)."""
    fmt = record.kind.show.title
    return (_fill(fmt, record, None) if fmt else "") or record.title


def facts(record: Record, resolve: Resolve) -> str:
    """The facts line of a card and a poster: the parts of `show.facts`
    filled in and joined by " · ", a part whose fields are all empty left
    out. `resolve(id)` gives the record an id names (None when it is not in
    this build), shown by its title."""
    parts = (_fill(part, record, resolve) for part in record.kind.show.facts)
    return FACTS_SEPARATOR.join(p for p in parts if p)


def cover_group(record: Record) -> str:
    """What a drawn cover names beside the kind (`show.cover_group`): its
    first value (a unit's sector, a post's first category, the channel a
    film was first broadcast on)."""
    path = record.kind.show.cover_group
    values = field_values(record, path) if path else []
    return values[0] if values else ""


def honour_text(honour: dict) -> str:
    """One honour in one line, the same on the page, the 荣誉榜 and print:
    全国“五好”党组织风采大赛（人民网、共产党新闻网，国家级，2010年）：推选参评.
    The year carries 年: a bare number reads as a count, not a date."""
    parts = [_scalar(honour.get(k)) for k in ("body", "level")]
    year = _scalar(honour.get("year"))
    parts = [p for p in parts if p] + ([f"{year}年"] if year else [])
    text = _scalar(honour.get("title")) + (f"（{'，'.join(parts)}）" if parts else "")
    result = _scalar(honour.get("result"))
    return text + (f"：{result}" if result else "")


# --- addresses ----------------------------------------------------------------

def page_url(doc_path: str) -> str:
    """The address of the page made from `doc_path` (a path under docs/)
    relative to the site's root, as MkDocs writes it with use_directory_urls:
    exemplars/units/x.md → exemplars/units/x/, news/index.md → news/,
    index.md → "" (the root itself)."""
    stem, ext = posixpath.splitext(doc_path.lstrip("/"))
    if ext != ".md":
        return doc_path.lstrip("/")   # a file, served as it is
    head, base = posixpath.split(stem)
    folder = head if base in ("index", "README") else stem
    return folder + "/" if folder else ""


def page_address(site_url: str, doc_path: str) -> str:
    """The absolute address of a page under `site_url` (mkdocs.yml's), what a
    QR code and a printed page carry; "" when the site has no address."""
    base = (site_url or "").strip()
    if not base:
        return ""
    return base.rstrip("/") + "/" + page_url(doc_path)


# Names that never reach a public site (RFC 6761 and mDNS), besides localhost.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def is_local_address(url: str) -> bool:
    """Whether `url` (or a bare host) is this machine's or a private
    network's, unreachable from a reader's phone: localhost, loopback,
    private (10.x, 172.16–31.x, 192.168.x, fc00::/7), link-local, unspecified
    (0.0.0.0) or reserved addresses, and .local-style names. Print and the
    release gate share this test."""
    text = (url or "").strip()
    if "://" not in text:
        text = "//" + text   # a bare host: urlsplit reads it as the netloc
    try:
        host = (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return False   # not an address at all: the caller's other checks say so
    if not host:
        return False
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_private or ip.is_unspecified or ip.is_link_local or ip.is_reserved


def record_address(site_url: str, record: Record) -> str:
    """The absolute address of a record's own page (its QR code's target);
    "" when the site has no address or the record's kind has no page per
    record (red SMS, figures: anchors on their paginated list)."""
    if record.kind.is_list_file:
        return ""
    return page_address(site_url, record.kind.doc_path(record.id))
