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
