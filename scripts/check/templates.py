"""The templates against the model: every kind has the templates its pages
need, and a kind's own templates name only fields the kind has.

Templates are found Hugo-style (as scripts/render and scripts/print look them
up): `templates/<kind>/<name>.md.j2`, else `templates/_default/<name>.md.j2`;
for print, `templates/print/<kind>.html.j2`, else `templates/print/_default.html.j2`.

A misspelt field in a template fails silently: Jinja reads `record.sumary`
as the record's (absent) field and the page just lacks its summary. So the
templates of a known kind (templates/<kind>/, templates/print/<kind>.html.j2)
are read as Jinja's parser reads them, and every `record.<name>` (or `r.<name>`
for a record bound by the template) must be a field of the kind, a common
field, or an attribute of loader.Record. Only names certainly bound to the
kind's records are checked: the record of a single page, the items of a list
page and what is filtered or looped from them, a macro's `r` or `record`, and
`kind.fields.<name>`. A loop over other records (site.related(...)) is not.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
from pathlib import Path

import jinja2
from jinja2 import nodes

from ..problems import Problem
from ..records import model_check
from ..records.loader import Record
from ..records.schema import Kind, Schema, shown_path
from ..records.yaml_reader import YamlFault

TEMPLATES = "templates"
DEFAULT_FOLDER = "_default"
PRINT_FOLDER = "print"

# What a name stands for in a kind's template.
RECORD, RECORDS, FIELDS = "record", "records", "fields"
# The context of a kind's pages (scripts/render): its record, or its items.
CONTEXT = {"record": RECORD, "items": RECORDS, "group_items": RECORDS, "all_items": RECORDS}
# Filters that keep the records they are given (a list of them, or one).
KEEP = {"selectattr", "rejectattr", "list", "sort", "reverse", "unique"}
ONE = {"first", "last", "random"}
# Filters naming an attribute of each record.
ATTRIBUTE_ARG = {"selectattr", "rejectattr"}
ATTRIBUTE_KWARG = {"selectattr", "rejectattr", "sort", "map", "groupby", "sum", "unique", "min", "max"}


def template_for(root: Path, kind: str, name: str) -> str | None:
    """The template (relative to templates/) that serves `name` for `kind`,
    or None: the kind's own, else the default."""
    for candidate in (f"{kind}/{name}", f"{DEFAULT_FOLDER}/{name}"):
        if (root / TEMPLATES / candidate).is_file():
            return candidate
    return None


def template_problems(root: Path, schema: Schema) -> list[Problem]:
    problems = _missing(root, schema) + _shadowed(schema)
    for kind in schema.kinds.values():
        for path in _own_templates(root, kind):
            problems += _field_problems(root, path, kind)
    return problems


# --- a template for every page ------------------------------------------------

def _missing(root: Path, schema: Schema) -> list[Problem]:
    out = []
    needed = [(kind, "list.md.j2", "列表页") for kind in schema.kinds.values()]
    needed += [(kind, "single.md.j2", "记录页面") for kind in schema.kinds.values() if not kind.is_list_file]
    for kind, name, what in needed:
        if template_for(root, kind.name, name) is None:
            out.append(Problem(shown_path(schema.source), _model_line(schema, ("kinds", kind.name)),
                               f"kinds.{kind.name}",
                               f"“{kind.label}”没有{what}模板：templates/ 下既没有 {kind.name}/{name}，"
                               f"也没有默认模板 {DEFAULT_FOLDER}/{name}"))
    for name in schema.pages:
        # A derived list (`pages:`) is its template: without it the menu's link is dead.
        if not (root / TEMPLATES / "pages" / f"{name}.md.j2").is_file():
            out.append(Problem(shown_path(schema.source), _model_line(schema, ("pages", name)), f"pages.{name}",
                               f"没有模板 templates/pages/{name}.md.j2：请添加模板，或删去这一项"))
    return out


def _model_line(schema: Schema, path: tuple) -> int:
    try:
        return model_check.key_lines(Path(schema.source)).get(path, 1)
    except (OSError, UnicodeDecodeError, YamlFault):   # changed since it was loaded
        return 1


# --- fields named by a kind's templates ---------------------------------------

def _own_templates(root: Path, kind: Kind) -> list[Path]:
    folder = root / TEMPLATES
    own = sorted(p for p in (folder / kind.name).rglob("*.j2") if p.is_file()) \
        if kind.name not in (DEFAULT_FOLDER, PRINT_FOLDER) else []
    printed = folder / PRINT_FOLDER / f"{kind.name}.html.j2"
    return own + ([printed] if printed.is_file() else [])


@functools.cache
def record_attributes() -> frozenset[str]:
    """What `record.<name>` means besides a field (Jinja tries the attribute first)."""
    names = {n for n in dir(Record) if not n.startswith("_")}
    return frozenset(names | {f.name for f in dataclasses.fields(Record)})


def _shadowed(schema: Schema) -> list[Problem]:
    """Fields a template can never read: `record.path` is the record's file,
    whatever the model says. (Its title and status are its fields' values.)"""
    out = []
    for kind in schema.kinds.values():
        for name in sorted(set(kind.fields) - set(schema.common)):
            if name in record_attributes() - {"title", "status"}:
                out.append(Problem(shown_path(schema.source), _model_line(schema, ("kinds", kind.name, "fields", name)),
                                   f"kinds.{kind.name}.fields.{name}",
                                   f"字段名“{name}”是记录本身的属性（record.{name}），模板中取不到这个字段，请换一个名称"))
    return out


def _field_problems(root: Path, path: Path, kind: Kind) -> list[Problem]:
    rel = path.relative_to(root).as_posix()
    stat = path.stat()
    found = _names_used(path, stat.st_mtime_ns, stat.st_size)
    if isinstance(found, Problem):
        return [dataclasses.replace(found, path=rel)]
    known = set(kind.fields) | record_attributes()
    out = []
    for what, name, line in found:
        if what == RECORD and name not in known:
            out.append(Problem(rel, line, "", f"“{kind.label}”（{kind.name}）没有字段“{name}”"
                                              f"{_hint(name, kind.fields)}：请按 schema.yaml 改正字段名"))
        elif what == FIELDS and name not in kind.fields and not hasattr(dict, name):
            out.append(Problem(rel, line, "", f"kind.fields.{name}：“{kind.label}”（{kind.name}）没有字段“{name}”"
                                              f"{_hint(name, kind.fields)}"))
    return out


def _hint(name: str, fields) -> str:
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    return f"（是否想写 {close[0]}？）" if close else ""


@functools.lru_cache(maxsize=256)
def _names_used(path: Path, mtime_ns: int, size: int) -> list[tuple[str, str, int]] | Problem:
    """(RECORD or FIELDS, name, line) of every attribute taken of the kind's
    records or fields in one template (cached per version of the file)."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return Problem("", 1, "", f"无法读取模板（{e}），请以 UTF-8 编码保存")
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as e:
        return Problem("", e.lineno or 1, "", f"模板语法错误（Jinja 的说明：{e.message}）")
    walker = _Walker()
    walker.visit_all(tree.body, dict(CONTEXT))
    return walker.found


class _Walker:
    def __init__(self):
        self.found: list[tuple[str, str, int]] = []

    def visit_all(self, body: list, scope: dict) -> None:
        for node in body:
            self.visit(node, scope)

    def visit(self, node: nodes.Node, scope: dict) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            self.bind(node.target, self.element(self.what(node.iter, scope)), inner)
            inner["loop"] = None
            if node.test is not None:
                self.visit(node.test, inner)
            self.visit_all(node.body, inner)
            self.visit_all(node.else_, scope)
            return
        if isinstance(node, nodes.Macro):
            inner = dict(scope)
            for arg in node.args:
                # A macro of a kind's own template takes that kind's records.
                inner[arg.name] = RECORD if arg.name in ("r", "record") else None
            for default in node.defaults:
                self.visit(default, scope)
            self.visit_all(node.body, inner)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self.bind(node.target, self.what(node.node, scope), scope)
            return
        if isinstance(node, nodes.AssignBlock):
            self.visit_all(node.body, scope)
            self.bind(node.target, None, scope)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.visit(value, scope)
                self.bind(target, self.what(value, scope), inner)
            self.visit_all(node.body, inner)
            return
        if isinstance(node, (nodes.Import, nodes.FromImport)):
            self.visit(node.template, scope)
            names = [node.target] if isinstance(node, nodes.Import) else \
                [n[1] if isinstance(n, tuple) else n for n in node.names]
            for name in names:
                scope[name] = None
            return
        if isinstance(node, nodes.Getattr):
            self.attribute(self.what(node.node, scope), node.attr, node.lineno)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str):
            self.attribute(self.what(node.node, scope), node.arg.value, node.lineno)
        elif isinstance(node, nodes.Filter) and node.node is not None \
                and self.what(node.node, scope) == RECORDS:
            if node.name in ATTRIBUTE_ARG and node.args and isinstance(node.args[0], nodes.Const) \
                    and isinstance(node.args[0].value, str):
                self.attribute(RECORD, node.args[0].value.split(".")[0], node.lineno)
            for kw in node.kwargs:
                if node.name in ATTRIBUTE_KWARG and kw.key == "attribute" and isinstance(kw.value, nodes.Const) \
                        and isinstance(kw.value.value, str):
                    self.attribute(RECORD, kw.value.value.split(".")[0], node.lineno)
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def attribute(self, what: str | None, name: str, line: int) -> None:
        if what in (RECORD, FIELDS):
            self.found.append((what, name, line))

    def bind(self, target: nodes.Node, what: str | None, scope: dict) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = what
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, None, scope)
        elif isinstance(target, nodes.NSRef):
            pass

    @staticmethod
    def element(what: str | None) -> str | None:
        return RECORD if what == RECORDS else None

    def what(self, node: nodes.Node, scope: dict) -> str | None:
        """What an expression certainly is: one of the kind's records, a
        list of them, its fields, or (None) anything else."""
        if isinstance(node, nodes.Name):
            return scope.get(node.name)
        if isinstance(node, nodes.Filter) and node.node is not None:
            inner = self.what(node.node, scope)
            if inner == RECORDS and node.name in KEEP:
                return RECORDS
            if inner == RECORDS and node.name in ONE:
                return RECORD
            return None
        if isinstance(node, nodes.Getattr) and node.attr == "fields":
            base = node.node
            if isinstance(base, nodes.Name) and base.name == "kind" and "kind" not in scope:
                return FIELDS
            if isinstance(base, nodes.Getattr) and base.attr == "kind" and self.what(base.node, scope) == RECORD:
                return FIELDS
        if isinstance(node, nodes.Getitem) and self.what(node.node, scope) == RECORDS:
            return RECORDS if isinstance(node.arg, nodes.Slice) else RECORD
        if isinstance(node, nodes.CondExpr):
            a, b = self.what(node.expr1, scope), self.what(node.expr2, scope) if node.expr2 else None
            return a if a == b else None
        return None
