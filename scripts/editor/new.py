"""`new`: a new record with every field of its kind, each with a Chinese
comment taken from scripts/records/schema.yaml, and an id proposed from its name."""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from datetime import date
from pathlib import Path

from ..records.loader import load_all
from ..records.schema import Field, Kind, Struct, schema_for
from .record_file import scalar

MAX_ID_WORDS = 6
COMMENT_COLUMN = 24


# The region's words for places and party organisations, each one part of an
# id (红星嘎查党支部 → hongxing-gacha-dangzhibu, not hongxing-ga-cha-…): jieba's
# dictionary does not know the Mongolian-origin 嘎查 (village) and 苏木
# (township). One list for `make new` and the workbench's 按名称生成 (both
# call pinyin_id). A place name jieba cannot place (卧牛河) is cut into single
# characters, which are joined again when one of these words follows.
PLACE_WORDS = ("嘎查村", "嘎查", "苏木", "党支部", "党总支", "党委", "党工委", "党组", "社区", "居委会",
               "村委会", "街道", "办事处", "委员会", "组织部", "村", "镇", "乡", "旗", "盟", "县")


@functools.lru_cache(maxsize=1)
def _tokenizer():
    """jieba's dictionary with the place words: a tokenizer of its own, so
    that the process-wide one (the typo lint's) is left as it is."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in PLACE_WORDS:
        if len(word) > 1:
            tokenizer.add_word(word)
    return tokenizer


def _split(word: str) -> list[str]:
    """镇党委 → 镇, 党委: a word of jieba's that ends with one of the longer place words."""
    for place in PLACE_WORDS:
        if len(place) > 1 and word.endswith(place) and word != place:
            return _split(word[:-len(place)]) + [place]
    return [word]


def _single(word: str) -> bool:
    return len(word) == 1 and "\u4e00" <= word <= "\u9fff" and word not in PLACE_WORDS


def _words(name: str) -> list[str]:
    """jieba's words, a run of single characters just before a place word
    joined (卧 牛 河 镇 → 卧牛河 镇); elsewhere (a slogan's 冲 在 前) left as cut."""
    tokens = [part for token in _tokenizer().cut(name, HMM=False) for part in _split(token)]
    words: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _single(tokens[j]):
            j += 1
        if j - i > 1 and j < len(tokens) and tokens[j] in PLACE_WORDS:
            words.append("".join(tokens[i:j]))
        else:
            words += tokens[i:max(j, i + 1)]
        i = max(j, i + 1)
    return words


def pinyin_id(name: str) -> str:
    """城市综合执法局党委 → chengshi-zonghe-zhifaju-dangwei, 红星嘎查党支部 →
    hongxing-gacha-dangzhibu (one part per word)."""
    from pypinyin import lazy_pinyin
    parts = []
    for word in _words(name):
        syllables = "".join(lazy_pinyin(word)).lower()
        parts += [p for p in re.split(r"[^a-z0-9]+", syllables) if p]
    return "-".join(parts[:MAX_ID_WORDS]) or "record"


def unique_id(base: str, taken: set[str]) -> str:
    rid, n = base, 1
    while rid in taken:
        n += 1
        rid = f"{base}-{n}"
    return rid


def _comment(f: Field) -> str:
    text = f.label + ("（必填）" if f.required else "")
    if f.type == "enum":
        text += "：可选 " + "、".join(v or "（空）" for v in f.values)
    if f.help:
        text += "：" + f.help if f.type != "enum" else "。" + f.help
    elif f.type == "date":
        text += "：年-月-日，如 2024-07-01"
    elif f.type == "bool":
        text += "：true 或 false"
    return text


def _pad(text: str, width: int = COMMENT_COLUMN) -> str:
    """Pad to a column as editors see it: Chinese characters are two wide."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def _line(indent: str, key: str, value: str, comment: str) -> str:
    return f"{_pad(f'{indent}{key}:' + (' ' + value if value else ''))} # {comment}"


def _field_lines(fields: dict[str, Field], values: dict[str, str], indent: str = "") -> list[str]:
    out = []
    for name, f in fields.items():
        out.append(_line(indent, name, values.get(name, ""), _comment(f)))
        if f.type == "struct":
            out += _field_lines(f.items.fields, {}, indent + "  ")
        elif f.type == "list" and isinstance(f.items, Struct):
            # One example item, commented out: remove the “# ” to use it.
            first, *rest = _field_lines(f.items.fields, {}, indent + "  # - ")
            out += [first, *(line.replace("# - ", "#   ", 1) for line in rest)]
        elif f.type == "list":
            out.append(f"{indent}  # - （每项一行，以“- ”开头）")
    return out


def scaffold(kind: Kind, rid: str, name: str) -> str:
    values = {kind.title_field: name, "status": "draft"}
    if "date" in kind.fields:
        values["date"] = date.today().isoformat()
    lines = _field_lines(kind.fields, values)
    if not kind.front_matter:
        return "\n".join(lines) + "\n"
    return "\n".join(["---", *lines, "---", "",
                      f"<!-- 在这里写{kind.label}的正文，可以分段，可以用“## 小标题”。 -->", ""])


class UsageError(ValueError):
    """`new` called without what it needs: the message says how to call it."""


def usage(kinds: dict[str, Kind]) -> str:
    choices = "、".join(f"{name}（{kind.label}）" for name, kind in kinds.items())
    return ("用法：make new KIND=类型 NAME=名称，如 make new KIND=unit NAME=某某社区党委\n"
            f"KIND 可选：{choices}；NAME 写名称、姓名、片名、标题或短信内容（含空格时加引号）。")


def new_record(root: Path, kind_name: str, name: str) -> tuple[Path, str]:
    schema = schema_for(root)
    # `new` writes drafts for review; a kind published by default (figures,
    # copied from their source text) is written by hand instead.
    kinds = {k: v for k, v in schema.kinds.items() if v.default_status == "draft"}
    kind_name, name = (kind_name or "").strip(), " ".join((name or "").split())
    if not kind_name or not name:
        missing = "记录类型（KIND）" if not kind_name else "名称（NAME）"
        raise UsageError(f"没有写{missing}。\n{usage(kinds)}")
    kind = kinds.get(kind_name)
    if kind is None:
        raise UsageError(f"没有“{kind_name}”这类记录。\n{usage(kinds)}")
    records, _ = load_all(root, schema)
    taken = {r.id for r in records}
    rid = unique_id(pinyin_id(name), taken)
    text = scaffold(kind, rid, scalar(name))
    path = root / kind.path.replace("*", rid)
    while path.exists():  # a file that failed to load is not in `taken`
        rid = unique_id(rid, taken | {rid})
        taken.add(rid)
        path = root / kind.path.replace("*", rid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, rid
