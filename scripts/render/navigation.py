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


def load_nav(root: Path, schema=None, built=None) -> list[Section]:
    """The site's menu as sections; `built(doc path)`: whether the build
    writes a model entry's page (else every model entry is kept)."""
    from ..records.schema import schema_for
    schema = schema or schema_for(root)
    return [e for e in map(_entry, nav_for(schema, site_config(root).get("nav"), built=built)) if e]


def model_paths(schema) -> set[str]:
    """The doc paths of the model's menu entries: kinds' lists, derived pages."""
    return {k.list_path for k in schema.kinds.values() if k.show.menu} | {f"{n}.md" for n in schema.page_menus}


def _drop_unbuilt(items: list, model: set[str], built) -> list:
    """mkdocs.yml's own entries without those naming a model page not built
    (a configuration built again holds the model's entries of the last build)."""
    out = []
    for item in items:
        if isinstance(item, str):
            if item not in model or built(item):
                out.append(item)
        elif isinstance(item, dict):
            kept = {}
            for title, value in item.items():
                if isinstance(value, list):
                    index = value[0] if value and isinstance(value[0], str) else None
                    if index in model and not built(index):
                        continue   # the section of a column not built: its entries come again below
                    value = _drop_unbuilt(value, model, built)
                    if value:
                        kept[title] = value
                elif not isinstance(value, str) or value not in model or built(value):
                    kept[title] = value
            if kept:
                out.append(kept)
        else:
            out.append(item)
    return out


def nav_for(schema, own_nav: list | None, docs_dir=None, built=None) -> list:
    """mkdocs' nav: mkdocs.yml's own entries (home, hand-written sections),
    then the model's (schema.yaml `show.menu` of kinds and `pages`), in their
    positions, each under its parent's entry when it names one. A list
    mkdocs.yml already names is not added twice.

    Only the pages the build wrote: `docs_dir` (the generated Markdown) or
    `built(doc path)` says which; a kind without published records has no
    list page (render.Renderer), so its entry is left out, and an entry
    under a left-out parent moves up to the top. Neither given: every entry."""
    if built is None:
        built = (lambda path: (Path(docs_dir) / path).is_file()) if docs_dir is not None else (lambda path: True)
    own_nav = _drop_unbuilt(list(own_nav or []), model_paths(schema), built)
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
    entries = [e for e in entries if e[2] not in named and built(e[2])]
    entries.sort(key=lambda e: (e[1].position, e[0]))
    shown = {e[0] for e in entries}
    tops = [e for e in entries if e[1].under not in shown or e[1].under not in schema.kinds]
    out = []
    for name, menu, path in tops:
        kids = [{m.label: p} for n, m, p in entries if m.under == name and (n, m, p) not in tops]
        out.append({menu.label: [path, *kids]} if kids else {menu.label: path})
    return own_nav + out


def site_nav(root: Path, schema, docs_dir=None) -> list:
    """The nav of the site built from `root` (into `docs_dir`: its columns only)."""
    return nav_for(schema, site_config(root).get("nav"), docs_dir=docs_dir)
