"""Validation: each record against its kind's JSON Schema, then the checks
that span records (unique ids, references, media files)."""
from __future__ import annotations

import difflib
import functools
import html
import os
import re
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Iterable

import jsonschema

from .charts import chart_problems
from .problems import Problem
from .progress import Progress
from .records import OUTSIDE_LINK, Record, content_pages, load_all, outside
from .review import review_problems
from .safety import body_problems, rendered_html
from .schema import ID_RE, MEDIA_SUFFIXES, Field, Kind, Struct, json_schema, load_schema

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


def _field_name(path: Iterable) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _closest(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = _closest(word, choices)
    return f"，是否想写“{match}”？" if match else ""


def _filled(value):
    """The value without empty fields: a field left empty (as `new` writes
    them) counts as not written, so an unfilled optional field is no error."""
    if isinstance(value, dict):
        out = {k: _filled(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_filled(v) for v in value]
    return value


@functools.cache
def _validator(kind_name: str) -> jsonschema.Draft202012Validator:
    # One per kind: building a validator costs more than using it.
    return jsonschema.Draft202012Validator(
        json_schema(kind_name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _schema_problems(record: Record) -> list[Problem]:
    problems = []
    errors = list(_validator(record.kind.name).iter_errors(_filled(record.data)))
    # A misspelt required field is one fault, not two: "sectr" is reported
    # with its did-you-mean, and the missing "sector" is not reported again.
    misspelt = {(tuple(e.absolute_path), _closest(k, e.schema.get("properties", {})))
                for e in errors if e.validator == "additionalProperties"
                for k in e.instance if k not in e.schema.get("properties", {})}
    for err in errors:
        path = tuple(err.absolute_path)
        field = _field_at(record.kind, path)
        label = f"（{field.label}）" if field else ""
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
            msg = f"应为{TYPE_NAMES.get(err.validator_value, err.validator_value)}，实际是{_type_name(err.instance)}"
        elif v == "enum":
            choices = "、".join(str(c) or "（空）" for c in err.validator_value)
            hint = _did_you_mean(str(err.instance), map(str, err.validator_value)) or "。"
            msg = f"“{err.instance}”不是可选值{hint}可选：{choices}"
        elif v == "format":
            msg = f"“{err.instance}”不是有效日期，应为 年-月-日，如 2024-07-01"
        elif v == "maxLength":
            msg = f"过长：{len(err.instance)} 字，最多 {err.validator_value} 字"
        elif v == "minimum":
            msg = f"{err.instance} 太小，最小为 {err.validator_value}"
        elif v == "maximum":
            msg = f"{err.instance} 太大，最大为 {err.validator_value}"
        elif v == "pattern":
            hint = field.help if field and field.help else "只能用小写字母、数字和连字符"
            msg = f"“{err.instance}”格式不对：{hint}"
        else:  # a keyword the schema compiler added later: still say where
            msg = f"不符合要求（{err.message}）"
        problems.append(Problem(record.path, line, f"{name}{label}", msg))
    return problems


def _walk_fields(record: Record):
    """(path, field, value) for every typed value in the record."""
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
    yield from walk(record.kind.fields, record.data, ())


def media_problem(value: str, field: Field, root: Path) -> str | None:
    """Why a media path is not usable, or None."""
    if "://" in value or value.startswith("//"):
        return "媒体文件须放在本仓库内，不能引用其他网站的地址"
    p = PurePosixPath(value.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or ":" in value:
        return "路径须是仓库内的相对路径，不能含“..”或以“/”开头"
    if not _MEDIA_PATH_RE.fullmatch(value):
        # The path goes into a Markdown link: spaces and brackets would break it.
        return "文件名只能用文字、字母、数字、连字符、下划线和点，不能有空格或括号"
    if not value.lower().endswith(MEDIA_SUFFIXES[field.media]):
        return f"文件类型不对，应为 {'、'.join(MEDIA_SUFFIXES[field.media])}"
    full = root / p
    if not full.is_file():
        return f"找不到文件 {value}"
    if outside(root, full):
        return "链接指向仓库之外的文件"
    return None


_MEDIA_PATH_RE = re.compile(r"[\w./-]+")


def link_problems(root: Path) -> list[Problem]:
    """Symbolic links in the editors' folders that lead out of the repository:
    the build copies content/ as it is, and must not publish /etc/passwd."""
    problems = []
    for top in ("content", "exemplars"):
        for dirpath, dirnames, filenames in os.walk(root / top):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                if p.is_symlink() and outside(root, p):
                    problems.append(Problem(p.relative_to(root).as_posix(), 1, "",
                                            OUTSIDE_LINK))
    return problems


def page_problems(root: Path, records: list[Record]) -> list[Problem]:
    """Unsafe markup in record bodies and in the hand-written pages of content/."""
    mkdocs_yml = root / "mkdocs.yml"
    problems = []
    for r in records:
        if r.body:
            problems += body_problems(r.body, r.path, r.body_line, mkdocs_yml)
    for page in content_pages(root, skip={r.path for r in records}):
        if isinstance(page, Problem):
            problems.append(page)
            continue
        problems += body_problems(page.body, page.path, page.body_line, mkdocs_yml)
        if not re.search(r"^title\s*:", page.front, re.M):
            problems += _heading_title_problems(page.body, page.path, page.body_line, mkdocs_yml)
    return problems


def _heading_title_problems(body: str, rel: str, body_line: int, mkdocs_yml: Path) -> list[Problem]:
    """Without a `title:`, MkDocs takes the page title from the first heading,
    unescaped, and prints it as HTML: it must not contain < or >."""
    m = re.search(r"<h1[^>]*>(.*?)</h1>", rendered_html(body, mkdocs_yml), re.S)
    if not m or not re.search(r"[<>]", html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))):
        return []
    line = next((i for i, text in enumerate(body.split("\n")) if text.startswith("#")), 0)
    return [Problem(rel, body_line + line, "标题", "页面标题不能含 < 或 > 符号（或请在开头的信息块中写 title:）")]


def validate(records: list[Record], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, Record] = {}
    counts = Counter(r.id for r in records)
    progress = Progress("校验记录", len(records))

    for r in records:
        progress.step()
        problems += _schema_problems(r)
        if not r.kind.is_list_file and not ID_RE.match(r.id):
            problems.append(Problem(r.path, 1, "", f"文件名“{r.id}”不能作编号：只能用小写字母、数字和连字符，如 liu-tingjiang.md"))
        if counts[r.id] > 1 and r.id:
            first = next(o for o in records if o.id == r.id)
            if first is not r:
                if r.kind.is_list_file:
                    where = (r.path, r.line_of(("id",)), "id")
                else:
                    where = (r.path, 1, "")
                problems.append(Problem(*where, f"编号“{r.id}”重复，已在 {first.path}:{first.line_of(('id',))} 使用"
                                        + ("" if r.kind.is_list_file else "（编号就是文件名，请改文件名）")))
        by_id.setdefault(r.id, r)

    for r in records:
        for path, f, value in _walk_fields(r):
            if not isinstance(value, str) or not value:
                continue
            where = (r.path, r.line_of(path), f"{_field_name(path)}（{f.label}）")
            if f.type == "ref" or (f.type == "ref_or_text" and ID_RE.match(value)):
                target = by_id.get(value)
                if target is None:
                    problems.append(Problem(*where, f"找不到编号为“{value}”的记录"
                                            f"{_did_you_mean(value, by_id)}"))
                elif target.kind.name not in f.kinds:
                    kinds = "、".join(load_schema().kinds[k].label for k in f.kinds)
                    problems.append(Problem(*where, f"“{value}”是{target.kind.label}，这里应填{kinds}的编号"))
            elif f.type == "media":
                why = media_problem(value, f, root)
                if why:
                    problems.append(Problem(*where, why))
    problems += chart_problems(records)
    problems += link_problems(root) + page_problems(root, records) + category_problems(records)
    problems += review_problems(records)
    return sorted(set(problems))


def check_records(root: Path) -> tuple[list[Record], list[Problem]]:
    """Every problem in one run (records, content pages and wording), and the
    records read for it, for the release check that follows."""
    from .front_matter import front_matter_problems
    from .lint import lint
    from .media import photo_problems  # here: media imports this module
    records, problems = load_all(root)
    problems += validate(records, root) + photo_problems(records, root)
    return records, sorted(set(problems + front_matter_problems(root) + lint(root)))


_MARKUP_CHARS = re.compile(r"[<>&\"']")


def category_problems(records: list[Record]) -> list[Problem]:
    """The blog makes a page of each category, titled by its name, and MkDocs
    takes that title from the rendered heading unescaped: keep names plain."""
    problems = []
    for r in records:
        for i, name in enumerate(r["categories"] or [] if r.kind.name == "news" else []):
            if isinstance(name, str) and _MARKUP_CHARS.search(name):
                problems.append(Problem(r.path, r.line_of(("categories", i)), f"categories[{i + 1}]（分类）",
                                        "分类名不能含 < > & \" ' 符号（分类名也是页面标题）"))
    return problems
