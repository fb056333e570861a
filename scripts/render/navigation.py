"""The site's menu: mkdocs.yml's own nav (home, hand-written sections)
followed by the model's entries (kinds and derived pages with `menu:` in
schema.yaml), given to mkdocs as its nav, and read back for the 网站地图 page,
so the map always follows the menu a reader sees.
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


def load_nav(root: Path, schema=None) -> list[Section]:
    from ..records.schema import schema_for
    return [e for e in map(_entry, site_nav(root, schema or schema_for(root))) if e]


def nav_for(schema, own_nav: list | None) -> list:
    """mkdocs' nav: mkdocs.yml's own entries (home, hand-written sections),
    then the model's (schema.yaml `show.menu` of kinds and `pages`), in their
    positions, each under its parent's entry when it names one. A list
    mkdocs.yml already names is not added twice."""
    own_nav = list(own_nav or [])
    named = set()

    def collect(items):
        for item in items:
            if isinstance(item, str):
                named.add(item)
            elif isinstance(item, dict):
                for value in item.values():
                    collect(value) if isinstance(value, list) else named.add(value)

    collect(own_nav)
    entries = [(k.name, k.show.menu, k.list_path) for k in schema.kinds.values() if k.show.menu]
    entries += [(name, menu, f"{name}.md") for name, menu in schema.page_menus.items()]
    entries = [e for e in entries if e[2] not in named]
    entries.sort(key=lambda e: (e[1].position, e[0]))
    tops = [e for e in entries if not e[1].under or e[1].under not in schema.kinds
            or not schema.kinds[e[1].under].show.menu]
    out = []
    for name, menu, path in tops:
        kids = [{m.label: p} for n, m, p in entries if m.under == name and (n, m, p) not in tops]
        out.append({menu.label: [path, *kids]} if kids else {menu.label: path})
    return own_nav + out


def site_nav(root: Path, schema) -> list:
    """The nav of the site built from `root`."""
    return nav_for(schema, site_config(root).get("nav"))
