"""Fields: each record against its kind's JSON Schema (compiled from the
model), then what spans records: unique ids, references that resolve to a
record of the right kind, media paths that name a file of the repository."""
from __future__ import annotations

import difflib
import re
from datetime import date
from collections import Counter
from pathlib import Path
from typing import Iterable

import jsonschema

from ..problems import Problem
from ..progress import Progress
from ..records.loader import Record
from ..records.relations import is_reference, walk_fields
from ..records.schema import ID_RE, Field, Kind, Schema, Struct
from .files import field_name as _field_name, media_problem

TYPE_NAMES = {"string": "文字", "integer": "整数", "number": "数字", "boolean": "true 或 false",
              "array": "列表（每项以“- ”开头）", "object": "“字段: 值”的组合", "null": "空值"}


def _type_name(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "“字段: 值”的组合"
    return "文字"


def _field_at(kind: Kind, path: tuple) -> Field | None:
    """The schema field that a JSON path inside a record points to."""
    fields: dict[str, Field] = kind.fields
    current: Field | None = None
    for part in path:
        if isinstance(part, int):
            continue
        current = fields.get(part)
        if current is None:
            return None
        items = current.items
        fields = items.fields if isinstance(items, Struct) else {}
    return current


def _labels_at(kind: Kind, path: tuple) -> str:
    """The form's words for a JSON path inside a record, outermost first:
    三审记录 › 初审 › 审核日期 for review.first.date ("" when unknown)."""
    fields: dict[str, Field] = kind.fields
    words = []
    for part in path:
        if isinstance(part, int):
            continue
        current = fields.get(part)
        if current is None:
            return ""
        words.append(current.label)
        items = current.items
        fields = items.fields if isinstance(items, Struct) else {}
    return " › ".join(words)


def _closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return match[0] if match else None


def _did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    match = _closest(word, choices, cutoff)
    return f"，是否想写“{match}”？" if match else ""


# The values of a list of choices are short Chinese words: one character in
# two shared (农林 → 农村) is already a likely slip.
ENUM_CUTOFF = 0.5
_NUMBER_IN_TEXT = re.compile(r"\s*(?:约|共|计)?\s*([+-]?\d+(?:\.\d+)?)\s*([^\d\s.]{1,4})?\s*")
_CHINESE_DATE = re.compile(r"\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?\s*")


def _as_number(value: str, integer: bool) -> str | None:
    """The number an editor meant in “2010年”, “18人”, “70.5”, or None."""
    m = _NUMBER_IN_TEXT.fullmatch(value)
    if not m or (integer and "." in m[1]):
        return None
    return m[1]


def _as_date(value: str) -> str | None:
    """2026-11-26 for “2026年11月26日”, “2026.11.26”, “2026/11/26”, or None."""
    m = _CHINESE_DATE.fullmatch(value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _type_message(field: Field | None, expected: str, value) -> str:
    """What to write instead of a value of the wrong type, as exactly as we can."""
    kind = field.items.type if field and field.type == "list" and isinstance(field.items, Field) \
        else field.type if field else ""
    if expected in ("integer", "number") and isinstance(value, str):
        number = _as_number(value, expected == "integer")
        if number is not None:
            return f"应为数字，请写成 {number}（只写数字，不带单位）"
    if expected == "boolean":
        return (f"应为 true（是）或 false（否），实际是{_type_name(value)}“{value}”：请写成 true 或 false"
                if value is not None else "应为 true（是）或 false（否）")
    if kind == "date" and isinstance(value, (int, float)):
        return "应为日期，写成 年-月-日，如 2024-07-01"
    return f"应为{TYPE_NAMES.get(expected, expected)}，实际是{_type_name(value)}"


def _filled(value):
    """The value without empty fields: a field left empty (as `new` writes
    them) counts as not written, so an unfilled optional field is no error."""
    if isinstance(value, dict):
        out = {k: _filled(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_filled(v) for v in value]
    return value


_VALIDATORS: dict[tuple, tuple[Schema, jsonschema.Draft202012Validator]] = {}


def _validator(schema: Schema, kind_name: str) -> jsonschema.Draft202012Validator:
    # One per kind and model: building a validator costs more than using it.
    # The model is kept with it: another model may later get the same id().
    key = (id(schema), kind_name)
    if key not in _VALIDATORS or _VALIDATORS[key][0] is not schema:
        _VALIDATORS[key] = schema, jsonschema.Draft202012Validator(
            schema.json_schema(kind_name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return _VALIDATORS[key][1]


def _schema_problems(schema: Schema, record: Record) -> list[Problem]:
    problems = []
    errors = list(_validator(schema, record.kind.name).iter_errors(_filled(record.data)))
    # A misspelt required field is one fault, not two: "sectr" is reported
    # with its did-you-mean, and the missing "sector" is not reported again.
    misspelt = {(tuple(e.absolute_path), _closest(k, e.schema.get("properties", {})))
                for e in errors if e.validator == "additionalProperties"
                for k in e.instance if k not in e.schema.get("properties", {})}
    for err in errors:
        path = tuple(err.absolute_path)
        field = _field_at(record.kind, path)
        label = f"（{_labels_at(record.kind, path)}）" if field else ""
        name = _field_name(path)
        line = record.line_of(path)
        v = err.validator
        if v == "required":
            missing = err.message.split("'")[1]
            if (path, missing) in misspelt:
                continue
            f = _field_at(record.kind, (*path, missing))
            # A field written but left empty: point at its own line.
            line = record.lines.get((*path, missing), line)
            problems.append(Problem(record.path, line, _field_name((*path, missing)),
                                    f"缺少必填字段“{missing}”（{f.label if f else missing}）"))
            continue
        if v == "additionalProperties":
            known = err.schema.get("properties", {})
            extra = [k for k in err.instance if k not in known]
            for key in extra:
                problems.append(Problem(
                    record.path, record.line_of((*path, key)), _field_name((*path, key)),
                    f"未知字段“{key}”{_did_you_mean(key, known)}"))
            continue
        if v == "type":
            msg = _type_message(field, err.validator_value, err.instance)
        elif v == "enum":
            # The choices in the form's words too: draft（草稿）.
            enum = field.items if field is not None and field.type == "list" and isinstance(field.items, Field) \
                else field
            words = enum.value_label if enum is not None and enum.labels else str

            def shown(c):
                return f"{c}（{words(c)}）" if str(words(c)) != str(c) else (str(c) or "（空）")
            choices = "、".join(shown(c) for c in err.validator_value)
            meant = next((c for c in err.validator_value if words(c) == str(err.instance) != str(c)), None)
            hint = f"，是否想写“{meant}”？" if meant is not None else \
                _did_you_mean(str(err.instance), map(str, err.validator_value), ENUM_CUTOFF) or "。"
            msg = f"“{err.instance}”不是可选值{hint}可选：{choices}"
        elif v == "format":
            meant = _as_date(str(err.instance))
            msg = f"日期请写成 {meant}（年-月-日）" if meant else \
                f"“{err.instance}”不是有效日期，应为 年-月-日，如 2024-07-01"
        elif v == "maxLength":
            msg = f"过长：{len(err.instance)} 字，最多 {err.validator_value} 字"
        elif v == "minimum":
            msg = f"{err.instance} 太小，最小为 {err.validator_value}"
        elif v == "maximum":
            msg = f"{err.instance} 太大，最大为 {err.validator_value}"
        elif v == "pattern" and _names_records(field):
            continue  # a reference: the reference check below says what to write
        elif v == "pattern":
            hint = field.help if field and field.help else "只能用小写字母、数字和连字符"
            msg = f"“{err.instance}”格式不对：{hint}"
        else:  # a keyword the schema compiler added later: still say where
            msg = f"不符合要求（{err.message}）"
        problems.append(Problem(record.path, line, f"{name}{label}", msg))
    return problems


def _names_records(field: Field | None) -> bool:
    """Whether a field (or each item of a list field) holds record ids."""
    if field is not None and field.type == "list" and isinstance(field.items, Field):
        field = field.items
    return field is not None and field.type in ("ref", "ref_or_text")


def _named(value: str, kinds: tuple, by_title: dict[str, list[Record]]) -> Record | None:
    """The one record of these kinds whose name (title) is this value."""
    found = [r for r in by_title.get(value.strip(), []) if r.kind.name in kinds]
    return found[0] if len(found) == 1 else None


def field_problems(schema: Schema, records: list[Record], root: Path, cache=None) -> list[Problem]:
    """cache (check.cache.CheckCache): a record's own schema problems, kept
    for its file's text; what spans records is checked every time."""
    problems: list[Problem] = []
    by_id: dict[str, Record] = {}
    counts = Counter(r.id for r in records)
    progress = Progress("校验记录", len(records))

    for r in records:
        progress.step()
        problems += _schema_problems(schema, r) if cache is None \
            else cache.schema_problems(r, lambda r: _schema_problems(schema, r))
        if not ID_RE.match(r.id):
            suffix = Path(r.path).suffix
            problems.append(Problem(r.path, 1, "", f"文件名“{r.id}”不能作编号：只能用小写字母、数字和连字符，"
                                                   f"如 liu-tingjiang{suffix}"))
        if counts[r.id] > 1 and r.id:
            first = next(o for o in records if o.id == r.id)
            if first is not r:
                problems.append(Problem(r.path, 1, "", f"编号“{r.id}”重复，已在 {first.path} 使用"
                                                       "（编号就是文件名，请改文件名）"))
        by_id.setdefault(r.id, r)

    by_title: dict[str, list[Record]] = {}
    for r in records:
        by_title.setdefault(r.title.strip(), []).append(r)
    for r in records:
        for path, f, value in walk_fields(r):
            if not isinstance(value, str) or not value:
                continue
            where = (r.path, r.line_of(path), f"{_field_name(path)}（{f.label}）")
            named = _named(value, f.kinds, by_title) if f.type in ("ref", "ref_or_text") else None
            if named is not None and value not in by_id:
                # The name of a record where its id belongs: it would show as
                # plain text, with no link. Say which id to write.
                problems.append(Problem(*where, f"“{value}”是{named.kind.label}记录的名称；这里要写它的编号，"
                                                f"请写成 {named.id}（编号就是 {named.path} 的文件名）"))
            elif is_reference(f, value) or f.type == "ref":
                target = by_id.get(value)
                if target is None:
                    kinds = "、".join(schema.kinds[k].label for k in f.kinds)
                    hint = _did_you_mean(value, by_id) or f"：这里要写{kinds}记录的编号（文件名，如 liu-tingjiang）"
                    problems.append(Problem(*where, f"找不到编号为“{value}”的记录{hint}"))
                elif target.kind.name not in f.kinds:
                    kinds = "、".join(schema.kinds[k].label for k in f.kinds)
                    problems.append(Problem(*where, f"“{value}”是{target.kind.label}，这里应填{kinds}的编号"))
            elif f.type == "media":
                why = media_problem(value, f, root)
                if why:
                    problems.append(Problem(*where, why))
    return problems
