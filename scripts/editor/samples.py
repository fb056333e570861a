"""`samples`: remove every sample record and every reference to one, after
listing what will go (a dry run unless `--yes`).

What goes: the file of each sample record (every record is a file of its own:
Markdown with front matter, or plain YAML for red SMS and figures); every
value of another record's reference field that names a removed record (the
field itself when its list is left empty); media files that only removed
records used. Links to removed records written in a page's text are
listed for the editors to reword: removing a sentence is not a machine's call.

The edits are made in the text, at the places PyYAML's node marks give, so
that the rest of each file (comments, field order, quoting, blank lines) stays
byte for byte. A round-trip YAML library (ruamel.yaml) would re-indent,
re-wrap and re-quote what it did not need to touch, which editors would then
see as changes they never made.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..problems import InputError, Problem
from ..records.loader import Record, read_repository
from ..records.relations import references, walk_fields
from ..records.yaml_reader import FRONT_MATTER_RE


@dataclass
class Reference:
    """A value in a kept record that names a removed one."""
    record: Record
    path: tuple          # field path inside the record, as relations gives it
    target: Record

    @property
    def where(self) -> str:
        f = self.record.kind.fields.get(self.path[0])
        label = f"{self.path[0]}（{f.label}）" if f else self.path[0]
        return f"{self.record.path}:{self.record.line_of(self.path)}: {label}"


@dataclass
class Plan:
    samples: list[Record] = field(default_factory=list)
    files: list[str] = field(default_factory=list)               # the sample records' files
    references: list[Reference] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    manual: list[Problem] = field(default_factory=list)          # links in text, for editors
    texts: dict[str, str] = field(default_factory=dict)          # rel -> new text of edited files

    @property
    def empty(self) -> bool:
        return not self.samples


# --- where a value sits in the text ----------------------------------------

def _compose(text: str) -> yaml.Node | None:
    # The pure-Python loader: its marks' `index` counts characters.
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _end(node: yaml.Node, text: str) -> int:
    """Offset just after the last character of the node's own text."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style:
        return max(_end(n, text) for pair in node.value for n in pair) if node.value else node.start_mark.index
    if isinstance(node, yaml.SequenceNode) and not node.flow_style:
        return max(_end(n, text) for n in node.value) if node.value else node.start_mark.index
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \n":  # block scalars keep their newline
        end -= 1
    return end


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _line_end(text: str, at: int) -> int:
    """Offset after the newline of the line holding `at`."""
    n = text.find("\n", at)
    return len(text) if n < 0 else n + 1


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the lines from `start` to `end`, newlines included."""
    return _line_start(text, start), _line_end(text, max(start, end - 1))


class Unsupported(Exception):
    """A layout the text edits do not handle: the editors are told to do it."""


class TextEdits:
    """Spans of one text to replace, applied from the end."""

    def __init__(self, text: str):
        self.text = text
        self.spans: list[tuple[int, int, str]] = []

    def replace(self, start: int, end: int, new: str = "") -> None:
        self.spans.append((start, end, new))

    def apply(self) -> str:
        text, last = self.text, len(self.text) + 1
        # A span inside a larger one (an item of a list whose entry goes) is dropped.
        spans = sorted(self.spans, key=lambda s: (s[0], -s[1]))
        kept: list[tuple[int, int, str]] = []
        for s in spans:
            if kept and s[0] < kept[-1][1]:
                if s[1] > kept[-1][1]:
                    raise Unsupported("overlapping edits")
                continue
            kept.append(s)
        for start, end, new in reversed(kept):
            assert end <= last
            text, last = text[:start] + new + text[end:], start
        return text


def _find(node: yaml.Node, path: tuple) -> list[tuple[yaml.Node, object]]:
    """The chain of (container node, key or index) from `node` down `path`."""
    chain = []
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next((p for p in node.value if isinstance(p[0], yaml.ScalarNode) and p[0].value == part), None)
            if pair is None:
                raise Unsupported(part)
            chain.append((node, pair))
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            chain.append((node, part))
            node = node.value[part]
        else:
            raise Unsupported(str(part))
    return chain


def _remove_entry(edits: TextEdits, mapping: yaml.Node, pair: tuple) -> None:
    """Remove `key: value` from a block mapping."""
    text = edits.text
    key, value = pair
    if mapping.flow_style:
        raise Unsupported("flow mapping")
    if len(mapping.value) == 1:
        raise Unsupported("last field")
    start, end = key.start_mark.index, _end(value, text)
    if text[_line_start(text, start):start].strip():
        # The first field of a list item (`- unit: x`): the next field moves up.
        following = mapping.value[mapping.value.index(pair) + 1][0]
        edits.replace(start, following.start_mark.index)
        return
    edits.replace(*_whole_lines(text, start, end))


def _remove_items(edits: TextEdits, seq: yaml.Node, indexes: set[int]) -> bool:
    """Remove items of a sequence; False when none would be left."""
    text = edits.text
    kept = [n for i, n in enumerate(seq.value) if i not in indexes]
    if not kept:
        return False
    if seq.flow_style:
        edits.replace(seq.start_mark.index, seq.end_mark.index,
                      "[" + ", ".join(text[n.start_mark.index:_end(n, text)] for n in kept) + "]")
        return True
    for i in indexes:
        item = seq.value[i]
        dash = text.rfind("-", 0, item.start_mark.index)
        if text[_line_start(text, dash):dash].strip():
            raise Unsupported("nested list")
        edits.replace(*_whole_lines(text, dash, _end(item, text)))
    return True


# --- the plan --------------------------------------------------------------

def _yaml_of(record: Record, text: str) -> tuple[str, int]:
    """(the YAML text holding the record, its offset in the file's text): the
    front matter of a Markdown record, the whole text of a plain YAML one."""
    if not record.kind.front_matter:
        return text, 0
    m = FRONT_MATTER_RE.match(text)
    return (m.group(1) or ""), m.start(1) if m and m.group(1) else 0


def plan_removal(root: Path) -> Plan:
    """What removing the samples of the repository at `root` would do."""
    from ..check.release import markdown_links   # the gate's own reading of page links

    snap = read_repository(root)
    unreadable = [p for p in snap.problems if p.path in snap.record_paths]
    if unreadable:
        raise InputError(unreadable)
    plan = Plan(samples=[r for r in snap.records if r.is_sample])
    if plan.empty:
        return plan
    gone = {(r.kind.name, r.id): r for r in plan.samples}
    kept = [r for r in snap.records if not r.is_sample]
    plan.files = sorted(r.path for r in plan.samples)

    for r in kept:
        for path, f, target_id in references(r):
            target = next((gone[(k, target_id)] for k in f.kinds if (k, target_id) in gone), None)
            if target is not None:
                plan.references.append(Reference(r, path, target))

    edits: dict[str, TextEdits] = {}
    trees: dict[str, yaml.Node] = {}

    def tree(r: Record) -> tuple[TextEdits, yaml.Node, int]:
        text = snap.texts[r.path]
        ed = edits.setdefault(r.path, TextEdits(text))
        part, offset = _yaml_of(r, text)
        if r.path not in trees:
            # Blanked, the `---` line keeps the marks' offsets and lines those of the file.
            trees[r.path] = _compose(re.sub(r"[^\n]", " ", text[:offset]) + part)
        return ed, trees[r.path], offset

    for ref in plan.references:
        if ref.record.path in plan.files:
            continue
        try:
            ed, node, _ = tree(ref.record)
            if not isinstance(node, yaml.MappingNode):
                raise Unsupported("not a mapping")
            chain = _find(node, ref.path)
            container, key = chain[-1]
            if isinstance(container, yaml.SequenceNode):
                siblings = [x for x in plan.references
                            if x.record is ref.record and x.path[:-1] == ref.path[:-1]]
                if ref is not siblings[0]:
                    continue   # the whole list is edited once
                if not _remove_items(ed, container, {x.path[-1] for x in siblings}):
                    parent, pair = chain[-2]
                    _remove_entry(ed, parent, pair)
            else:
                _remove_entry(ed, container, key)
        except Unsupported:
            plan.manual.append(Problem(ref.record.path, ref.record.line_of(ref.path), ref.path[0],
                                       f"引用了示例记录“{ref.target.title}”（{ref.target.id}），"
                                       "无法自动去掉，请手工删除这个编号"))

    for rel, ed in edits.items():
        try:
            plan.texts[rel] = ed.apply()
        except Unsupported:
            plan.manual.append(Problem(rel, 1, "", "无法自动修改这个文件，请手工删除其中的示例记录和对它们的引用"))

    # Text links to the pages that will be gone.
    docs = {r.kind.doc_path(r.id): r for r in plan.samples if not r.kind.is_list_file}
    for rel, line, fld, target in markdown_links(kept, snap.pages):
        if target in docs:
            plan.manual.append(Problem(rel, line, fld, f"链接到示例记录“{docs[target].title}”，"
                                                        "示例删除后这个链接会失效，请改写这句话"))

    used = {v for r in kept for _, f, v in walk_fields(r) if f.type == "media" and isinstance(v, str)}
    plan.media = sorted({v for r in plan.samples for _, f, v in walk_fields(r)
                         if f.type == "media" and isinstance(v, str) and v and v not in used
                         and (root / v).is_file()})
    plan.manual.sort()
    return plan


def _write(path: Path, text: str) -> None:
    """Replace a file whole, keeping its line endings and byte order mark."""
    raw = path.read_bytes()
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    data = (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply(root: Path, plan: Plan) -> None:
    for rel, text in plan.texts.items():
        _write(root / rel, text)
    for rel in plan.files + plan.media:
        (root / rel).unlink(missing_ok=True)


def describe(plan: Plan) -> list[str]:
    """The plan in Chinese, one line a change."""
    if plan.empty:
        return ["没有示例记录，无需删除。"]
    out = [f"示例记录共 {len(plan.samples)} 条，将删除："]
    for rel in plan.files:
        r = next(r for r in plan.samples if r.path == rel)
        out.append(f"  删除文件 {rel}（{r.kind.label}“{r.title}”）")
    if plan.references:
        out.append("将去掉其他记录中对示例记录的引用：")
        out += [f"  {ref.where}: 去掉“{ref.target.id}”（{ref.target.title}）" for ref in plan.references]
    if plan.media:
        out.append("将删除只有示例记录使用的媒体文件：")
        out += [f"  {m}" for m in plan.media]
    if plan.manual:
        out.append("以下几处需要手工修改：")
        out += [f"  {p}" for p in plan.manual]
    return out
