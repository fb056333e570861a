"""Writing a record file the way the project writes them by hand: the fields in
the model's order (unknown ones after, as they were), block style with
two-space indented lists, short 三审 stages on one line, dates and text
unquoted where YAML allows, long text never wrapped.

PyYAML decides how each scalar must be quoted (with the reader's resolvers, so
that what is written reads back as the same value: `12:30` stays text, a
date stays a plain 2024-07-01); the layout is written here because PyYAML's
(indentless lists, sorted or flow-styled mappings) is not the project's.
Used by the workbench (every save through Decap CMS goes through it), the
newsroom and `new`.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from ..records.schema import Field, Kind, Struct


class _Dumper(yaml.SafeDumper):
    """Safe YAML whose plain scalars never read back as dates (the reader keeps
    dates as text)."""


_Dumper.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_FLOW_SAFE = re.compile(r"[\w\u3000-\u303f\u4e00-\u9fff\uff00-\uffef .\-]+")
INDENT = "  "


def is_empty(value: Any) -> bool:
    """A field written but left empty (Decap writes "" and [] for them)."""
    return value is None or value == "" or value == [] or value == {}


def prune(value: Any) -> Any:
    """The value without its empty fields and list items, at every level."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if not is_empty(v)}
    if isinstance(value, list):
        return [v for v in (prune(v) for v in value) if not is_empty(v)]
    return value


def ordered(value: Any, fields: dict[str, Field] | None) -> Any:
    """The value with its keys in the model's order (unknown keys after, in
    their order), at every level the model describes."""
    if isinstance(value, dict) and fields is not None:
        keys = [k for k in fields if k in value] + [k for k in value if k not in fields]
        return {k: ordered(value[k], _inner(fields.get(k))) for k in keys}
    if isinstance(value, list):
        return [ordered(v, fields) for v in value]
    return value


def _inner(f: Field | None) -> dict[str, Field] | None:
    """The fields of a struct field, or of a list of structs."""
    if f is None:
        return None
    if isinstance(f.items, Struct):
        return f.items.fields
    return None


def scalar(value: Any) -> str:
    """One scalar as YAML writes it on one line (quoted only when needed)."""
    if value is None:
        return ""
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=1 << 30,
                     default_flow_style=True, explicit_end=False)
    text = text[:-len("...\n")] if text.endswith("\n...\n") else text
    text = text.rstrip("\n")
    if _BREAKS.search(text):
        # A line break inside (YAML counts NEL and the Unicode separators too):
        # escaped in double quotes, so that the value stays on its line.
        text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=1 << 30,
                         default_style='"').rstrip("\n")
    return text


def _literal(value: str, indent: str) -> str | None:
    """A multi-line text as a literal block, when YAML can carry it exactly."""
    lines = value.removesuffix("\n").split("\n")
    if value.startswith((" ", "\t")) or value.endswith("\n\n") or any(l != l.rstrip() for l in lines) \
            or _BREAKS.search(value.replace("\n", "")):
        return None   # leading or trailing blanks: quoted, with escapes
    chomp = "" if value.endswith("\n") else "-"
    return f"|{chomp}\n" + "\n".join(f"{indent}{INDENT}{l}" if l else "" for l in lines)


def _flow(value: dict) -> str | None:
    """A short mapping of plain words on one line: {by: 编辑部, date: 2026-11-25}."""
    parts = []
    for k, v in value.items():
        text = scalar(v)
        if isinstance(v, (dict, list)) or not _FLOW_SAFE.fullmatch(text) or not _FLOW_SAFE.fullmatch(k):
            return None
        parts.append(f"{k}: {text}")
    line = "{" + ", ".join(parts) + "}"
    return line if len(line) <= 60 else None


def _lines(data: dict, indent: str) -> list[str]:
    out = []
    for key, value in data.items():
        name = scalar(key)
        if isinstance(value, dict):
            flow = _flow(value) if value and all(not isinstance(v, (dict, list)) for v in value.values()) else None
            if flow:
                out.append(f"{indent}{name}: {flow}")
            else:
                out.append(f"{indent}{name}:")
                out += _lines(value, indent + INDENT)
        elif isinstance(value, list):
            out.append(f"{indent}{name}:")
            out += _items(value, indent + INDENT)
        elif isinstance(value, str) and "\n" in value and _literal(value, indent):
            out.append(f"{indent}{name}: {_literal(value, indent)}")
        else:
            out.append(f"{indent}{name}: {scalar(value)}".rstrip(" "))
    return out


def _items(items: list, indent: str) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, dict) and item:
            first, *rest = _lines(item, indent + INDENT)
            out.append(f"{indent}- {first[len(indent) + len(INDENT):]}")
            out += rest
        elif isinstance(item, list):
            out.append(f"{indent}-")
            out += _items(item, indent + INDENT)
        else:
            out.append(f"{indent}- {scalar(item)}".rstrip(" "))
    return out


def dump_fields(kind: Kind, data: dict) -> str:
    """The YAML of a record's fields, in the model's order, ending in a newline."""
    lines = _lines(ordered(data, kind.fields), "")
    return "\n".join(lines) + "\n" if lines else ""


def record_text(kind: Kind, data: dict, body: str = "", comments: list[str] | None = None) -> str:
    """A record file's whole text: its leading comment lines, its fields, and
    (for Markdown records) the body after a blank line."""
    head = "".join(f"{c}\n" for c in comments or [])
    fields = dump_fields(kind, data)
    if not kind.front_matter:
        return head + fields
    body = body.strip("\n")
    return f"---\n{head}{fields}---\n" + (f"\n{body}\n" if body else "")


def leading_comments(yaml_text: str) -> list[str]:
    """The comment lines a file's YAML opens with (the editors' notes on the
    whole record), kept when the workbench writes the file again."""
    out = []
    for line in yaml_text.split("\n"):
        if line.startswith("#"):
            out.append(line.rstrip())
        elif line.strip():
            break
    return out
