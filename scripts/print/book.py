"""What goes to print, from the records as `check` read them: the published
records (samples only when asked for), in the order the model lists them,
the compilation's parts and sector groups, and each record's address.

The compilation (先进典型事迹材料汇编) has one part per kind of COMPILED
(units, then members); within a part, one group per value of the units'
grouping field (schema.yaml `list.group_by`: 领域), in the model's order. A
member belongs to the sector of its unit (the first unit linked to it, either
way); members whose unit has no record in this print are grouped last, under
OTHER.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..problems import InputError, Problem
from ..records import view
from ..records.loader import Record, Snapshot
from ..records.qr import site_url
from ..records.relations import Relations
from ..records.schema import ID_RE, Kind

# The kinds of the compilation, in its order, and the kind its groups come from.
COMPILED = ("unit", "member")
GROUPING_KIND = "unit"
FILMS = "video"
OTHER = "其他"


@dataclass
class Group:
    title: str                 # a sector, or OTHER; "" when the part is not grouped
    records: list[Record]


@dataclass
class Part:
    kind: Kind
    groups: list[Group]

    @property
    def records(self) -> list[Record]:
        return [r for g in self.groups for r in g.records]


@dataclass
class Book:
    root: Path
    snap: Snapshot
    samples: bool                   # samples included (and marked)
    records: list[Record] = field(default_factory=list)
    by_kind: dict[str, list[Record]] = field(default_factory=dict)
    base_url: str = ""

    def __post_init__(self):
        self.records = [r for r in self.snap.records
                        if r.is_published and (self.samples or not r.is_sample)]
        self.by_id = {r.id: r for r in self.records}
        self.known = {r.id for r in self.snap.records}
        for name, kind in self.snap.schema.kinds.items():
            items = [r for r in self.records if r.kind.name == name]
            self.by_kind[name] = sorted(items, key=kind.listing.sort_key)
        self.position = {r.id: i for items in self.by_kind.values() for i, r in enumerate(items)}
        self.relations = Relations(self.records)
        self.base_url = site_url(self.root)

    # --- addresses -------------------------------------------------------

    def url(self, r: Record) -> str:
        """The address of the record's page, as the web build makes it."""
        return view.record_address(self.base_url, r)

    @property
    def local_address(self) -> bool:
        """site_url is still a preview or intranet address: the codes open
        nothing on a reader's phone (the release gate's own test)."""
        return view.is_local_address(self.base_url)

    # --- relations -------------------------------------------------------

    def related(self, r: Record, kind: str) -> list[Record]:
        found = [o for o in self.relations.related(r) if o.kind.name == kind]
        return sorted(found, key=lambda o: self.position[o.id])

    def unit_name(self, member: Record) -> str:
        """A member's unit as the page names it: the unit record's name when it
        is printed too, else the text written (not the id of a record left out)."""
        value = member["unit"]
        if not isinstance(value, str) or not value.strip():
            return ""   # never a unit that lists the member: not its own field
        unit = self.by_id.get(value)
        if unit is not None and unit.kind.name == "unit":
            return unit.title
        if ID_RE.match(value) and value in self.known:
            return ""   # a record not printed (a sample, a draft)
        return value.strip()

    def sector_of(self, r: Record) -> str:
        grouping = self.snap.schema.kinds.get(GROUPING_KIND)
        field_name = grouping.listing.group_by if grouping else ""
        if not field_name:
            return ""
        if r.kind.name == GROUPING_KIND:
            return r[field_name] or ""
        units = self.related(r, GROUPING_KIND)
        return (units[0][field_name] or "") if units else ""

    # --- the documents ----------------------------------------------------

    def parts(self) -> list[Part]:
        """The compilation's parts (kinds with no record left out), grouped by sector."""
        kinds = self.snap.schema.kinds
        grouping = kinds.get(GROUPING_KIND)
        group_field = grouping.fields.get(grouping.listing.group_by) if grouping else None
        order = list(group_field.values) if group_field else []
        out = []
        for name in COMPILED:
            items = self.by_kind.get(name, []) if name in kinds else []
            if not items:
                continue
            sectors: dict[str, list[Record]] = {s: [] for s in order}
            sectors[OTHER] = []
            for r in items:
                sector = self.sector_of(r)
                sectors[sector if sector in sectors else OTHER].append(r)
            groups = [Group(title, rs) for title, rs in sectors.items() if rs]
            if len(groups) == 1 and groups[0].title == OTHER:
                groups[0].title = ""   # nothing to tell apart
            out.append(Part(kinds[name], groups))
        return out

    def films(self) -> list[Record]:
        return self.by_kind.get(FILMS, [])

    def poster_record(self, record_id: str) -> Record:
        r = self.by_id.get(record_id)
        if r is not None and self.url(r):
            return r
        other = next((o for o in self.snap.records if o.id == record_id), None)
        if other is None:
            message = f"找不到编号为“{record_id}”的记录（编号就是记录的文件名，不含 .md 或 .yml）"
        elif not other.is_published:
            message = f"记录“{other.title}”尚未发布，不能印制海报"
        elif other.is_sample and not self.samples:
            message = f"记录“{other.title}”是示例记录，印制示例须加 --samples（make print POSTER={record_id} SAMPLES=1）"
        elif "{id}" not in other.kind.url:
            message = f"{other.kind.label}没有单独的网页，海报上的二维码无处可指，不能印制海报"
        else:
            message = "mkdocs.yml 未填写 site_url（网站的正式网址），二维码无处可指，不能印制海报"
        path = other.path if other else "exemplars"
        raise InputError([Problem(path, other.line if other else 1, "", message)])
