"""The site as the templates see it: the records of this build, each kind in
the order its model's `list` declares, and the links between records both
ways (records.relations)."""
from __future__ import annotations

from collections import defaultdict

from ..records.loader import Record
from ..records.relations import Relations
from ..records.schema import Kind, Schema

# Featured records of one kind on the home page: it must not grow with the site.
FEATURED_MAX = 8
# The home page's other bounded parts.
HOME_NEWS = 6          # 工作动态 column
HOME_PER_SECTOR = 2    # 先进典型 cards of each sector
HOME_MEMBERS = 4       # 优秀共产党员 cards
HOME_FILMS = 4         # 专题片 posters
HOME_FIGURES = 6       # 数说党建 large figures
HOME_SMS = 3           # 红色短信 strip


class Site:
    # The home page's bounds, for its template (templates/pages/index.md.j2).
    HOME_NEWS, HOME_PER_SECTOR, HOME_MEMBERS = HOME_NEWS, HOME_PER_SECTOR, HOME_MEMBERS
    HOME_FILMS, HOME_FIGURES, HOME_SMS = HOME_FILMS, HOME_FIGURES, HOME_SMS

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

    def related(self, r: Record, kind: str) -> list[Record]:
        """Records of `kind` linked to r in either direction, in list order."""
        found = [o for o in self.relations.related(r) if o.kind.name == kind]
        return sorted(found, key=lambda x: self.position[x.id])

    def related_by_kind(self, r: Record, exclude=()) -> list[tuple[Kind, list[Record]]]:
        """(kind, records) of every kind linked to r, in the model's order:
        what a record's page lists under 相关…, whatever field links them."""
        out = []
        for name, kind in self.schema.kinds.items():
            if name not in exclude:
                found = self.related(r, name)
                if found:
                    out.append((kind, found))
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

    def unit_of(self, member: Record) -> Record | None:
        units = self.related(member, "unit")
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

    def headline(self) -> Record | None:
        """The home page's 头条: the newest news post, else the first featured
        exemplar or film, so that the first screen is never empty."""
        for kind in ("news", "unit", "video", "member"):
            items = self.by_kind.get(kind, [])
            if items:
                return items[0]
        return None

    def by_group(self, kind: str, field: str, per_group: int) -> list[tuple[str, int, list[Record]]]:
        """(value, number of records, the first `per_group` of them) for each
        value of an enum field that has records, in the model's order."""
        f = self.schema.kinds[kind].fields[field]
        items = self.by_kind.get(kind, [])
        out = []
        for value in f.values:
            members = [r for r in items if r[field] == value]
            if members:
                out.append((value, len(members), members[:per_group]))
        return out

    def home_figures(self, n: int) -> list[Record]:
        """数说党建 on the home page: the figures marked for it, else the first."""
        items = self.by_kind.get("figure", [])
        return ([r for r in items if r["featured"]] or items)[:n]
