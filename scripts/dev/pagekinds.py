"""One page of every kind the site has, found from the model and the records
(not from today's kinds or content): what `make screenshots` photographs,
`make lighthouse` measures and the portal's browser tests open. Real
records are chosen before samples, as the lists order them.

The page kinds, named from the model (schema.yaml), in its order:
- "home", and the first page of each section of mkdocs.yml's own nav (by
  its folder or file name: "sandong");
- per kind with pages of its own: "<kind>-list" (its list), "<kind>-<field>"
  (the first group of a grouped list: "unit-sector") and "<kind>" (its first
  record's page, when it has records);
- per kind whose records live on its list (is_list_file): "<kind>" (the list);
- each derived list of `pages:` by its name ("honours");
- "sitemap" and "404".
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..records.loader import read_repository
from ..render import Site, group_folder, group_values
from ..site_config import site_config


def url_of(doc_path: str) -> str:
    """The address (relative to the site root, directory URLs) of a doc path."""
    if doc_path == "index.md":
        return ""
    if doc_path.endswith("/index.md"):
        return doc_path[: -len("index.md")]
    return doc_path[: -len(".md")] + "/"


def _first_page(entry) -> str | None:
    """The first Markdown page of a nav entry (a path, {title: path} or {title: [entries]})."""
    if isinstance(entry, str):
        return entry if entry.endswith(".md") and "://" not in entry else None
    if isinstance(entry, dict):
        for value in entry.values():
            found = _first_page(value)
            if found:
                return found
    if isinstance(entry, list):
        for item in entry:
            found = _first_page(item)
            if found:
                return found
    return None


def _has(record, field: str, value: str) -> bool:
    got = record[field]
    return value in got if isinstance(got, list) else got == value


def page_kinds(root: Path) -> dict[str, str]:
    """{page kind: address relative to the site root}; a kind without records
    has no page at all (the build leaves an empty column out: render.site.Site.shown)."""
    snap = read_repository(root)
    site = Site(snap.schema, snap.records, preview=False)
    out = {"home": ""}
    for entry in site_config(root).get("nav") or []:
        page = _first_page(entry)
        if page and page != "index.md":
            path = PurePosixPath(page)
            out.setdefault(path.parent.name if path.name == "index.md" else path.stem, url_of(page))
    for kind in snap.schema.kinds.values():
        items = site.by_kind.get(kind.name, [])
        if not site.shown(kind.name):
            continue
        if kind.is_list_file:
            out[kind.name] = url_of(kind.list_path)
        else:
            out[f"{kind.name}-list"] = url_of(kind.list_path)
        group = kind.listing.group_by
        if group:
            for n, value in enumerate(group_values(kind, items), 1):
                if any(_has(r, group, value) for r in items):
                    out[f"{kind.name}-{group}"] = url_of(group_folder(kind, value, n))
                    break
        if items and not kind.is_list_file:
            out[kind.name] = url_of(kind.doc_path(items[0].id))
    for name in snap.schema.pages:
        if site.builds(f"{name}.md"):
            out[name] = url_of(f"{name}.md")
    out["sitemap"] = "sitemap/"
    out["404"] = "404.html"
    return out
