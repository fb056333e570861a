"""The site's sections as mkdocs.yml's fixed nav lists them, for the 网站地图 page.

Read from mkdocs.yml itself, so the map always follows the menu an editor sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..site_config import site_config


@dataclass
class Section:
    title: str
    path: str | None                 # Markdown path inside docs, or None
    children: list["Section"] = field(default_factory=list)


def _entry(item) -> Section | None:
    if isinstance(item, str):        # a section's own index page, untitled
        return Section("", item)
    if isinstance(item, dict) and len(item) == 1:
        (title, value), = item.items()
        if isinstance(value, str):
            return Section(str(title), value)
        if isinstance(value, list):
            kids = [e for e in map(_entry, value) if e]
            index = next((k.path for k in kids if not k.title), None)
            return Section(str(title), index, [k for k in kids if k.title])
    return None


def load_nav(root: Path) -> list[Section]:
    return [e for e in map(_entry, site_config(root).get("nav") or []) if e]
