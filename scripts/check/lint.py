"""Wording lint: the wrong forms listed in wording/typos.yml, found on word
boundaries in every record file and content page.

A wrong form is flagged only where jieba's segmentation starts and ends a token
at both of its ends, so 风彩 is flagged in 风彩大赛 but not in 和风彩云 (和/风/彩云).
The wrong forms are added to a private jieba dictionary (not jieba's global
one) so that they segment as words. Findings are errors: serious
typos are a single-item veto in the inspection of government websites.
"""
from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import yaml

from ..problems import Problem

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORDING = "wording"
KEY_RE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:")


def _word_file(root: Path, name: str) -> Path:
    """The repository's own list, or the project's for a repository without one."""
    own = root / WORDING / name
    return own if own.exists() else PROJECT_ROOT / WORDING / name


class WordListError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _read_list(root: Path, name: str, kind: type):
    path = _word_file(root, name)
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else f"{WORDING}/{name}"
    example = "每行一条“错误写法: 正确写法”" if kind is dict else "每行一个以“- ”开头的词语"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as e:
        line = (e.problem_mark or e.context_mark).line + 1 if (e.problem_mark or e.context_mark) else 1
        raise WordListError(Problem(rel, line, "", f"格式错误，无法读取：{example}")) from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise WordListError(Problem(rel, 1, "", f"格式错误，无法读取：{example}")) from None
    if data is None:
        return kind()
    if not isinstance(data, kind):
        raise WordListError(Problem(rel, 1, "", f"格式不对：{example}"))
    return data


def load_lists(root: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    typos = _read_list(root, "typos.yml", dict)
    allow = _read_list(root, "allow.yml", list)
    return {str(k): str(v) for k, v in typos.items()}, tuple(str(a) for a in allow)


@functools.cache
def _tokenizer(words: tuple[str, ...]):
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for w in words:
        tok.add_word(w)
    return tok


class Linter:
    def __init__(self, typos: dict[str, str], allow: tuple[str, ...]):
        self.typos, self.allow = typos, allow
        self._any_wrong = re.compile("|".join(map(re.escape, typos))) if typos else None

    @functools.cached_property
    def tok(self):
        # jieba's dictionary takes about 0.6 s to load: loaded only once a
        # text holds a wrong form at all, which most texts never do.
        return _tokenizer(tuple(sorted({*self.typos, *self.allow})))

    def may_have_findings(self, text: str) -> bool:
        return bool(self._any_wrong and self._any_wrong.search(text))

    def findings(self, line: str) -> list[tuple[str, str]]:
        """(wrong, right) for each wrong form standing as whole words in line."""
        hits = [w for w in self.typos if w in line]
        if not hits:
            return []
        bounds, pos = {0}, 0
        for token in self.tok.cut(line, HMM=False):
            pos += len(token)
            bounds.add(pos)
        allowed = [(m.start(), m.end()) for a in self.allow for m in re.finditer(re.escape(a), line)]
        out = []
        for wrong in hits:
            for m in re.finditer(re.escape(wrong), line):
                s, e = m.start(), m.end()
                if s in bounds and e in bounds and not any(a <= s and e <= b for a, b in allowed):
                    out.append((wrong, self.typos[wrong]))
                    break
        return out


def lint(root: Path, texts: dict[str, str]) -> list[Problem]:
    """Wrong forms in the given files' texts ({path relative to root: text}):
    every record file and hand-written page, as the run read them."""
    try:
        linter = Linter(*load_lists(root))
    except WordListError as e:
        return [e.problem]
    problems = []
    for rel, text in texts.items():
        if not linter.may_have_findings(text):
            continue
        markdown = rel.endswith(".md")
        in_front = markdown and text.startswith("---")
        field = "" if in_front or not markdown else "正文"
        for n, line in enumerate(text.splitlines(), 1):
            if in_front and n > 1 and line.rstrip() == "---":
                in_front, field = False, "正文"
                continue
            if field != "正文":
                m = KEY_RE.match(line)
                field = m.group(1) if m else field
            for wrong, right in linter.findings(line):
                problems.append(Problem(rel, n, field, f"“{wrong}”应为“{right}”（错别字或不规范表述）"))
    return problems
