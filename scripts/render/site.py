"""The site as the templates see it: the records of this build, each kind in
the order its model's `list` declares, and the links between records both
ways (records.relations)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


from ..records.loader import Record
from ..records.relations import Relations
from ..records.schema import Kind, Schema
from .navigation import nav_for

# Featured records of one kind on the home page: it must not grow with the site.
FEATURED_MAX = 8
# The most records of one home section (of one group, for layout "groups"),
# whatever its `count` in the model says: the home page must not grow with it.
HOME_MAX = 12
# Counting a kind's records when its model names no measure word (show.measure).
DEFAULT_MEASURE = "条"


@dataclass
class HomeSection:
    """One section of the home page (templates/pages/index.md.j2), from a
    kind's `show.home` in the model, or a hand-written section of the nav
    (mkdocs.yml `extra: home_sections`, layout "pages")."""
    position: int
    layout: str                 # list | groups | cards | figures | strip | pages
    heading: str
    kind: Kind | None = None
    items: list[Record] = field(default_factory=list)
    # layout "groups": (value, number of records, the first `count` of them)
    groups: list[tuple[str, int, list[Record]]] = field(default_factory=list)
    # Kinds whose menu entry is under this kind's: shown inside its section.
    children: list["HomeSection"] = field(default_factory=list)
    # (label, doc path) of the menu entries under this kind's (its "more" links).
    more: list[tuple[str, str]] = field(default_factory=list)


class Site:
    def __init__(self, schema: Schema, records: list[Record], preview: bool):
        self.schema, self.preview = schema, preview
        self.records = [r for r in records if preview or r.is_published]
        self.by_id = {r.id: r for r in self.records}
        self.by_kind: dict[str, list[Record]] = defaultdict(list)
        for r in self.records:
            self.by_kind[r.kind.name].append(r)
        self.position: dict[str, int] = {}
        for name, items in self.by_kind.items():
            items.sort(key=schema.kinds[name].listing.sort_key)
            self.position.update((r.id, i) for i, r in enumerate(items))
        # Page of each record of a list-file kind (sms): its list is paginated.
        self.located: dict[str, str] = {}
        self.relations = Relations(self.records)
        self._derived: dict[str, bool] = {}   # derived page: lists anything

    # --- what this build shows ------------------------------------------------

    def shown(self, kind: str) -> bool:
        """Whether the kind is a column of this build: it has records (on the
        public site published ones; in the preview drafts count). An empty
        kind gets no list page, no menu entry, no home section: a column with
        nothing in it is what the inspection fails (make audit 空白栏目)."""
        return bool(self.by_kind.get(kind))

    def builds(self, doc_path: str) -> bool:
        """Whether the build writes the list page `doc_path` of a model entry:
        a kind's list when the kind is shown, a derived page (`pages:`) when
        it lists anything. What is not built is never linked (menu, home,
        网站地图, sitemap.xml)."""
        for name, kind in self.schema.kinds.items():
            if kind.list_path == doc_path:
                return self.shown(name)
        name = doc_path[: -len(".md")] if doc_path.endswith(".md") else ""
        if name in self.schema.pages:
            if name not in self._derived:
                self._derived[name] = bool(getattr(self, name)())
            return self._derived[name]
        return True

    def related(self, r: Record, kind: str) -> list[Record]:
        """Records of `kind` linked to r in either direction, in list order."""
        found = [o for o in self.relations.related(r) if o.kind.name == kind]
        return sorted(found, key=lambda x: self.position[x.id])

    def related_by_kind(self, r: Record, exclude=()) -> list[tuple[Kind, list[Record]]]:
        """(kind, records) of every kind linked to r, in the model's order:
        what a record's page lists under 相关…, whatever field links them."""
        by_kind: dict[str, list[Record]] = defaultdict(list)
        for o in self.relations.related(r):   # once, not once a kind (the same as related())
            by_kind[o.kind.name].append(o)
        out = []
        for name, kind in self.schema.kinds.items():
            if name not in exclude and by_kind.get(name):
                out.append((kind, sorted(by_kind[name], key=lambda x: self.position[x.id])))
        return out

    def honours(self) -> list[tuple[str, Record, dict]]:
        """(honour title, holder, honour) of every record with `honours`:
        titles in order of first appearance, holders in list order."""
        entries = [(h["title"], r, h) for name, kind in self.schema.kinds.items() if "honours" in kind.fields
                   for r in self.by_kind.get(name, []) for h in r["honours"] or [] if isinstance(h, dict)]
        first: dict[str, int] = {}
        for i, (title, _, _) in enumerate(entries):
            first.setdefault(title, i)
        return sorted(entries, key=lambda e: first[e[0]])

    def own_refs(self, r: Record, name: str) -> list[Record]:
        """The records of this build that r's own field `name` names (one, or
        each item of a list). Only r's own field: a unit listing a member
        (its 相关党员) is not the member's 所在单位, a unit listing a film is
        not one of the film's 片中典型; links the other way show as 相关…"""
        value = r[name]
        ids = value if isinstance(value, list) else [value]
        return [self.by_id[v] for v in ids if isinstance(v, str) and v in self.by_id]

    def unit_of(self, member: Record) -> Record | None:
        """The member's unit record, from its own `unit` field only."""
        units = self.own_refs(member, "unit")
        return units[0] if units else None

    def latest(self, kind: str, n: int) -> list[Record]:
        return self.by_kind.get(kind, [])[:n]

    def featured(self, kind: str) -> list[Record]:
        """The home page's picks: at most FEATURED_MAX, real records first."""
        return [r for r in self.by_kind.get(kind, []) if r["featured"]][:FEATURED_MAX]

    def real(self, kind: str) -> list[Record]:
        return [r for r in self.by_kind.get(kind, []) if not r.is_sample]

    def count(self, kind: str) -> tuple[int, int]:
        """(records, samples among them) of a kind in this build."""
        items = self.by_kind.get(kind, [])
        return len(items), sum(r.is_sample for r in items)

    def neighbours(self, r: Record) -> tuple[Record | None, Record | None]:
        """The records before and after r in its kind's list (上一篇 / 下一篇)."""
        items = self.by_kind.get(r.kind.name, [])
        i = self.position.get(r.id)
        if i is None or i >= len(items) or items[i] is not r:
            return None, None
        return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)

    # --- the home page ---------------------------------------------------------

    def home_kinds(self) -> list[Kind]:
        """The kinds with a section on the home page, in its order."""
        kinds = [k for k in self.schema.kinds.values() if k.show.home and self.shown(k.name)]
        return sorted(kinds, key=lambda k: (k.show.home.position, k.name))

    def headline(self) -> Record | None:
        """The home page's 头条: the first record (newest, or first featured)
        of the first kind of the home page that has records with pages of
        their own, so that the first screen is never empty."""
        for kind in self.home_kinds():
            items = self.by_kind.get(kind.name, [])
            if items and not kind.is_list_file:
                return items[0]
        return None

    def by_group(self, kind: str, field: str, per_group: int) -> list[tuple[str, int, list[Record]]]:
        """(value, number of records, the first `per_group` of them) for each
        value of the field that has records: an enum's in the model's order,
        other values (a list of text) in order of first use."""
        items = self.by_kind.get(kind, [])
        f = self.schema.kinds[kind].fields[field]
        values: dict[str, None] = dict.fromkeys(f.values or ())
        if not f.values:
            for r in items:
                for v in r[field] if isinstance(r[field], list) else [r[field]]:
                    if isinstance(v, str) and v:
                        values.setdefault(v)
        out = []
        for value in values:
            members = [r for r in items if (value in r[field] if isinstance(r[field], list) else r[field] == value)]
            if members:
                out.append((value, len(members), members[:per_group]))
        return out

    def menu_entries(self) -> list[tuple[str, str, str]]:
        """(name, label, doc path) of the model's menu entries (kinds and
        derived pages), in the menu's order, those under another flattened
        after it."""
        paths = {k.list_path: k.name for k in self.schema.kinds.values()}
        paths.update((f"{name}.md", name) for name in self.schema.page_menus)
        out = []

        def walk(items):
            for item in items:
                for label, value in item.items():
                    first = value[0] if isinstance(value, list) else value
                    out.append((paths.get(first, ""), label, first))
                    if isinstance(value, list):
                        walk([v for v in value[1:] if isinstance(v, dict)])
        walk(nav_for(self.schema, [], built=self.builds))
        return out

    def measure(self, kind: Kind) -> str:
        """The measure word counting a kind's records (个先进典型, 部专题片):
        `show.measure` in the model, else 条."""
        return kind.show.measure or DEFAULT_MEASURE

    def _home_items(self, kind: Kind, layout: str, count: int) -> tuple[list[Record], list]:
        items = self.by_kind.get(kind.name, [])
        if layout == "groups" and kind.listing.group_by:
            groups = self.by_group(kind.name, kind.listing.group_by, count)
            return [r for _, _, shown in groups for r in shown], groups
        if layout == "figures":   # those marked for the home page, else the first
            return ([r for r in items if r["featured"]] or items)[:count], []
        return items[:count], []

    def home_sections(self, pages: dict | None = None) -> list[HomeSection]:
        """The sections of the home page in their order: each kind's with
        `show.home` (at most `count` records, never more than HOME_MAX), a
        kind whose menu entry is under another's inside that one's section;
        `pages`: {title of a hand-written nav section: position}."""
        kinds = self.home_kinds()
        names = {k.name for k in kinds}
        entries = self.menu_entries()
        sections: dict[str, HomeSection] = {}
        for kind in kinds:
            home = kind.show.home
            count = max(1, min(home.count, HOME_MAX))
            layout = home.layout if home.layout != "groups" or kind.listing.group_by else "cards"
            items, groups = self._home_items(kind, layout, count)
            more = [(label, path) for name, label, path in entries
                    if name and name != kind.name and self._under(name) == kind.name]
            sections[kind.name] = HomeSection(home.position, layout, home.heading or kind.label, kind,
                                              items, groups, more=more)
        top = []
        for kind in kinds:
            parent = kind.show.menu.under if kind.show.menu else ""
            if parent in names and parent != kind.name:
                sections[parent].children.append(sections[kind.name])
            else:
                top.append(sections[kind.name])
        for title, position in (pages or {}).items():
            top.append(HomeSection(int(position), "pages", str(title)))
        return sorted(top, key=lambda s: s.position)

    def _under(self, name: str) -> str:
        menu = (self.schema.kinds[name].show.menu if name in self.schema.kinds
                else self.schema.page_menus.get(name))
        return menu.under if menu else ""
