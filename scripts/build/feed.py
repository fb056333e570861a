"""The RSS 2.0 feed of 工作动态 (news), written into the built site as feed.xml.

A post-mkdocs step: it needs the built site's address (site_url) from the
MkDocs configuration; the items' addresses are the news kind's (schema.yaml). The output depends only on the records
(newest first, then by id), so two builds of the same content are identical.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from ..records.loader import Snapshot

FEED_FILE = "feed.xml"
MAX_ITEMS = 50
CHINA = timezone(timedelta(hours=8))
ATOM = "http://www.w3.org/2005/Atom"


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _rfc822(day: date) -> str:
    return format_datetime(datetime.combine(day, time(0, 0), CHINA))


def news_items(records: list, preview: bool = False) -> list:
    """The feed's items among the records: news that the build publishes."""
    items = [r for r in records if r.kind.name == "news" and (preview or r.is_published)]
    # The news list's order (newest first; same day by id): never the disk's.
    return sorted(items, key=lambda r: r.kind.listing.sort_key(r)[1:])


def build_feed(records: list, site_url: str, site_name: str, description: str,
               news_folder: str = "news/") -> bytes:
    base = (site_url or "").rstrip("/") + "/"
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = f"{site_name} 工作动态"
    ET.SubElement(channel, "link").text = f"{base}{news_folder}"
    ET.SubElement(channel, "description").text = description
    ET.SubElement(channel, "language").text = "zh-CN"
    ET.SubElement(channel, f"{{{ATOM}}}link", href=base + FEED_FILE, rel="self",
                  type="application/rss+xml")
    if records:
        ET.SubElement(channel, "lastBuildDate").text = _rfc822(_date(records[0]["date"]))
    for r in records[:MAX_ITEMS]:
        item = ET.SubElement(channel, "item")
        link = base + r.kind.url.format(id=r.id)
        ET.SubElement(item, "title").text = ("【示例】" if r.is_sample else "") + r.title
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = _rfc822(_date(r["date"]))
        summary = r["summary"] or r["description"]
        if summary:
            ET.SubElement(item, "description").text = " ".join(str(summary).split())
        for category in r["categories"] or []:
            ET.SubElement(item, "category").text = str(category)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feed(snap: Snapshot, config, site: Path, preview: bool = False) -> Path:
    """Write feed.xml into the built site; `config` is the loaded MkDocs config."""
    data = build_feed(news_items(snap.records, preview), config.site_url or "", config.site_name,
                      config.site_description or "", snap.schema.kinds["news"].list_folder)
    target = site / FEED_FILE
    target.write_bytes(data)
    return target
