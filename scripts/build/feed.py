"""The RSS 2.0 feed of the site's dated column (工作动态), written into the
built site as feed.xml.

Which kind it carries comes from the model (schema.yaml): the kind of the
home page's `list` section, the dated column beside the 头条, dated by its
first date field, its categories the values it is grouped by. A post-mkdocs
step: it needs the built site's address (site_url) from the MkDocs
configuration; the items' addresses are the kind's `url`. The output depends
only on the records (newest first, then by id), so two builds of the same
content are identical.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from ..records.loader import Snapshot
from ..records.schema import Kind, Schema

FEED_FILE = "feed.xml"
MAX_ITEMS = 50
CHINA = timezone(timedelta(hours=8))
ATOM = "http://www.w3.org/2005/Atom"


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, time(0, 0), CHINA))


def date_field(kind: Kind) -> str:
    """The kind's first date field ("" for none)."""
    return next((name for name, f in kind.fields.items() if f.type == "date"), "")


def is_feed_kind(kind: Kind) -> bool:
    home = kind.show.home
    return bool(home and home.layout == "list" and not kind.is_list_file and date_field(kind))


def feed_kind(schema: Schema) -> Kind | None:
    """The kind the feed carries: the first dated kind of the home page's
    `list` layout (工作动态); None when the model has none."""
    kinds = sorted((k for k in schema.kinds.values() if is_feed_kind(k)), key=lambda k: k.show.home.position)
    return kinds[0] if kinds else None


def news_items(records: list, preview: bool = False) -> list:
    """The feed's items among the records: those of the feed's kind
    (feed_kind) that the build publishes."""
    kinds = sorted({r.kind.name: r.kind for r in records if is_feed_kind(r.kind)}.values(),
                   key=lambda k: k.show.home.position)
    items = [r for r in records if kinds and r.kind is kinds[0] and (preview or r.is_published)]
    # Its list's order (newest first; same day by id): never the disk's.
    return sorted(items, key=lambda r: r.kind.listing.sort_key(r)[1:])


def build_feed(records: list, site_url: str, site_name: str, description: str,
               news_folder: str = "news/", label: str = "工作动态") -> bytes:
    base = (site_url or "").rstrip("/") + "/"
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = f"{site_name} {label}"
    ET.SubElement(channel, "link").text = f"{base}{news_folder}"
    ET.SubElement(channel, "description").text = description
    ET.SubElement(channel, "language").text = "zh-CN"
    ET.SubElement(channel, f"{{{ATOM}}}link", href=base + FEED_FILE, rel="self",
                  type="application/rss+xml")
    if records:
        ET.SubElement(channel, "lastBuildDate").text = _rfc822(_date(records[0][date_field(records[0].kind)]))
    for r in records[:MAX_ITEMS]:
        item = ET.SubElement(channel, "item")
        link = base + r.kind.url.format(id=r.id)
        ET.SubElement(item, "title").text = ("【示例】" if r.is_sample else "") + r.title
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = _rfc822(_date(r[date_field(r.kind)]))
        summary = r["summary"] or r["description"]
        if summary:
            ET.SubElement(item, "description").text = " ".join(str(summary).split())
        group = r.kind.listing.group_by
        value = r[group] if group else None
        for category in (value if isinstance(value, list) else [value] if value else []):
            ET.SubElement(item, "category").text = str(category)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feed(snap: Snapshot, config, site: Path, preview: bool = False) -> Path:
    """Write feed.xml into the built site; `config` is the loaded MkDocs config."""
    kind = feed_kind(snap.schema)
    data = build_feed(news_items(snap.records, preview), config.site_url or "", config.site_name,
                      config.site_description or "", kind.list_folder if kind else "",
                      kind.label if kind else "")
    target = site / FEED_FILE
    target.write_bytes(data)
    return target
