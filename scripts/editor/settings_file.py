"""The settings file (site_config.SETTINGS_FILE) as the workbench writes it:
the layout and Chinese comments of the shipped file, whatever Decap sends
(its YAML has no comments), so that a department editing the file by hand
after a save in the form still finds every explanation in place.

Known settings in SETTINGS' order, each under its comment; keys the file has
that SETTINGS does not know (a developer's addition) kept after them, as
they were. Only plain YAML is read (safe_load): a Python tag is refused.
"""
from __future__ import annotations

from typing import Any

import yaml

from ..site_config import SETTINGS, SETTINGS_FILE
from .record_file import scalar

HEADER = """\
# 网站设置：由组织部填写的网站信息（网址、主办单位、联系方式、备案号、网站标识、相关链接）。
# 在编辑工作台（make edit）左侧“网站设置”里可以用表单填写，也可以直接改这个文件。
# 写法：每行“名称: 内容”，冒号后面空一格；内容为空时写 ""，网页页脚会显示“待填写”。
# 正式上线前，make release 会逐项检查这里的内容，并指出哪一行没有填写。
# 网站的其他设置（栏目、主题）在 mkdocs.yml 中，由技术人员维护；它读取本文件（INHERIT）。
"""


class SettingsError(ValueError):
    """Text that is not a settings file; the message is for the editor."""


def parse(text: str) -> dict:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "格式"
        raise SettingsError(f"{SETTINGS_FILE} 无法读取（{where}有误）") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("extra", {}) or {}, dict):
        raise SettingsError(f"{SETTINGS_FILE} 应为“名称: 内容”的形式")
    return data


def _value(value: Any) -> str:
    return '""' if value is None or value == "" else scalar(value)


def _comment(hint: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" for line in hint.splitlines()] if hint else []


def _links(value: Any, indent: str) -> list[str]:
    out = []
    for item in value:
        if isinstance(item, dict):
            pairs = [(k, item.get(k)) for k in ("name", "url")] + \
                    [(k, v) for k, v in item.items() if k not in ("name", "url")]
            for n, (k, v) in enumerate(pairs):
                out.append(f"{indent}{'- ' if n == 0 else '  '}{k}: {_value(v)}")
        else:
            out.append(f"{indent}- {_value(item)}")
    return out


def _rest(data: dict, indent: str) -> list[str]:
    if not data:
        return []
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20, default_flow_style=False)
    return [indent + line if line else line for line in text.rstrip("\n").split("\n")]


def settings_text(data: dict) -> str:
    """The file for these settings."""
    data = dict(data)
    extra = dict(data.pop("extra", None) or {})
    lines = HEADER.rstrip("\n").split("\n")
    top = [s for s in SETTINGS if "." not in s.key]
    for s in top:
        lines += [""] + _comment(s.hint, "") + [f"{s.key}: {_value(data.pop(s.key, ''))}"]
    lines += ["", "extra:"]
    for s in SETTINGS:
        if not s.key.startswith("extra."):
            continue
        value = extra.pop(s.name, [] if s.widget == "links" else "")
        lines += _comment(s.hint, "  ")
        if s.widget == "links" and isinstance(value, list):
            items = _links(value, "    ")
            lines += [f"  {s.name}:" + ("" if items else " []")] + items
        else:
            lines.append(f"  {s.name}: {_value(value)}")
    lines += _rest(extra, "  ")
    if data:
        lines += [""] + _rest(data, "")
    return "\n".join(lines) + "\n"


def settings_to_disk(raw: str, old_text: str | None) -> str:
    """The file for the form's text `raw`, keeping what the old file has that
    the form does not show."""
    form, old = parse(raw), parse(old_text or "")
    # mkdocs.yml inherits this file: any other top-level key would be MkDocs
    # configuration (hooks, theme, markdown_extensions…) written from a
    # browser. Only the form's settings may change; others stay as they were.
    shown = {s.key for s in SETTINGS if "." not in s.key} | {"extra"}
    for key, value in form.items():
        if key not in shown and (key not in old or old[key] != value):
            raise SettingsError(f"“{key}”不是表单中的网站设置，不能在工作台修改"
                                "（网站的其他设置在 mkdocs.yml 中，由技术人员维护）")
    merged = {**old, **{k: v for k, v in form.items() if k != "extra"}}
    merged["extra"] = {**(old.get("extra") or {}), **(form.get("extra") or {})}
    return settings_text(merged)
