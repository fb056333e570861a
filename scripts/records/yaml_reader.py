"""The careful YAML reader of the editors' files: every value with its line,
dates kept as text, no aliases, and faults worded in Chinese for editors.

PyYAML parses; what no library does is keep the line of every field (for
`path:line: 字段: 说明` messages) and word the parser's faults for people
who are not programmers. Well-formed files take libyaml's fast path; the
pure-Python composer reads the rest, for its messages (tests/test_yaml_paths.py
holds the two equal).
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 20              # records nest three levels; deeper YAML is a mistake or an attack
MAX_NUMBER = 10 ** 15       # larger numbers are typos (and huge ones are slow to print)
# Characters YAML refuses (and no page should carry): control characters other
# than tab and newline, often pasted from Word or WeChat with the text.
CONTROL_RE = re.compile("[^\t\n -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


class _Loader(yaml.SafeLoader):
    """Safe YAML without aliases (they can blow up in size) and with dates kept
    as text, so the schema checks them and a wrong date names its line."""


_STD = "tag:yaml.org,2002:"
# `<<` and `=` are plain text in a record, not YAML's merge key and value
# indicator (which have no constructor and would fail with PyYAML's words).
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in (_STD + "timestamp", _STD + "merge", _STD + "value")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# The tags plain YAML needs, written or not: text, numbers, true/false, empty,
# lists and fields. Any other (!!python/object/apply, !!binary, !custom…) is
# refused, never read as a plain list or text: a record is data, and a tag
# would mean something to another reader of the same file.
ALLOWED_TAGS = {
    yaml.ScalarNode: {_STD + t for t in ("str", "int", "float", "bool", "null")},
    yaml.SequenceNode: {_STD + "seq"},
    yaml.MappingNode: {_STD + "map"},
}


class YamlFault(Exception):
    def __init__(self, line: int, message: str, field: str = ""):
        super().__init__(message)
        self.line, self.message, self.field = line, message, field


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        # Aliases are refused outright: a record never needs them.
        original = loader.compose_node
        depth = 0

        def compose_node(parent, index):
            nonlocal depth
            event = loader.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise YamlFault(event.start_mark.line + 1,
                                "不支持 YAML 锚点和别名（* 与 &），请直接写出内容")
            # The composer recurses: a deep nest would end in RecursionError.
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlFault(event.start_mark.line + 1, f"嵌套层次过深（超过 {MAX_DEPTH} 层），请检查缩进和括号")
            try:
                return original(parent, index)
            finally:
                depth -= 1

        loader.compose_node = compose_node
        return loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        line, message = explain(e, text)
        raise YamlFault(line, f"格式错误：{message}") from None
    except yaml.YAMLError as e:
        raise YamlFault(1, f"格式错误：无法识别（{e}）") from None
    finally:
        loader.dispose()


# A field name at the start of a line, as the editors write them.
_KEY = r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_][A-Za-z0-9_]*)"
_CHINESE_COLON = re.compile(_KEY + r"\s*：\s*(?P<rest>.*)$")
_NO_SPACE = re.compile(_KEY + r":(?P<rest>[^\s:/].*)$")
_KEY_LINE = re.compile(_KEY + r"\s*:(?:\s|$)")
_QUOTED_THEN_TEXT = re.compile(r":\s+([\"']).*?\1\s*[^\s#]")


def line_hint(line: str) -> str | None:
    """What is wrong with one line of “字段: 值”, in the editors' words, or None:
    a Chinese colon, or no space after the colon (the commonest slips)."""
    m = _CHINESE_COLON.match(line)
    if m:
        return (f"“{m['key']}”后面用了中文冒号“：”：字段名后面要用英文冒号加一个空格，"
                f"请写成“{m['key']}: {m['rest']}”")
    m = _NO_SPACE.match(line)
    if m:
        return f"冒号后面缺少空格：请写成“{m['key']}: {m['rest']}”"
    return None


def repaired_line(line: str) -> str | None:
    """The line as line_hint asks it to be written, or None when it has no
    such slip: what the check reads to go on past it (the slip is still an
    error; the file is never rewritten)."""
    for pattern in (_CHINESE_COLON, _NO_SPACE):
        m = pattern.match(line)
        if m:
            return f"{m['indent']}{m['key']}: {m['rest']}"
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def explain(e: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line where an editor should look, and what to do there, for a fault
    of PyYAML's parser (whose words, and often whose line, mean nothing to
    editors: it notices a missing colon on the line after, an unclosed quote
    at the end of the file)."""
    problem, context = (e.problem or "").strip(), (e.context or "").strip()
    at = e.problem_mark.line + 1 if e.problem_mark else 1
    start = e.context_mark.line + 1 if e.context_mark else at
    lines = text.split("\n")

    def line(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    if context.startswith("while scanning a simple key"):
        # The line that should have been “字段: 值”.
        return start, line_hint(line(start)) or (
            "这一行缺少冒号：每个字段写成“字段名: 值”（英文冒号，后面加一个空格）；"
            "如果这是上一行文字的延续，请把它接到上一行末尾")
    if context.startswith("while scanning a quoted scalar"):
        return start, ("引号没有配对：这一行的引号开始后一直没有结束。请在文字末尾补上同样的引号，"
                       "或者去掉引号（文字中需要引号时，请用中文引号“”）")
    if problem.startswith("mapping values are not allowed here"):
        previous = next((line(n) for n in range(at - 1, 0, -1) if line(n).strip()), "")
        if _KEY_LINE.match(line(at)) and _indent(line(at)) > _indent(previous) \
                and not previous.rstrip().endswith(":"):
            return at, ("缩进不对：这一行比上一行多缩进了。同一层的字段要左对齐；"
                        "只有上一行以冒号结尾（如“honours:”）时，下一行才多缩进两个空格")
        return at, ("这一行的值里有英文冒号加空格“: ”，YAML 会把它当成新的字段：请把整个值用引号括起来，"
                    "如 summary: \"时间: 2010年\"，或者改用中文冒号“：”")
    if problem.startswith("expected <block end>"):
        if _QUOTED_THEN_TEXT.search(line(at)):
            return at, "引号后面不能再有文字：要么整段文字都放在引号里，要么不用引号"
        if "'-'" in problem or "<block sequence start>" in problem:
            return at, "缩进不对：列表的各项（以“- ”开头）要左对齐，与同一列表的第一项对齐"
        return at, ("缩进不对：这一行的缩进与同一层的其他字段不一致。同一层的字段要左对齐，"
                    "下一层比上一层多缩进两个空格（不要用 Tab）")
    if "\\t" in problem or "tab character" in problem:
        return at, "不能用 Tab 键缩进，请用空格（每一层两个空格）"
    if problem.startswith("found undefined alias"):
        return at, "不支持 YAML 别名（*），请直接写出内容"
    if problem.startswith("expected ',' or ']'") or "flow sequence" in context and "<stream end>" in problem:
        return start, "方括号 [ ] 没有配对：这一行的“[”之后缺少“]”，或列表中的逗号不对"
    if problem.startswith("expected ',' or '}'") or "flow mapping" in context and "<stream end>" in problem:
        return start, "花括号 { } 没有配对：这一行的“{”之后缺少“}”，或逗号不对"
    if problem.startswith("found unexpected end of stream"):
        return start, "引号或括号没有配对：从这一行开始的引号或括号一直没有结束"
    return at, ("这一行无法识别：请检查缩进（同一层左对齐）、冒号（英文冒号加空格）和引号（成对出现）"
                f"（解析器的提示：{problem or e}）")


def _field(path: tuple) -> str:
    """A field as the validator names it: honours[1].year."""
    field = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            field += f"[{part + 1}]" if i else ""
        else:
            field += f".{part}" if field else part
    return field


def shown_tag(tag: str) -> str:
    """A tag as it is written in the file: !!binary, !custom."""
    shown = "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag
    return shown if len(shown) <= 60 else shown[:60] + "……"


def _check_tag(node: yaml.Node, line: int, path: tuple) -> None:
    if node.tag not in ALLOWED_TAGS[type(node)]:
        raise YamlFault(line, f"不能使用 YAML 标记 {shown_tag(node.tag)}：记录里只写文字、数字、列表和字段，"
                              "请删去这个以“!”开头的标记", _field(path))


def _scalar(node: yaml.Node, line: int, loader: _Loader, path: tuple = ()) -> Any:
    """A scalar as plain data: text, number, true/false or empty, nothing else."""
    field = _field(path)
    _check_tag(node, line, path)
    try:
        value = loader.construct_object(node)
    except ValueError:  # e.g. an integer of thousands of digits
        raise YamlFault(line, "数值过大，无法识别", field) from None
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        if not (isinstance(value, int) or math.isfinite(value)) or abs(value) > MAX_NUMBER:
            raise YamlFault(line, f"数值“{node.value}”过大或无效", field)
        return value
    raise YamlFault(line, f"不支持的 YAML 标记“{node.tag}”，请直接写文字或数字", field)


def _construct(node: yaml.Node, path: tuple, lines: dict, offset: int, loader: _Loader) -> Any:
    line = lines[path] = node.start_mark.line + 1 + offset
    _check_tag(node, line, path)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            key = _scalar(key_node, key_line, loader) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "……"
                raise YamlFault(key_line, f"字段名“{shown}”应为文字（英文字母），如 name")
            if key in out:
                raise YamlFault(key_node.start_mark.line + 1 + offset, f"字段“{key}”重复出现")
            out[key] = _construct(value_node, (*path, key), lines, offset, loader)
            lines[(*path, key)] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, i), lines, offset, loader) for i, v in enumerate(node.value)]
    return _scalar(node, line, loader, path)


class _FastLoader(yaml.CSafeLoader):
    """libyaml's parser, with the resolvers of _Loader: for well-formed files."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
_NOT_FAST = re.compile(r"[&*\[{]")


def _compose_fast(text: str):
    """The node tree by libyaml (ten times faster), or _FAILED: then _compose
    reads the file again, to refuse aliases and word its faults for editors.
    Files with anchors, aliases or flow collections (which can nest deeply
    enough to overflow the C parser's stack) always take the careful path."""
    if _NOT_FAST.search(text):
        return _FAILED
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return _FAILED
    finally:
        loader.dispose()
    # Deep nesting is refused by _compose, with its message.
    level, depth = [node] if node is not None else [], 0
    while level:
        depth += 1
        if depth >= MAX_DEPTH:
            return _FAILED
        level = [child for n in level if isinstance(n.value, list)
                 for item in n.value for child in (item if isinstance(item, tuple) else (item,))]
    return node


_FAILED = object()


def parse_yaml(text: str, offset: int = 0) -> tuple[Any, dict]:
    """YAML text → (value, {field path: line}); raises YamlFault."""
    try:
        node = _compose_fast(text)
        if node is _FAILED:
            node = _compose(text)
    except YamlFault as fault:
        fault.line += offset
        raise
    return to_value(node, offset)


def to_value(node: yaml.Node | None, offset: int = 0) -> tuple[Any, dict]:
    """A composed document → (value, {field path: line}); raises YamlFault."""
    lines: dict[tuple, int] = {}
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style
                        and node.tag in ALLOWED_TAGS[yaml.ScalarNode]):
        # An empty document. (libyaml marks it at the end of the stream, the
        # pure-Python parser at its start: neither line means anything.)
        return None, lines
    loader = _Loader("")
    try:
        return _construct(node, (), lines, offset, loader), lines
    except yaml.YAMLError as e:
        raise YamlFault(offset + 1, f"YAML 内容无法识别：{e}") from None


def read_text(path: Path, rel: str) -> str:
    """The file's text, with BOM and CRLF accepted; raises YamlFault for editors."""
    with open(path, "rb") as f:  # read no more than the limit, whatever stat says
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise YamlFault(1, f"文件过大，单个记录不能超过 {MAX_FILE_BYTES // 1024} KB（图片、视频请另存为文件）")
    if not raw.strip():
        raise YamlFault(1, "文件是空的")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlFault(line, "文件不是 UTF-8 编码，无法读取，请在编辑器中另存为 UTF-8 编码") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = CONTROL_RE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlFault(line, f"含有不可见的控制字符（U+{ord(bad.group()):04X}），"
                              "常见于从 Word 或微信粘贴的文字，请删除该处后重新输入")
    return text


def split_front_matter(text: str) -> tuple[str, str, int]:
    """→ (front matter, body, line where the body starts); raises YamlFault."""
    if not text.startswith("---"):
        raise YamlFault(1, "缺少开头的 YAML 信息块：文件第一行应为 ---")
    m = FRONT_MATTER_RE.match(text)
    if not m:
        raise YamlFault(1, "YAML 信息块没有结束：请在字段之后另起一行写 ---")
    front = m.group(1) or ""
    return front, text[m.end():], front.count("\n") + 3

