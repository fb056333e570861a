"""Render: records through the Jinja templates into plain Markdown.

The output is ordinary MkDocs Markdown with front matter: no project plugin or
hook is needed to build it, so another MkDocs-compatible builder can take over.
Templates are Hugo-style: templates/<kind>/single.md.j2 and list.md.j2.
"""
from __future__ import annotations

import html
import posixpath
from datetime import date
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from . import media
from .charts import bar_chart, chart_groups
from .navigation import load_nav
from .progress import Progress
from .records import Record
from .schema import load_schema
from .video import filters as video_filters

# Characters that can start Markdown markup (links, emphasis, code, attribute
# lists, tables); escaped so that a field is always shown as text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|~])")
# Featured records of one kind on the home page: it must not grow with the site.
FEATURED_MAX = 8


def md_text(value) -> str:
    """A field value as literal Markdown text: no markup, no HTML, one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _html_text(value):
    """Strings (also inside lists) HTML-escaped; anything else as it is."""
    if isinstance(value, list):
        return [_html_text(v) for v in value]
    return html.escape(value) if isinstance(value, str) else value


def _finalize(value):
    """Every {{ value }} is literal text unless a filter or macro made it Markup."""
    if value is None or isinstance(value, jinja2.Undefined):
        return Markup("")
    return value if isinstance(value, Markup) else Markup(md_text(value))


@dataclass
class Site:
    """Everything the templates see: records grouped by kind, and the links."""
    records: list[Record]
    preview: bool
    by_id: dict[str, Record] = field(init=False)
    by_kind: dict[str, list[Record]] = field(init=False)
    backlinks: dict[str, list[Record]] = field(init=False)

    def __post_init__(self):
        self.records = [r for r in self.records if self.preview or r.is_published]
        self.by_id = {r.id: r for r in self.records}
        self.by_kind = defaultdict(list)
        for r in self.records:
            self.by_kind[r.kind.name].append(r)
        self.position: dict[str, int] = {}
        for kind, items in self.by_kind.items():
            items.sort(key=_order_key)
            self.position.update((r.id, i) for i, r in enumerate(items))
        # Page of each record of a list-file kind (sms): its list is paginated.
        self.located: dict[str, str] = {}
        # Links are kept both ways: a unit lists a member whose `unit` names
        # it even if the unit's own `members` field does not, and vice versa.
        self.backlinks = defaultdict(list)
        for r in self.records:
            for target in self._refs(r):
                if r not in self.backlinks[target]:
                    self.backlinks[target].append(r)

    def _refs(self, r: Record) -> list[str]:
        k = r.kind.name
        if k == "unit":
            return [*(r["members"] or []), *(r["videos"] or [])]
        if k == "member":
            return [r["unit"]] if r["unit"] in self.by_id else []
        if k == "video":
            return list(r["subjects"] or [])
        if k == "sms":
            return [r["unit"]] if r["unit"] in self.by_id else []
        return []

    def related(self, r: Record, kind: str) -> list[Record]:
        """Records of `kind` linked to r in either direction, in list order."""
        ids = {i for i in self._refs(r) if i in self.by_id}
        ids |= {b.id for b in self.backlinks.get(r.id, [])}
        found = [self.by_id[i] for i in ids if self.by_id[i].kind.name == kind]
        return sorted(found, key=lambda x: self.position[x.id])

    def honour_entries(self) -> list[tuple[str, Record, dict]]:
        """(honour title, holder, honour) for the honours page: titles in order
        of first appearance, holders in list order (units, then members)."""
        entries = [(h["title"], r, h) for r in self.by_kind.get("unit", []) + self.by_kind.get("member", [])
                   for h in r["honours"] or [] if isinstance(h, dict)]
        first: dict[str, int] = {}
        for i, (title, _, _) in enumerate(entries):
            first.setdefault(title, i)
        return sorted(entries, key=lambda e: first[e[0]])

    def unit_of(self, member: Record) -> Record | None:
        units = self.related(member, "unit")
        return units[0] if units else None

    def latest(self, kind: str, n: int) -> list[Record]:
        return self.by_kind.get(kind, [])[:n]

    def featured(self, kind: str) -> list[Record]:
        """The home page's picks: at most FEATURED_MAX, real records first."""
        return [r for r in self.by_kind.get(kind, []) if r["featured"]][:FEATURED_MAX]


def _order_key(r: Record):
    """Real records before samples; news newest first; else by title order."""
    if r.kind.name == "news":
        return (r.is_sample, "".join(chr(0x10FFFF - ord(c)) for c in str(r["date"])), r.id)
    return (r.is_sample, not r["featured"], r.path, r.line)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept across renders: the live preview re-renders on
    every save, and compiling the templates was a third of that. Jinja checks
    each template's source checksum, so an edited template is compiled anew."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = MemoryBytecodeCache()


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_BYTECODE,
        loader=jinja2.FileSystemLoader(templates),
        finalize=_finalize,
        # Autoescape makes macro output and template text trusted (Markup);
        # _finalize escapes field values for Markdown, not just for HTML.
        autoescape=True,
        # Optional fields are simply absent from a record: render them empty.
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def link(ctx, target: Record | str, text=None):
        """A Markdown link from the page being rendered to a record's page."""
        site: Site = ctx["site"]
        r = site.by_id.get(target) if isinstance(target, str) else target
        if r is None:  # free text, or a record left out of this build
            return Markup(md_text(text or target))
        target_path = site.located.get(r.id) or r.kind.doc_path(r.id)
        href = posixpath.relpath(target_path, posixpath.dirname(ctx["page_path"]))
        if r.kind.is_list_file:
            href += f"#{r.id}"
        return Markup(f"[{md_text(text or r.title)}]({href})")

    @jinja2.pass_context
    def url(ctx, doc_path: str):
        return Markup(posixpath.relpath(doc_path, posixpath.dirname(ctx["page_path"])))

    def front_matter(data: dict) -> Markup:
        # MkDocs themes print page titles and descriptions unescaped (into
        # <title>, headings, the blog's excerpts): escape them here as text.
        # str(): a title built with a macro is Markup, which YAML cannot dump.
        clean = {k: _html_text(str(v) if isinstance(v, str) else v) for k, v in data.items() if v not in (None, "", [])}
        front = yaml.dump(clean, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        return Markup("---\n" + front + "---\n")

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

    env.filters.update(link=link, url=url, front_matter=front_matter, number=number, amount=amount,
                       isodate=lambda s: date.fromisoformat(s) if isinstance(s, str) else s,
                       body=lambda r: Markup(r.body.strip()),
                       photo_size=lambda rel: media.photo_size(templates.parent, rel))
    env.filters.update(chart=lambda figures, key: Markup(bar_chart(figures, key, amount)),
                       chart_groups=chart_groups)
    return env


# Items on one page of a list (members, films, SMS, a sector's units, the
# honours): every list page stays small however many records there are.
PAGE_SIZE = 50
# Kinds whose list template is paginated, and the field a kind's list is split
# by into pages of their own (each value: a folder `<field>/<n>/`).
PAGINATED = {"unit", "member", "video", "sms"}
GROUPED = {"unit": "sector"}


@dataclass
class Pager:
    """One page of a paginated list, for templates/partials/pager.md.j2."""
    number: int              # 1-based
    paths: list[str]         # doc path of every page of the list
    total: int               # items in the whole list
    start: int               # index of this page's first item in the list

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def previous(self) -> str | None:
        return self.paths[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.paths[self.number] if self.number < self.count else None

    def window(self, around: int = 2) -> list[int]:
        """Page numbers to link: the first, the last, and those near this one."""
        near = range(max(1, self.number - around), min(self.count, self.number + around) + 1)
        return sorted({1, self.count, *near})

    def path(self, number: int) -> str:
        return self.paths[number - 1]


def page_paths(first: str, count: int) -> list[str]:
    """Doc paths of a list's pages: index.md, then page/2.md, page/3.md …
    (ids have no slash, so no record page can take these places)."""
    folder = first[: -len("index.md")] if first.endswith("index.md") else first[: -len(".md")] + "/"
    return [first] + [f"{folder}page/{n}.md" for n in range(2, count + 1)]


def paginate(items: list, first: str, per_page: int | None = None) -> list[tuple[Pager, list]]:
    per_page = per_page or PAGE_SIZE
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    paths = page_paths(first, len(chunks))
    return [(Pager(n, paths, len(items), (n - 1) * per_page), chunk)
            for n, chunk in enumerate(chunks, 1)]


def render_site(records: list[Record], root: Path, out: Path, preview: bool = False) -> int:
    """Write the Markdown of the whole site into `out` (a fresh folder).

    Returns the number of pages written.
    """
    schema = load_schema()
    site = Site(records, preview)
    env = environment(root / "templates")
    env.filters.update(video_filters(root))
    env.globals["nav"] = load_nav(root)  # for the 网站地图 page
    count = 0

    def write(doc_path: str, template: str, **context):
        nonlocal count
        text = env.get_template(template).render(
            site=site, schema=schema, preview=preview, page_path=doc_path, **context)
        target = out / doc_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        count += 1

    def write_pages(pages: list[tuple[Pager, list]], template: str, **context):
        for pager, chunk in pages:
            write(pager.path(pager.number), template, items=chunk, pager=pager, **context)

    # A list-file kind's records (sms) live on the pages of its list: split it
    # now, before any page links to one, and write those same pages below.
    list_pages = {name: paginate(site.by_kind.get(name, []), kind.list_path)
                  for name, kind in schema.kinds.items() if kind.is_list_file and name in PAGINATED}
    for pages in list_pages.values():
        for pager, chunk in pages:
            site.located.update((r.id, pager.path(pager.number)) for r in chunk)

    _copy_content(root, out)
    progress = Progress("生成页面", sum(len(site.by_kind.get(n, [])) for n in schema.kinds
                                        if (root / "templates" / f"{n}/single.md.j2").exists()))
    for name, kind in schema.kinds.items():
        items = site.by_kind.get(name, [])
        list_template = f"{name}/list.md.j2"
        if (root / "templates" / list_template).exists():
            field_name = GROUPED.get(name)
            if field_name:
                groups = []
                for n, value in enumerate(kind.fields[field_name].values, 1):
                    members = [r for r in items if r[field_name] == value]
                    first = f"{kind.list_path[: -len('index.md')]}{field_name}/{n}/index.md"
                    if len(members) > PAGE_SIZE:  # else the index shows them all
                        write_pages(paginate(members, first), list_template, kind=kind, group=value)
                    if members:
                        groups.append({"value": value, "items": members,
                                       "path": first if len(members) > PAGE_SIZE else None})
                write(kind.list_path, list_template, kind=kind, items=items, groups=groups,
                      per_page=PAGE_SIZE)
            elif name in PAGINATED:
                pages = list_pages.get(name) or paginate(items, kind.list_path)
                write_pages(pages, list_template, kind=kind)
            else:
                write(kind.list_path, list_template, kind=kind, items=items)
        single = f"{name}/single.md.j2"
        if (root / "templates" / single).exists():
            for r in items:
                write(kind.doc_path(r.id), single, kind=kind, record=r)
                progress.step()
    for page in sorted((root / "templates" / "pages").glob("*.md.j2")):
        doc_path = page.name[: -len(".j2")]
        if doc_path == "honours.md":
            write_pages(paginate(site.honour_entries(), doc_path), f"pages/{page.name}")
        else:
            write(doc_path, f"pages/{page.name}")
    _copy_media(site, root, out)
    return count


def _copy_content(root: Path, out: Path):
    """content/ goes in as it is, except news posts: they are records, and go
    through the news template (status, sample marks, editorial fields) with
    the other records, in render_site."""
    content = root / "content"
    posts_dir = root / Path(load_schema().kinds["news"].path).parent
    for src in sorted(content.rglob("*")):
        if src.is_dir() or (src.parent == posts_dir and src.suffix == ".md"):
            continue
        target = out / src.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)


def _copy_media(site: Site, root: Path, out: Path):
    from .validate import _walk_fields  # media may sit in lists (photos)
    for r in site.records:
        for _, f, value in _walk_fields(r):
            if f.type == "media" and isinstance(value, str) and value:
                target = out / value
                target.parent.mkdir(parents=True, exist_ok=True)
                media.copy_media(root, value, target)
