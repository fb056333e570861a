"""Names of people and units written one character wrong (刘延江 for
刘廷江): a serious wording error, a veto of the inspection.

The names are the titles of the records of kinds marked `audit: {names:
true}` in the model (members, units). A near-miss is a run of Chinese
characters of the same length as a name that differs from it in exactly one
character. To keep false alarms rare, which would block a release:
  - only names of at least MIN_LENGTH characters (two-character names have
    too many innocent neighbours);
  - for names of up to SHORT characters (people's names), not the first
    character: another surname is almost always another person;
  - not when both differing characters are numerals (第一党支部, 第二党支部);
  - only where the words of the line (jieba's segmentation, the names added
    to its words, as the wording lint does) begin and end with the near-miss:
    in 张三同志讲话, 张三同 is no misspelling of 张三丰;
  - not when the near-miss is itself a record's title (two real people),
    nor when wording/allow.yml lists it (the editors' way to say "this is
    another, real name").
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

MIN_LENGTH = 3
SHORT = 4
NUMERALS = set("〇零一二三四五六七八九十百千两0123456789")
# Chinese characters and the middle dot of transcribed names (巴特尔·那顺).
RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]+")
NAME_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]*"
                     r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HOLE = "\0"


@dataclass(frozen=True)
class NearMiss:
    written: str      # as written in the text
    name: str         # the record's title it nearly is
    column: int       # where in the line


class NameIndex:
    def __init__(self, names, known=(), allowed=()):
        """`names`: the titles checked; `known`: every title (never a
        near-miss); `allowed`: the allow list."""
        self.names = {n for n in names if len(n) >= MIN_LENGTH and NAME_RE.fullmatch(n)}
        self.skip = set(known) | set(self.names) | set(allowed)
        # Each name with one character blanked out: a window of the text
        # with the same character blanked out nearly matches it.
        self.holes: dict[str, list[str]] = defaultdict(list)
        self.lengths: set[int] = set()
        for name in self.names:
            self.lengths.add(len(name))
            for i in range(1 if len(name) <= SHORT else 0, len(name)):
                self.holes[name[:i] + HOLE + name[i + 1:]].append(name)
        self.lengths_sorted = sorted(self.lengths)
        # A window's first or last character is always one of the name's.
        self.ends = {(len(n), n[0]) for n in self.names} | {(len(n), n[-1]) for n in self.names}

    def find(self, line: str) -> list[NearMiss]:
        if not self.names:
            return []
        out = []
        for run in RUN_RE.finditer(line):
            text, start = run.group(), run.start()
            for p in range(len(text)):
                for size in self.lengths_sorted:
                    if p + size > len(text):
                        break
                    window = text[p:p + size]
                    if ((size, window[0]) not in self.ends and (size, window[-1]) not in self.ends) \
                            or window in self.skip:
                        continue
                    for i in range(size):
                        for name in self.holes.get(window[:i] + HOLE + window[i + 1:], ()):
                            if not (window[i] in NUMERALS and name[i] in NUMERALS) and "·" not in (window[i], name[i]):
                                out.append(NearMiss(window, name, start + p))
        if not out:
            return out
        bounds, pos = {0}, 0
        for token in self._tokenizer.cut(line, HMM=False):
            pos += len(token)
            bounds.add(pos)
        return [m for m in out if m.column in bounds and m.column + len(m.written) in bounds]

    @property
    def _tokenizer(self):
        # Loaded only for a line with a candidate (jieba's dictionary takes
        # about 0.6 s), with the names and the allowed words as words.
        from ..check.lint import _tokenizer
        return _tokenizer(tuple(sorted(self.skip)))
