"""Relations between records, as the model declares them: every `ref` (and
`ref_or_text` holding an id) field of schema.yaml links its record to another,
and every link is kept both ways. Rendering, the checks and the release gate
read links only from here, so a new reference field in schema.yaml links on
the built pages with no change to the code.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from .loader import Record
from .schema import ID_RE, Field, Struct


def walk_fields(record: Record) -> Iterator[tuple[tuple, Field, object]]:
    """(path, field, value) for every typed value in the record, lists and
    structs included: honours[0].year is ("honours", 0, "year").

    Walked once per record and kept on it (records are not changed once
    read): the checks, the render and the relations each walk every record."""
    walked = record.__dict__.get("_walked")
    if walked is None:
        walked = record.__dict__["_walked"] = tuple(_walk_fields(record))
    return iter(walked)


def _walk_fields(record: Record) -> Iterator[tuple[tuple, Field, object]]:
    def walk(fields: dict[str, Field], data: dict, path: tuple):
        for name, value in data.items():
            f = fields.get(name)
            if f is None:
                continue
            yield (*path, name), f, value
            if f.type == "list" and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(f.items, Struct) and isinstance(item, dict):
                        yield from walk(f.items.fields, item, (*path, name, i))
                    elif isinstance(f.items, Field):
                        yield (*path, name, i), f.items, item
            elif f.type == "struct" and isinstance(value, dict) and isinstance(f.items, Struct):
                yield from walk(f.items.fields, value, (*path, name))
    yield from walk(record.kind.fields, record.data, ())


def is_reference(f: Field, value) -> bool:
    """Whether a value names a record: a `ref`, or a `ref_or_text` written as an id."""
    return isinstance(value, str) and bool(value) and (
        f.type == "ref" or (f.type == "ref_or_text" and bool(ID_RE.match(value))))


def references(record: Record) -> Iterator[tuple[tuple, Field, str]]:
    """(field path, field, target id) of every reference the record makes."""
    for path, f, value in walk_fields(record):
        if is_reference(f, value):
            yield path, f, value


@dataclass(frozen=True)
class Link:
    source: Record
    path: tuple          # the field of `source` that names `target`
    target: Record


class Relations:
    """Every link between the given records, both ways."""

    def __init__(self, records: Iterable[Record]):
        self.by_id: dict[str, Record] = {}
        for r in records:
            self.by_id.setdefault(r.id, r)
        self.outgoing: dict[str, list[Link]] = defaultdict(list)
        self.incoming: dict[str, list[Link]] = defaultdict(list)
        for r in self.by_id.values():
            for path, _, target_id in references(r):
                target = self.by_id.get(target_id)
                if target is not None and target is not r:
                    link = Link(r, path, target)
                    self.outgoing[r.id].append(link)
                    self.incoming[target_id].append(link)

    def links(self, r: Record) -> list[Link]:
        return self.outgoing.get(r.id, [])

    def related(self, r: Record) -> list[Record]:
        """Records linked to r in either direction, each once."""
        seen: dict[str, Record] = {}
        for link in self.outgoing.get(r.id, []):
            seen.setdefault(link.target.id, link.target)
        for link in self.incoming.get(r.id, []):
            seen.setdefault(link.source.id, link.source)
        return list(seen.values())
