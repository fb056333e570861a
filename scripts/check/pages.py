"""Bodies and pages: no unsafe markup in any record's body or hand-written
page; the front matter of content/'s pages valid, with a text title (else
mkdocs would stop with an English traceback); page titles that MkDocs prints
unescaped (a title from the first heading, a news category's name) plain."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ..problems import Problem
from ..records.loader import Page, Record
from ..records.yaml_reader import YamlFault, parse_yaml
from .safety import body_problems, rendered_html

TEXT_KEYS = ("title", "description")
_MARKUP_CHARS = re.compile(r"[<>&\"'/\\]")


def body_safety_problems(root: Path, records: list[Record], pages: list[Page]) -> list[Problem]:
    """Unsafe markup in record bodies and in the hand-written pages of content/."""
    mkdocs_yml = root / "mkdocs.yml"
    problems = []
    for r in records:
        if r.body:
            problems += body_problems(r.body, r.path, r.body_line, mkdocs_yml)
    for page in pages:
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


def front_matter_problems(pages: list[Page]) -> list[Problem]:
    problems = []
    for page in pages:
        rel = page.path
        try:
            data, lines = parse_yaml(page.front, offset=1)  # no front matter: None
        except YamlFault as fault:
            problems.append(Problem(rel, fault.line, "", fault.message))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, 2, "", "页面开头的信息块应由“字段: 值”组成"))
            continue
        for key in TEXT_KEYS:
            if key in data and not isinstance(data[key], str):
                problems.append(Problem(rel, lines.get((key,), 2), key, "应为一行文字"))
    return problems


def category_problems(records: list[Record]) -> list[Problem]:
    """Each news category has a page of its own, named and titled by it: keep
    names plain text, fit for a title and a folder name."""
    problems = []
    for r in records:
        for i, name in enumerate(r["categories"] or [] if r.kind.name == "news" else []):
            if isinstance(name, str) and _MARKUP_CHARS.search(name):
                problems.append(Problem(r.path, r.line_of(("categories", i)), f"categories[{i + 1}]（分类）",
                                        "分类名不能含 < > & \" ' / \\ 符号（分类名也是页面标题和网址）"))
    return problems
