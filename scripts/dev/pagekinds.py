"""One page of every kind the site has, found from the records (not from
today's content): what `make screenshots` photographs and the portal's
browser tests open. Real records are chosen before samples, as the lists
order them."""
from __future__ import annotations

from pathlib import Path

from ..records.loader import read_repository
from ..render import Site
from ..render import group_folder, group_values


def url_of(doc_path: str) -> str:
    """The address (relative to the site root, directory URLs) of a doc path."""
    if doc_path == "index.md":
        return ""
    if doc_path.endswith("/index.md"):
        return doc_path[: -len("index.md")]
    return doc_path[: -len(".md")] + "/"


def page_kinds(root: Path) -> dict[str, str]:
    """{page kind: address relative to the site root}; a kind without records
    gives its list page only."""
    snap = read_repository(root)
    site = Site(snap.schema, snap.records, preview=False)
    kinds = snap.schema.kinds
    out = {"home": ""}

    def first(kind: str):
        items = site.by_kind.get(kind, [])
        return items[0] if items else None

    out["unit-list"] = url_of(kinds["unit"].list_path)
    unit = kinds["unit"]
    for n, value in enumerate(group_values(unit, site.by_kind.get("unit", [])), 1):
        if any(r[unit.listing.group_by] == value for r in site.by_kind.get("unit", [])):
            out["sector"] = url_of(group_folder(unit, value, n))
            break
    if first("unit"):
        out["unit"] = url_of(unit.doc_path(first("unit").id))
    out["member-list"] = url_of(kinds["member"].list_path)
    if first("member"):
        out["member"] = url_of(kinds["member"].doc_path(first("member").id))
    out["film-list"] = url_of(kinds["video"].list_path)
    if first("video"):
        out["film"] = url_of(kinds["video"].doc_path(first("video").id))
    out["honours"] = "honours/"
    out["sms"] = url_of(kinds["sms"].list_path)
    out["figures"] = url_of(kinds["figure"].list_path)
    news = kinds["news"]
    out["news-list"] = url_of(news.list_path)
    items = site.by_kind.get("news", [])
    values = group_values(news, items)
    if values:
        out["news-category"] = url_of(group_folder(news, values[0], 1))
    if items:
        out["news-post"] = url_of(news.doc_path(items[0].id))
    if (root / "content" / "sandong" / "index.md").exists():
        out["sandong"] = "sandong/"
    out["sitemap"] = "sitemap/"
    out["404"] = "404.html"
    return out
