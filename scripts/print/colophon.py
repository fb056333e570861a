"""What a printed document says about itself: from which version of the
records it was made, and when.

The time is SOURCE_DATE_EPOCH when set (reproducible builds), else the date
of the last commit, as the web build does (scripts/build/swap.py): the same
records print the same bytes. Outside git it is the time of printing, and the
colophon says the records are not under version control.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

# The department's clock: dates on the cover and in the colophon are Beijing time.
BEIJING = timezone(timedelta(hours=8), "北京时间")
_DIGITS = "〇一二三四五六七八九"
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Colophon:
    commit: str        # short hash, "" outside git
    dirty: bool        # the records differ from that commit
    epoch: int         # seconds since 1970 (UTC)

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.epoch, BEIJING)

    @property
    def cover_date(self) -> str:
        """二〇二六年十一月, as official documents date their covers."""
        d = self.when
        return "".join(_DIGITS[int(c)] for c in str(d.year)) + "年" + cn_number(d.month) + "月"

    @property
    def stamp(self) -> str:
        d = self.when
        return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}（北京时间）"

    @property
    def iso(self) -> str:
        return datetime.fromtimestamp(self.epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (1 to 99): headings and months."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def colophon(root: Path) -> Colophon:
    # Only a repository of its own: a folder inside another one (a synthetic
    # site under .build/) is not that repository's content.
    top = _git(root, "rev-parse", "--show-toplevel")
    own = bool(top) and os.path.realpath(top) == os.path.realpath(root)
    commit = (_git(root, "rev-parse", "--short=12", "HEAD") or "") if own else ""
    dirty = bool(commit) and bool(_git(root, "status", "--porcelain", "--", "exemplars", "content", "media"))
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given.isdigit():
        epoch = int(given)
    else:
        last = _git(root, "log", "-1", "--format=%ct") if commit else None
        epoch = int(last) if last and last.isdigit() else int(time.time())
    return Colophon(commit, dirty, epoch)
