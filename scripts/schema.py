"""The data model, read from schema.yaml and compiled to JSON Schema.

schema.yaml is the single source of truth: validation (through jsonschema),
the editors' help and the scaffolds are all derived from the objects here.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")
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


@dataclass(frozen=True)
class Struct:
    name: str
    label: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    path: str            # glob of the record files, or a single list file
    url: str
    title_field: str
    fields: dict[str, Field]
    default_status: str = "draft"

    @property
    def is_list_file(self) -> bool:
        return "*" not in self.path

    def doc_path(self, record_id: str) -> str:
        """Markdown path, inside the docs dir, of a record's own page (for kinds
        kept in one list file: the list page, where the record is an anchor)."""
        if self.is_list_file:
            return self.list_path
        return self.url.format(id=record_id).rstrip("/") + ".md"

    @property
    def list_path(self) -> str:
        """Markdown path of the kind's index page."""
        return self.url.split("{id}")[0] + "index.md"


@dataclass
class Schema:
    kinds: dict[str, Kind]
    structs: dict[str, Struct]
    common: dict[str, Field] = field(default_factory=dict)

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
        kinds=tuple(spec.get("kinds", ())),
        media=spec.get("media", ""),
        items=items,
        min=spec.get("min"),
        max=spec.get("max"),
        pattern=spec.get("pattern", ""),
        default=spec.get("default"),
    )


@functools.cache
def load_schema(path: Path = SCHEMA_FILE) -> Schema:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
            default_status=spec.get("default_status", "draft"))
    return Schema(kinds, structs, common)


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
    else:  # pragma: no cover - schema.yaml is ours
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


@functools.cache
def json_schema(kind_name: str) -> dict:
    """JSON Schema of one record's fields (for the validator and editors' tools)."""
    kind = load_schema().kinds[kind_name]
    props = _properties(kind.fields)
    required = [n for n, f in kind.fields.items() if f.required]
    if kind.is_list_file:
        props = {"id": {"title": "编号", "type": "string", "pattern": ID_PATTERN,
                        "description": "小写拼音或英文，用连字符连接，全站唯一。"}, **props}
        required = ["id", *required]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": kind.label,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }
