"""Records: the editors' files, read once per run, with the line of every field.

A record is a Markdown file with YAML front matter (units, members, videos,
news) or a YAML file (red SMS, figures). Its id is the file name.
`read_repository` reads every record file and every hand-written page of
content/ once, for all the steps of a run (checks, lint, render).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..problems import Problem
from ..progress import Progress
from .schema import Kind, Schema, schema_for
from .yaml_reader import YamlFault, line_hint, parse_yaml, read_text, repaired_line, split_front_matter

@dataclass
class Record:
    kind: Kind
    id: str
    data: dict[str, Any]
    body: str
    path: str                       # relative to the repository root
    line: int                       # line of the record's start
    lines: dict[tuple, int] = field(default_factory=dict)  # field path -> line
    body_line: int = 1

    @property
    def title(self) -> str:
        return str(self.data.get(self.kind.title_field) or self.id)

    @property
    def status(self) -> str:
        return self.data.get("status") or self.kind.default_status

    @property
    def is_sample(self) -> bool:
        return self.data.get("sample") is True

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def line_of(self, path: tuple) -> int:
        """Line of a field, or of its nearest enclosing field."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.line

    def __getitem__(self, key: str) -> Any:
        return self.data.get(key)



def _record_from_mapping(kind: Kind, rid: str, data: Any, lines: dict, rel: str, line: int,
                         body: str = "", body_line: int = 1) -> tuple[Record | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(rel, line, "", "记录应由“字段: 值”组成，每行一个字段，如“name: 名称”")]
    problems = []
    if "id" in data:
        # A record's id is its file name; an `id:` line that agrees is
        # harmless, one that differs would silently be ignored.
        given = data.pop("id")
        if given != rid:
            problems.append(Problem(rel, lines.get(("id",), line), "id",
                                    f"编号“{given}”与文件名“{rid}”不符：编号就是文件名，请删去此行或改文件名"))
    _accept_yes_no(kind.fields, data)
    return Record(kind, rid, data, body, rel, line, lines, body_line), problems


YES_NO = {"是": True, "否": False}


def _accept_yes_no(fields: dict, data: dict) -> None:
    """是 / 否 in a true-or-false field, as editors naturally answer, read as
    true / false (in place, at every level the model describes)."""
    for name, value in data.items():
        f = fields.get(name)
        if f is None:
            continue
        if f.type == "bool" and isinstance(value, str) and value.strip() in YES_NO:
            data[name] = YES_NO[value.strip()]
        inner = getattr(f.items, "fields", None)
        if inner is not None:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    _accept_yes_no(inner, item)


OUTSIDE_LINK = "这是指向仓库之外的链接，不能使用，请改为复制文件本身"

# The file being read, for the CLI's last-resort message should anything fail.
current_file = ""


@functools.lru_cache(maxsize=None)
def _real_dir(path: str) -> str:
    return os.path.realpath(path)


def outside(root: Path, path: Path) -> bool:
    """Whether a path (a symlink, say) leads out of the repository."""
    # Resolving each of 10,000 files costs more than the rest of reading
    # them: folders are resolved once per run, files only when they are links.
    p = os.fspath(path)
    real = os.path.realpath(p) if os.path.islink(p) \
        else os.path.join(_real_dir(os.path.dirname(p) or "."), os.path.basename(p))
    # Both are real paths (absolute, normalised): as strings, Path.is_relative_to
    # is the same test without building a Path per file.
    base = _real_dir(str(root))
    return not (real == base or real.startswith(base.rstrip("/") + "/"))


MAX_REPAIRS = 20   # slips gone past in one file before the check gives up on it


def parse_file(kind: Kind, rel: str, text: str, stem: str,
               salvage: bool = False) -> tuple[list[Record], list[Problem]]:
    """The record of one file's text (a list, for the callers' convenience: none
    when the file holds no mapping); raises YamlFault.

    salvage (the check): a line with a slip line_hint knows (a Chinese colon,
    no space after the colon) is an error at its line, and the rest of the
    file is read as if the line were written right, so that every problem of
    the file is listed in one run; the record comes with those errors, which
    stop any build that publishes."""
    if kind.front_matter:
        front, body, body_line = split_front_matter(text)
        offset = 1
    else:
        front, body, body_line, offset = text, "", 1, 0
    slips: list[Problem] = []
    while True:
        try:
            data, lines = parse_yaml(front, offset=offset)
        except YamlFault as fault:
            at = _slip_before(front, fault.line - offset - 1) if salvage and len(slips) < MAX_REPAIRS else None
            if at is None:
                if not slips:
                    raise
                return [], slips + [Problem(rel, fault.line, fault.field, fault.message)]
            # The parser often notices a slip on a later line (a “字段：值”
            # line reads as text until the next “字段: 值”): name the slip.
            message = fault.message if at == fault.line - offset - 1 else \
                f"格式错误：{line_hint(front.split(chr(10))[at])}"
            slips.append(Problem(rel, at + offset + 1, fault.field, message))
            front = _repair(front, at)
            continue
        if isinstance(data, str):
            # Lines that were meant as “字段: 值” but read as one text.
            found = [(n, line) for n, line in enumerate(front.split("\n"), offset + 1) if line_hint(line)]
            if found:
                slips += [Problem(rel, n, "", f"格式错误：{line_hint(line)}") for n, line in found]
                if not salvage or len(slips) > MAX_REPAIRS:
                    return [], slips[:1] if not salvage else slips
                before = front
                for n, _ in found:
                    front = _repair(front, n - offset - 1) or front
                if front != before:
                    continue
        break
    record, problems = _record_from_mapping(
        kind, stem, data if data is not None else {}, lines, rel, offset + 1, body, body_line)
    return ([record] if record else []), slips + problems


def _slip_before(text: str, index: int) -> int | None:
    """The last line at or before `index` (0-based) with a slip repaired_line
    puts right, or None."""
    lines = text.split("\n")
    for i in range(min(index, len(lines) - 1), -1, -1):
        fixed = repaired_line(lines[i])
        if fixed is not None and fixed != lines[i]:
            return i
    return None


def _repair(text: str, index: int) -> str | None:
    """text with its line `index` (0-based) written as its hint asks, or None."""
    lines = text.split("\n")
    fixed = repaired_line(lines[index]) if 0 <= index < len(lines) else None
    if fixed is None or fixed == lines[index]:
        return None
    lines[index] = fixed
    return "\n".join(lines)


def record_files(root: Path, kind: Kind) -> list[Path]:
    # By parts, which is how Paths compare (on POSIX), without Path.__lt__'s cost.
    return sorted((p for p in root.glob(kind.path) if p.is_file()), key=lambda p: p.parts)


@dataclass
class Page:
    """A hand-written page of content/, read like a record file."""
    path: str        # relative to the repository root
    front: str       # front matter text ("" when the page has none)
    body: str
    body_line: int


@dataclass
class Snapshot:
    """The content repository as read once: its model, its records, its
    hand-written pages, the text of every file read, and the faults that
    stopped a file's reading."""
    root: Path
    schema: Schema
    records: list[Record] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)   # rel path -> text, in path order
    problems: list[Problem] = field(default_factory=list)
    record_paths: set[str] = field(default_factory=set)    # the record files (rel)


def _read(root: Path, path: Path, snap: Snapshot, rel: str | None = None) -> str | None:
    global current_file
    rel = current_file = rel or path.relative_to(root).as_posix()
    if outside(root, path):
        snap.problems.append(Problem(rel, 1, "", OUTSIDE_LINK))
        return None
    try:
        text = read_text(path, rel)
    except YamlFault as fault:
        snap.problems.append(Problem(rel, fault.line, fault.field, fault.message))
        return None
    except OSError as e:
        snap.problems.append(Problem(rel, 1, "", f"无法读取文件（{e.strerror or e}）"))
        return None
    snap.texts[rel] = text
    return text


def _relative(root: Path, path: Path) -> str:
    """path.relative_to(root).as_posix() for a path found under root, by its
    string (a tenth of the time, for 10,000 files)."""
    base, text = str(root), str(path)
    if os.sep == "/" and text.startswith(base + "/"):
        return text[len(base) + 1:]
    return path.relative_to(root).as_posix()


def read_repository(root: Path, schema: Schema | None = None, cache=None) -> Snapshot:
    """Every record of every kind under root, and every page of content/.

    cache (check.cache.CheckCache, the build's): a file whose text was read
    before is not parsed again; what it gave then is taken as it was."""
    global current_file
    schema = schema or schema_for(root)
    _real_dir.cache_clear()  # folders may have changed since the last run (serve)
    snap = Snapshot(root, schema)
    files = [(kind, path, _relative(root, path))
             for kind in schema.kinds.values() for path in record_files(root, kind)]
    progress = Progress("读取记录文件", len(files))
    for kind, path, rel in files:
        text = _read(root, path, snap, rel)
        if text is not None:
            kept = cache.parsed(kind, rel, text) if cache is not None else None
            if kept is not None:
                found, faults = kept
            else:
                try:
                    found, faults = parse_file(kind, rel, text, path.stem, salvage=True)
                except YamlFault as fault:
                    found, faults = [], [Problem(rel, fault.line, fault.field, fault.message)]
                if cache is not None:
                    cache.keep(kind, rel, text, found, faults)
            snap.records += found
            snap.problems += faults
        progress.step()
    snap.record_paths = {rel for _, _, rel in files}
    for p in sorted((root / "content").rglob("*.md")):
        rel = p.relative_to(root).as_posix()
        if rel in snap.record_paths or not p.is_file():
            continue
        text = _read(root, p, snap)
        if text is None:
            continue
        try:
            front, body, line = split_front_matter(text) if text.startswith("---") else ("", text, 1)
        except YamlFault as fault:
            snap.problems.append(Problem(rel, fault.line, "", fault.message))
            continue
        snap.pages.append(Page(rel, front, body, line))
    current_file = ""
    return snap


def load_all(root: Path, schema: Schema | None = None) -> tuple[list[Record], list[Problem]]:
    """Every record under root, with the faults that stopped a file (tools, tests)."""
    snap = read_repository(root, schema)
    return snap.records, [p for p in snap.problems if p.path in snap.record_paths]
