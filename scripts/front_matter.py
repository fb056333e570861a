"""Hand-written pages under content/: their front matter must be valid YAML
with a text title, or mkdocs would stop on them with an English traceback."""
from __future__ import annotations

from pathlib import Path

from .problems import Problem
from .records import YamlFault, content_pages, parse_yaml, record_files
from .schema import load_schema

TEXT_KEYS = ("title", "description")


def front_matter_problems(root: Path) -> list[Problem]:
    # News posts are records, validated as such.
    posts = {p.relative_to(root).as_posix() for p in record_files(root, load_schema().kinds["news"])}
    problems = []
    for page in content_pages(root, skip=posts):
        if isinstance(page, Problem):
            problems.append(page)
            continue
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
