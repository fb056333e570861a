"""The data model, read from schema.yaml and compiled to JSON Schema.

schema.yaml is the single source of truth (Lektor-style: the model as data):
the fields and their types, the relations between kinds (`ref` fields), and
how each kind is listed (order, page size, grouping, whether its list pages
are searched), and the limits the website self-check holds each column to
(`audit:`, scripts/audit). Validation (through jsonschema), the editors' help, the
scaffolds, the links between pages and the list pages all come from the
objects here.

A content repository may carry its own model at SCHEMA_PATH; otherwise the
project's is used. Either is checked as it is loaded (model_check.py: its
shape by schema.meta.yaml, then the kinds, structs and fields it names), so
nothing here meets a model it cannot build.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")
SCHEMA_PATH = "scripts/records/schema.yaml"   # inside a content repository
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
MEDIA_SUFFIXES = {
    "image": (".jpg", ".jpeg", ".png", ".webp"),
    "video": (".mp4", ".webm"),
    "subtitles": (".vtt",),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    values: tuple = ()
    labels: tuple = ()      # an enum's values in the form's words, parallel to values
    kinds: tuple = ()
    media: str = ""
    items: "Field | Struct | None" = None
    min: float | None = None
    max: float | None = None
    pattern: str = ""
    default: Any = None

    @property
    def title(self) -> str:
        return f"{self.label}（{self.name}）"

    def value_label(self, value: Any) -> str:
        """An enum value in the form's words (草稿 for draft), else the value itself."""
        if value in self.values and self.labels:
            return str(self.labels[self.values.index(value)])
        return str(value)


@dataclass(frozen=True)
class Struct:
    name: str
    label: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class Listing:
    """How a kind's records (or a derived list, such as the honours) are listed."""
    order: tuple[str, ...] = ("-featured", "path")  # fields; "-" for descending
    page_size: int = 0          # items per list page; 0: all on one page
    group_by: str = ""          # an enum or list field: one list (and pages) per value
    group_url: str = "{field}/{n}/"   # a group's folder in the list's: {field}, {n}, {slug}
    index: str = "pages"        # the list's first page: "pages" (all items, paginated) or "groups"
    searchable: bool = False    # whether search finds the list pages themselves

    def sort_key(self, record) -> tuple:
        """Real records before samples, then the model's order."""
        key: list = [record.is_sample]
        for name in self.order:
            desc = name.startswith("-")
            name = name.lstrip("-")
            if name == "path":
                value = (record.path, record.line)
            elif name == "id":
                value = record.id
            else:
                value = record[name]
                # Absent (or false) sorts last, whichever the direction.
                absent = value is None or value is False
                value = value if isinstance(value, (int, float)) else str(value)
                value = ((0, "") if absent else (1, value)) if desc else \
                    ((1, "") if absent else (0, value))
            key.append(_Descending(value) if desc else value)
        return tuple(key)


class _Descending:
    """Reverses the order of one sort key part."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


@dataclass(frozen=True)
class Menu:
    """An entry of the site's menu (the channel bar and 网站地图) for a kind's
    list, or for a derived page (荣誉榜)."""
    label: str
    position: int = 100     # order among the model's entries, after mkdocs.yml's own nav
    under: str = ""         # a kind's name: listed under that kind's entry


@dataclass(frozen=True)
class Home:
    """A kind's section of the home page."""
    position: int = 100     # order of the sections, top to bottom
    count: int = 4          # most records shown (per group, for layout "groups")
    layout: str = "cards"   # cards | groups | list | figures | strip (templates/pages/index.md.j2)
    heading: str = ""       # "" : the kind's label


@dataclass(frozen=True)
class Show:
    """How a kind's records show on cards, pages, covers and print."""
    title: str = ""               # format of a record's title, fields in braces ("《{title}》"); "": the title field
    picture: str = ""             # the media field holding its picture (cards, headlines, posters); "": none
    cover: str = ""               # shape of a cover drawn for a record without picture; "": none
    cover_group: str = ""         # field named on the cover beside the kind (its first value for a list)
    measure: str = ""             # measure word counting its records (个, 部); "": 条
    facts: tuple[str, ...] = ()   # the facts line: parts with {field} or {field.key}, joined by " · "
    menu: Menu | None = None
    home: Home | None = None


@dataclass(frozen=True)
class KindAudit:
    """How the website self-check (scripts/audit, 网站自查) judges a kind's
    column against the inspection's rules (《政府网站与政务新媒体检查指标》)."""
    idle_days: int | None = None  # the column fails after this many days without a new item; None: not timed
    warn_days: int = 0            # warn this many days before idle_days is reached
    date_field: str = ""          # the publication date; "": the kind's first date field (none: not dated)
    names: bool = False           # its titles are names of people or units, checked for misspellings


@dataclass(frozen=True)
class SiteAudit:
    """The self-check's site-wide limits (schema.yaml's top-level `audit:`);
    the defaults are the inspection's own."""
    home_idle_days: int = 14      # 首页栏目: no new item for two weeks is a veto
    home_warn_days: int = 3
    backdate_days: int = 3        # a date this much earlier than the file's first commit is backdated


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    path: str            # glob of the record files: one file per record, named by its id
    url: str
    title_field: str
    fields: dict[str, Field]
    default_status: str = "draft"
    listing: Listing = Listing()
    show: Show = Show()
    audit: KindAudit = KindAudit()

    @property
    def references(self) -> dict[str, Field]:
        """Fields (top level) that name other records: the model's relations."""
        return {n: f for n, f in self.fields.items()
                if f.type in ("ref", "ref_or_text") or (f.type == "list" and isinstance(f.items, Field)
                                                        and f.items.type in ("ref", "ref_or_text"))}

    @property
    def date_field(self) -> str:
        """The field holding a record's publication date ("" if it has none)."""
        if self.audit.date_field:
            return self.audit.date_field
        return next((n for n, f in self.fields.items() if f.type == "date"), "")

    @property
    def front_matter(self) -> bool:
        """Whether a record file is Markdown with YAML front matter (else plain YAML)."""
        return self.path.endswith(".md")

    @property
    def is_list_file(self) -> bool:
        """Whether the records have no page of their own: each is an anchor on
        the kind's list pages (red SMS, figures), as when they were kept in one
        list file, hence the name the renderer knows."""
        return "{id}" not in self.url

    def doc_path(self, record_id: str) -> str:
        """Markdown path, inside the docs dir, of a record's own page (for kinds
        without pages of their own: the list page, where the record is an anchor)."""
        if self.is_list_file:
            return self.list_path
        return self.url.format(id=record_id).rstrip("/") + ".md"

    @property
    def list_folder(self) -> str:
        """The folder of the kind's pages inside the docs dir, with a slash."""
        return self.url.split("{id}")[0]

    @property
    def list_path(self) -> str:
        """Markdown path of the kind's index page."""
        return self.list_folder + "index.md"


@dataclass
class Schema:
    kinds: dict[str, Kind]
    structs: dict[str, Struct]
    common: dict[str, Field] = field(default_factory=dict)
    pages: dict[str, Listing] = field(default_factory=dict)   # derived lists (honours)
    page_menus: dict[str, Menu] = field(default_factory=dict)  # their menu entries
    source: Path = SCHEMA_FILE
    audit: SiteAudit = SiteAudit()
    _json: dict = field(default_factory=dict, repr=False)

    def json_schema(self, kind_name: str) -> dict:
        """JSON Schema of one kind's records (for the validator and editors' tools)."""
        if kind_name not in self._json:
            self._json[kind_name] = _kind_json_schema(self.kinds[kind_name])
        return self._json[kind_name]

    def kind_for_path(self, rel_path: str) -> Kind | None:
        for kind in self.kinds.values():
            if Path(rel_path).match(kind.path) and Path(rel_path).parent == Path(kind.path).parent:
                return kind
        return None


def _field(name: str, spec: dict, structs: dict[str, Struct]) -> Field:
    items = spec.get("items") or spec.get("struct")
    if isinstance(items, str):
        items = structs[items]
    elif isinstance(items, dict):
        items = _field(name, {"label": spec["label"], **items}, structs)
    return Field(
        name=name,
        type=spec["type"],
        label=spec["label"],
        help=spec.get("help", ""),
        required=spec.get("required", False),
        values=tuple(spec.get("values", ())),
        labels=tuple(spec.get("labels", ())),
        kinds=tuple(spec.get("kinds", ())),
        media=spec.get("media", ""),
        items=items,
        min=spec.get("min"),
        max=spec.get("max"),
        pattern=spec.get("pattern", ""),
        default=spec.get("default"),
    )


def _listing(spec: dict | None) -> Listing:
    spec = spec or {}
    defaults = Listing()
    return Listing(order=tuple(spec.get("order", defaults.order)), page_size=int(spec.get("page_size", 0)),
                   group_by=spec.get("group_by", ""), group_url=spec.get("group_url", defaults.group_url),
                   index=spec.get("index", defaults.index), searchable=bool(spec.get("searchable", False)))


def _menu(spec: dict | None) -> Menu | None:
    if not spec:
        return None
    return Menu(label=str(spec["label"]), position=int(spec.get("position", 100)), under=spec.get("under", ""))


def _show(spec: dict | None) -> Show:
    spec = spec or {}
    home = spec.get("home")
    return Show(title=spec.get("title", ""), picture=spec.get("picture", ""), cover=spec.get("cover", ""),
                cover_group=spec.get("cover_group", ""), measure=spec.get("measure", ""), facts=tuple(spec.get("facts", ())),
                menu=_menu(spec.get("menu")),
                home=Home(**{k: home[k] for k in ("position", "count", "layout", "heading") if k in home})
                if home else None)


def _kind_audit(spec: dict | None) -> KindAudit:
    spec = spec or {}
    idle = spec.get("idle_days")
    return KindAudit(idle_days=int(idle) if idle is not None else None, warn_days=int(spec.get("warn_days") or 0),
                     date_field=spec.get("date_field", ""), names=bool(spec.get("names", False)))


def _site_audit(spec: dict | None) -> SiteAudit:
    spec, defaults = spec or {}, SiteAudit()
    home = spec.get("home") or {}
    return SiteAudit(home_idle_days=int(home.get("idle_days", defaults.home_idle_days)),
                     home_warn_days=int(home.get("warn_days", defaults.home_warn_days)),
                     backdate_days=int(spec.get("backdate_days", defaults.backdate_days)))


def schema_file(root: Path | None) -> Path:
    """The model of a content repository: its own, or the project's."""
    own = root / SCHEMA_PATH if root else None
    return own if own and own.is_file() else SCHEMA_FILE


def shown_path(path: Path) -> str:
    """A model file as messages name it: scripts/records/schema.yaml, the
    same path in the project and in a content repository."""
    posix = Path(path).as_posix()
    return SCHEMA_PATH if posix.endswith("/" + SCHEMA_PATH) else posix


def schema_for(root: Path | None) -> Schema:
    path = schema_file(root).resolve()
    stat = path.stat()
    return load_schema(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def load_schema(path: Path = SCHEMA_FILE, mtime_ns: int = 0, size: int = 0) -> Schema:
    """The model in `path` (cached per version of the file); raises
    model_check.ModelError (an InputError: the commands print its problems,
    each at its line of schema.yaml) when the model is wrong."""
    from .model_check import checked_model
    raw = checked_model(path, shown_path(path))
    structs: dict[str, Struct] = {}
    for name, spec in raw["structs"].items():
        structs[name] = Struct(name, spec["label"], {})
        structs[name].fields.update(
            {f: _field(f, s, structs) for f, s in spec["fields"].items()})
    common = {f: _field(f, s, structs) for f, s in raw["common"].items()}
    kinds = {}
    for name, spec in raw["kinds"].items():
        fields = {f: _field(f, s, structs) for f, s in spec["fields"].items()}
        fields.update(common)
        kinds[name] = Kind(
            name=name, label=spec["label"], path=spec["path"], url=spec["url"],
            title_field=spec["title_field"], fields=fields,
            default_status=spec.get("default_status", "draft"),
            listing=_listing(spec.get("list")), show=_show(spec.get("show")),
            audit=_kind_audit(spec.get("audit")))
    raw_pages = raw.get("pages") or {}
    pages = {name: _listing({k: v for k, v in spec.items() if k != "menu"}) for name, spec in raw_pages.items()}
    page_menus = {name: m for name, spec in raw_pages.items() if (m := _menu(spec.get("menu")))}
    return Schema(kinds, structs, common, pages, page_menus, path, audit=_site_audit(raw.get("audit")))


# --- JSON Schema -----------------------------------------------------------

def _json_type(f: Field) -> dict:
    t = f.type
    out: dict[str, Any]
    if t in ("string", "text"):
        out = {"type": "string"}
        if f.max:
            out["maxLength"] = int(f.max)
        if f.pattern:
            out["pattern"] = f.pattern
    elif t == "int":
        out = {"type": "integer"}
    elif t == "number":
        out = {"type": "number"}
    elif t == "bool":
        out = {"type": "boolean"}
    elif t == "date":
        out = {"type": "string", "format": "date"}
    elif t == "enum":
        out = {"enum": list(f.values)}
    elif t == "ref":
        out = {"type": "string", "pattern": ID_PATTERN}
    elif t == "ref_or_text":
        out = {"type": "string", "maxLength": int(f.max or 100)}
    elif t == "media":
        out = {"type": "string"}
    elif t == "struct":
        # The field's own label (初审, 复审…) names it, not its struct's.
        out = {k: v for k, v in _struct_schema(f.items).items() if k != "title"}
    elif t == "list":
        item = f.items
        out = {"type": "array",
               "items": _struct_schema(item) if isinstance(item, Struct) else _json_type(item)}
    else:  # pragma: no cover - model_check refuses other types
        raise ValueError(f"unknown field type {t!r} in schema.yaml")
    if t in ("int", "number"):
        if f.min is not None:
            out["minimum"] = f.min
        if f.max is not None:
            out["maximum"] = f.max
    return out


def _describe(f: Field) -> dict:
    return {"title": f.label, "description": f.help} if f.help else {"title": f.label}


def _properties(fields: dict[str, Field]) -> dict:
    return {name: {**_describe(f), **_json_type(f)} for name, f in fields.items()}


def _struct_schema(struct: Struct) -> dict:
    required = [n for n, f in struct.fields.items() if f.required]
    return {"type": "object", "title": struct.label,
            "properties": _properties(struct.fields),
            "required": required, "additionalProperties": False}


def _kind_json_schema(kind: Kind) -> dict:
    props = _properties(kind.fields)
    required = [n for n, f in kind.fields.items() if f.required]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": kind.label,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }
