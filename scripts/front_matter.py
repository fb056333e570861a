"""Hand-written pages under content/: their front matter must be valid YAML
with a text title, or mkdocs would stop on them with an English traceback."""
from __future__ import annotations

from pathlib import Path

from .problems import Problem
from .records import YamlFault, parse_yaml, read_text, split_front_matter
from .schema import load_schema

TEXT_KEYS = ("title", "description")


def front_matter_problems(root: Path) -> list[Problem]:
    posts = root / Path(load_schema().kinds["news"].path).parent
    problems = []
    for path in sorted((root / "content").rglob("*.md")):
        if path.parent == posts:
            continue  # news posts are records, validated as such
        rel = path.relative_to(root).as_posix()
        try:
            text = read_text(path, rel)
            if not text.startswith("---"):
                continue  # front matter is optional on a page
            front, _, _ = split_front_matter(text)
            data, lines = parse_yaml(front, offset=1)
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
