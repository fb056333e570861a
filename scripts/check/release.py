"""`check --release`: the gate before publishing, on top of `check`.

Refuses sample records, published pages that link to records not yet
published, unset registration fields of the footer (mkdocs.yml `extra:`),
and (through `check`) photos without alt text.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import ConfigurationError

from ..problems import Problem
from ..records.loader import Page, Record
from ..records.relations import Relations
from ..site_config import site_config

FOOTER_KEYS = {
    "icp_beian": "ICP 备案号",
    "police_beian": "公安机关备案号",
    "site_code": "网站标识码",
    "contact": "联系方式",
}
MD_LINK_RE = re.compile(r"\]\(([^)\s#]+\.md)(?:#[^)]*)?\)")


def footer_problems(root: Path) -> list[Problem]:
    try:
        extra = site_config(root).get("extra")
    except ConfigurationError:
        return [Problem("mkdocs.yml", 1, "", "mkdocs.yml 格式错误，无法读取页脚备案信息")]
    extra = extra if isinstance(extra, dict) else {}
    # The parsed config has no line numbers: find the key in the text.
    lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()

    def line_of(key: str) -> int:
        for n, line in enumerate(lines, 1):
            if re.match(rf"\s+{key}\s*:", line):
                return n
        return next((n for n, line in enumerate(lines, 1) if line.startswith("extra:")), 1)

    return [Problem("mkdocs.yml", line_of(key), f"extra.{key}",
                    f"{label}尚未填写：政府网站页脚必须显示{label}，请在 mkdocs.yml 的 extra 下填写")
            for key, label in FOOTER_KEYS.items() if not str(extra.get(key) or "").strip()]


def markdown_links(records: list[Record], pages: list[Page]) -> list[tuple[str, int, str, str]]:
    """(path, line, field, target doc path) of every Markdown link in a published
    record's body and in the hand-written pages."""
    out = []
    sources = [(r.path, r.body_line, r.body, r) for r in records if r.is_published and r.body]
    sources += [(page.path, page.body_line, page.body, None) for page in pages]
    for rel, first, text, record in sources:
        doc = record.kind.doc_path(record.id) if record else posixpath.relpath(rel, "content")
        for n, line in enumerate(text.splitlines(), first):
            for m in MD_LINK_RE.finditer(line):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), m.group(1)))
                out.append((rel, n, "正文", target))
    return out


def unpublished_link_problems(records: list[Record], pages: list[Page]) -> list[Problem]:
    """Published pages that link to records the public site will not have."""
    relations = Relations(records)
    by_doc = {r.kind.doc_path(r.id): r for r in records if not r.kind.is_list_file}
    problems = []
    for r in records:
        if not r.is_published:
            continue
        for link in relations.links(r):
            target = link.target
            if not target.is_published:
                field = link.path[0]
                problems.append(Problem(
                    r.path, r.line_of(link.path), field,
                    f"已发布的记录链接到尚未发布（{target.status}）的“{target.title}”"
                    f"（{target.path}）：请先审核发布它，或去掉这个链接"))
    for rel, line, field, target in markdown_links(records, pages):
        r = by_doc.get(target)
        if r is not None and not r.is_published:
            problems.append(Problem(rel, line, field,
                                    f"链接到尚未发布（{r.status}）的“{r.title}”（{r.path}）：公开网站上这个链接会失效"))
    return problems


def sample_problems(records: list[Record]) -> list[Problem]:
    return [Problem(r.path, r.line_of(("sample",)), "sample（示例记录）",
                    f"“{r.title}”是示例记录：正式发布前请换成真实内容或删除")
            for r in records if r.is_sample]


def release_problems(root: Path, records: list[Record], pages: list[Page]) -> list[Problem]:
    """`records` and `pages`: as `check` read them (it reports the files it could not read)."""
    return sample_problems(records) + unpublished_link_problems(records, pages) + footer_problems(root)
