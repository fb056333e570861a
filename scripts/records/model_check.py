"""The model checked before it is used: schema.yaml against its meta-schema
(schema.meta.yaml, through jsonschema, as the records are checked against the
model), then what refers across it: a `ref` to a kind, `items:` to a struct,
the fields named by title_field, `list:` and `show:`.

Every fault is a Problem at its line of schema.yaml, worded in Chinese for the
administrator who edits the model, and all of them are reported at once: a
model that fails here never reaches the validator, the renderer or the forms,
whose own failures (a KeyError deep in a template) would name nothing.
"""
from __future__ import annotations

import difflib
import functools
import re
import string
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import yaml

from ..problems import InputError, Problem
from .yaml_reader import YamlFault, parse_yaml, to_value

META_SCHEMA_FILE = Path(__file__).with_name("schema.meta.yaml")
# Sort keys besides the fields (Listing.sort_key).
ORDER_KEYS = ("path", "id")
GROUP_URL_KEYS = {"field", "n", "slug"}
# Folders of templates/ that are not a kind's (scripts/check/templates.py).
TEMPLATE_FOLDERS = ("pages", "partials", "overrides", "print")
_FORMATTER = string.Formatter()

_TYPE_WORDS = {"string": "文字", "integer": "整数", "number": "数字", "boolean": " true 或 false ",
               "object": "“键: 值”形式的设置", "array": "列表", "null": "空值"}


class ModelError(InputError):
    """schema.yaml is wrong: the commands print its problems and stop."""


def meta_schema() -> dict:
    return yaml.load(META_SCHEMA_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@functools.cache
def _validator():
    # The meta-schema itself is checked by the tests (check_schema takes
    # longer than the check it prepares).
    meta = meta_schema()
    return jsonschema.validators.validator_for(meta)(meta)


def checked_model(path: Path, shown: str) -> dict:
    """The model in `path`, parsed and checked; raises ModelError with every
    problem, each at `shown`:line (the file as the administrator knows it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ModelError([Problem(shown, 1, "", f"无法读取数据模型（{e}）")]) from None
    try:
        raw, lines = _parse(text)
    except YamlFault as fault:
        raise ModelError([Problem(shown, fault.line, fault.field, fault.message)]) from None
    problems = [Problem(shown, _line(lines, p), _key(p), m) for p, m in model_faults(raw)]
    if problems:
        raise ModelError(sorted(set(problems)))
    return raw


class _ModelLoader(yaml.CSafeLoader):
    """libyaml (the model is written with flow mappings, which send
    parse_yaml down its slow careful path), resolving as the records'
    reader does: dates as text, `<<` and `=` as plain text."""


_STD = "tag:yaml.org,2002:"
_ModelLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in (_STD + "timestamp", _STD + "merge", _STD + "value")]
    for ch, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _parse(text: str) -> tuple[Any, dict]:
    """(the model, {key path: line}); raises YamlFault, worded for people."""
    try:
        node = yaml.compose(text, Loader=_ModelLoader)
    except yaml.YAMLError:
        return parse_yaml(text)   # its careful reading says what is wrong, and where
    return to_value(node)


def key_lines(path: Path) -> dict[tuple, int]:
    """{key path: line} of a model file (for messages about a model already loaded)."""
    return _parse(path.read_text(encoding="utf-8"))[1]


def model_faults(raw: Any) -> list[tuple[tuple, str]]:
    """(key path, message) of every fault of a parsed model."""
    faults = list(_shape_faults(raw))
    if isinstance(raw, dict):
        faults += _Crossref(raw).faults
    return faults


def _line(lines: dict, path: tuple) -> int:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def _key(path: tuple) -> str:
    """A key path as written in messages: kinds.unit.list.order[2]."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _did_you_mean(word: Any, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"是否想写 {close[0]}？" if close else ""


def _listed(choices) -> str:
    return "、".join(str(c) if c != "" else "（空）" for c in choices)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "“键: 值”形式的设置" if isinstance(value, dict) else "列表"
    text = str(value)
    return f"“{text if len(text) <= 40 else text[:40] + '……'}”"


# --- the shape, by the meta-schema --------------------------------------------

def _shape_faults(raw: Any) -> Iterator[tuple[tuple, str]]:
    if raw is None:
        yield (), "数据模型是空的"
        return
    for error in _validator().iter_errors(raw):
        yield from _explain(error)


def _explain(error: jsonschema.ValidationError) -> Iterator[tuple[tuple, str]]:
    path, schema, value, kind = tuple(error.absolute_path), error.schema, error.instance, error.validator
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key not in allowed:
                hint = _did_you_mean(key, allowed) or f"此处可写：{_listed(allowed)}。"
                yield (*path, key), f"未知的设置“{key}”，{hint}"
    elif "propertyNames" in error.schema_path:
        # A key of the mapping at `path` (a kind's, a struct's, a field's name).
        message = schema.get("x-message") if kind == "pattern" else None
        yield (*path, value), f"名称“{value}”不可用：{message or error.message}"
    elif kind == "type":
        expected = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        words = "或".join(_TYPE_WORDS.get(t, t) for t in expected)
        hint = "（数字和 true/false 不要加引号）" if isinstance(value, str) and \
            re.fullmatch(r"-?\d+(\.\d+)?|true|false", value.strip()) else ""
        yield path, f"应为{words}，现在是{_shown(value)}{hint}".replace(" ，", "，")
    elif kind == "enum":
        options = schema["enum"]
        yield path, f"{_shown(value)}不是可用的值。{_did_you_mean(value, options)}可用的值：{_listed(options)}"
    elif kind == "required":
        missing = error.validator_value
        for key in missing:
            if isinstance(value, dict) and key not in value:
                why = f"（type: {value.get('type')} 须写明 {key}）" if "type" in value and key != "type" else ""
                yield path, f"缺少“{key}”{why}"
    elif kind == "pattern":
        yield path, f"{_shown(value)}格式不对：{schema.get('x-message') or '应符合 ' + schema['pattern']}"
    elif kind in ("minProperties", "minItems", "minLength"):
        yield path, "不能为空"
    elif kind == "minimum":
        yield path, f"应不小于 {error.validator_value}，现在是 {value}"
    else:  # a keyword added to the meta-schema without its wording here
        yield path, error.message


# --- what refers across the model ---------------------------------------------

def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class _Crossref:
    """The references inside the model, each checked where it is written.
    Parts of the wrong shape are skipped: the meta-schema reports them."""

    def __init__(self, raw: dict):
        self.faults: list[tuple[tuple, str]] = []
        self.kinds = _mapping(raw.get("kinds"))
        self.structs = _mapping(raw.get("structs"))
        self.common = _mapping(raw.get("common"))
        defined: list[str] = []
        for name, spec in self.structs.items():
            # load_schema builds the structs in order, a struct from those above it.
            for f, fspec in _mapping(_mapping(spec).get("fields")).items():
                self.field(("structs", name, "fields", f), fspec, defined)
            defined.append(name)
        for f, fspec in self.common.items():
            self.field(("common", f), fspec, list(self.structs))
        for name, spec in self.kinds.items():
            self.kind(name, _mapping(spec))
        for name, spec in _mapping(raw.get("pages")).items():
            self.menu(("pages", name, "menu"), _mapping(spec).get("menu"))
        home = _mapping(_mapping(raw.get("audit")).get("home"))
        self.warning_before(("audit", "home"), home.get("idle_days", 14), home.get("warn_days"))
        self.unique("path", lambda spec: spec.get("path"))
        self.unique("url", lambda spec: str(spec.get("url", "")).split("{id}")[0])

    def fault(self, path: tuple, message: str) -> None:
        self.faults.append((path, message))

    def unknown(self, path: tuple, what: str, name: Any, choices) -> None:
        self.fault(path, f"未知的{what}“{name}”。{_did_you_mean(name, choices)}"
                         f"可写：{_listed(choices) or '（尚未定义）'}")

    def field(self, path: tuple, spec: Any, structs: list[str]) -> None:
        spec = _mapping(spec)
        kinds = spec.get("kinds")
        for i, k in enumerate(kinds if isinstance(kinds, list) else []):
            if isinstance(k, str) and k not in self.kinds:
                self.unknown((*path, "kinds", i), "记录类型", k, list(self.kinds))
        for key in ("items", "struct"):
            target = spec.get(key)
            if isinstance(target, dict):
                self.field((*path, key), target, structs)
            elif isinstance(target, str) and target not in structs:
                if target in self.structs:
                    self.fault((*path, key), f"结构“{target}”须写在使用它的结构之前（结构不能包含它自己）")
                else:
                    self.unknown((*path, key), "结构", target, list(self.structs))
        values, labels = spec.get("values"), spec.get("labels")
        if isinstance(labels, list) and isinstance(values, list) and len(labels) != len(values):
            self.fault((*path, "labels"), f"labels 应与 values 一一对应：values 有 {len(values)} 个，"
                                          f"labels 有 {len(labels)} 个")
        elif labels is not None and spec.get("type") != "enum":
            self.fault((*path, "labels"), "只有可选值字段（type: enum）才能写 labels")
        pattern = spec.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as e:
                self.fault((*path, "pattern"), f"正则表达式有误：{e}")

    def kind(self, name: str, spec: dict) -> None:
        at = ("kinds", name)
        if name in TEMPLATE_FOLDERS:
            self.fault(at, f"“{name}”是 templates/ 下另有用途的文件夹名，不能用作记录类型的名称")
        own = _mapping(spec.get("fields"))
        for f, fspec in own.items():
            self.field((*at, "fields", f), fspec, list(self.structs))
            if f in self.common:
                self.fault((*at, "fields", f), f"字段“{f}”与公共字段（common）重名，请换一个名称")
        fields = {**own, **self.common}
        title = spec.get("title_field")
        if isinstance(title, str) and title not in fields:
            self.unknown((*at, "title_field"), "字段", title, list(own))
        listing = _mapping(spec.get("list"))
        # Kind.is_list_file (a url without {id}); a url with another
        # placeholder is refused by the meta-schema.
        self.listing(at + ("list",), listing, fields, list_file="{" not in str(spec.get("url", "")))
        show = _mapping(spec.get("show"))
        if isinstance(show.get("title"), str):
            self.template((*at, "show", "title"), show["title"], fields)
        facts = show.get("facts")
        for i, part in enumerate(facts if isinstance(facts, list) else []):
            if isinstance(part, str):
                self.template((*at, "show", "facts", i), part, fields)
        picture = show.get("picture")
        if isinstance(picture, str) and picture:
            f = _mapping(fields.get(picture))
            if picture not in fields:
                self.unknown((*at, "show", "picture"), "字段", picture,
                             [n for n, s in own.items() if _mapping(s).get("media") == "image"] or list(own))
            elif f.get("type") != "media" or f.get("media") != "image":
                self.fault((*at, "show", "picture"), f"字段“{picture}”不是图片：show.picture 应为图片字段"
                                                     "（type: media, media: image）")
        group = show.get("cover_group")
        if isinstance(group, str) and group:
            self.placeholder((*at, "show", "cover_group"), group, fields)
            if not show.get("cover"):
                self.fault((*at, "show", "cover_group"), "cover_group 只写在画出的封面上：须同时设置 show.cover")
        self.menu((*at, "show", "menu"), show.get("menu"), name)
        self.audit((*at, "audit"), _mapping(spec.get("audit")), fields)
        if _mapping(show.get("home")).get("layout") == "groups" and not listing.get("group_by"):
            self.fault((*at, "show", "home", "layout"), "groups 按列表的分组显示：须同时设置 list.group_by")

    def listing(self, at: tuple, listing: dict, fields: dict, list_file: bool) -> None:
        order = listing.get("order")
        for i, key in enumerate(order if isinstance(order, list) else []):
            if isinstance(key, str) and key.lstrip("-") not in (*fields, *ORDER_KEYS):
                self.unknown((*at, "order", i), "排序字段", key.lstrip("-"), [*fields, *ORDER_KEYS])
        group_by = listing.get("group_by")
        if isinstance(group_by, str) and group_by and group_by not in fields:
            self.unknown((*at, "group_by"), "字段", group_by, list(fields))
        # Settings of the groups, meaningless without them.
        if not group_by:
            for key in ("group_url",) + (("index",) if listing.get("index") == "groups" else ()):
                if key in listing:
                    self.fault((*at, key), f"{key} 只在分组列出时有意义：请同时设置 group_by，或删去此行")
        group_url = listing.get("group_url")
        if isinstance(group_url, str):
            try:
                keys = {name for _, name, _, _ in _FORMATTER.parse(group_url) if name is not None}
            except ValueError:
                keys = {"{"}
            if not keys <= GROUP_URL_KEYS or not group_url.endswith("/"):
                self.fault((*at, "group_url"), "应为以“/”结尾的文件夹，可含 {field}（分组字段）、{n}（第几组）"
                                               "或 {slug}（分组的值），如 category/{slug}/")
        if list_file and listing.get("index") == "groups":
            # Such records are anchors on the pages of the whole list
            # (render's locate_list_file_records): an index of groups would
            # leave their links pointing at pages that do not show them.
            self.fault((*at, "index"), "这类记录没有单独页面（url 不含 {id}），只在列表页上，"
                                      "列表首页须列出全部记录：index 不能为 groups")

    def placeholder(self, path: tuple, name: str, fields: dict) -> None:
        """`field` or `field.key` (a key of the struct the field holds)."""
        field, _, key = name.partition(".")
        if field not in fields:
            self.unknown(path, "字段", field, list(fields))
            return
        spec = _mapping(fields[field])
        struct = spec.get("items") or spec.get("struct")
        keys = _mapping(_mapping(self.structs.get(struct)).get("fields")) if isinstance(struct, str) else {}
        if key and key not in keys:
            if keys:
                self.unknown(path, f"“{field}”的子项", key, list(keys))
            else:
                self.fault(path, f"字段“{field}”没有子项，不能写“{name}”")

    def template(self, path: tuple, text: str, fields: dict) -> None:
        """A format such as "《{title}》": each {field} a field of the kind."""
        try:
            names = [n for _, n, _, _ in _FORMATTER.parse(text) if n is not None]
        except ValueError:
            self.fault(path, "花括号不配对：字段写成 {字段名}，文字中的花括号写成 {{ 或 }}")
            return
        for name in names:
            if not name:
                self.fault(path, "花括号里缺少字段名，如 {title}")
            else:
                self.placeholder(path, name, fields)

    def audit(self, at: tuple, audit: dict, fields: dict) -> None:
        date_field = audit.get("date_field")
        if isinstance(date_field, str) and date_field:
            if date_field not in fields:
                self.unknown((*at, "date_field"), "字段", date_field,
                             [n for n, s in fields.items() if _mapping(s).get("type") == "date"] or list(fields))
            elif _mapping(fields[date_field]).get("type") != "date":
                self.fault((*at, "date_field"), f"字段“{date_field}”不是日期：date_field 应为发布日期字段（type: date）")
        if audit.get("idle_days") is None and audit.get("warn_days"):
            self.fault((*at, "warn_days"), "warn_days 是到期前几天提醒：须同时设置 idle_days（栏目多少天不更新即不合格）")
        else:
            self.warning_before(at, audit.get("idle_days"), audit.get("warn_days"))

    def warning_before(self, at: tuple, idle: Any, warn: Any) -> None:
        if isinstance(idle, int) and isinstance(warn, int) and not isinstance(warn, bool) and warn >= idle:
            self.fault((*at, "warn_days"), f"提前提醒的天数（{warn}）应小于不更新的期限 idle_days（{idle}）")

    def menu(self, path: tuple, spec: Any, kind: str = "") -> None:
        under = _mapping(spec).get("under")
        if isinstance(under, str) and under:
            if under not in self.kinds:
                self.unknown((*path, "under"), "记录类型", under, list(self.kinds))
            elif under == kind:
                self.fault((*path, "under"), "菜单项不能放在它自己之下")

    def unique(self, key: str, value) -> None:
        seen: dict[str, str] = {}
        for name, spec in self.kinds.items():
            v = value(_mapping(spec))
            if isinstance(v, str) and v:
                if v in seen:
                    self.fault(("kinds", name, key), f"与 kinds.{seen[v]}.{key} 相同：每类记录须有自己的文件夹")
                seen.setdefault(v, name)
