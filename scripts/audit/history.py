"""When the repository's files came, from git: the day a file was first
committed, following renames (what `git log --follow --diff-filter=A
--format=%aI -- <file>` says, for every file in one run of git, oldest
first). Author dates, read as days in China.

A file not yet committed counts as coming today: it can reach the site no
earlier. A folder that is not a git repository (or has no commit) has no
history: the rules that need it say they were not checked.
"""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from .clock import day_of

MARK = "\x01"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True,
                              text=True, encoding="utf-8", errors="replace")
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


class History:
    def __init__(self, root: Path, today: date):
        self.root, self.today = root, today
        self._added: dict[str, date] = {}
        self.is_git = _git(root, "rev-parse", "--verify", "-q", "HEAD") is not None
        if self.is_git:
            self._read()

    def _read(self) -> None:
        # Oldest first, so that a rename carries the first day of the file it
        # renames, and a file deleted and added again keeps its first day.
        log = _git(self.root, "log", "--reverse", "--relative", "-M", "--name-status", "--no-merges",
                   f"--format={MARK}%aI") or ""
        day = None
        for line in log.splitlines():
            if line.startswith(MARK):
                day = day_of(line[1:])
                continue
            parts = line.split("\t")
            if day is None or len(parts) < 2:
                continue
            status, path = parts[0], parts[-1]
            if status.startswith("R") and len(parts) == 3:
                self._added.setdefault(path, self._added.get(parts[1], day))
            elif status.startswith(("A", "C")):
                self._added.setdefault(path, day)

    def added(self, rel: str) -> date | None:
        """The day the file was first committed (today if it is not yet);
        None without a git history."""
        if not self.is_git:
            return None
        return self._added.get(rel) or self.today
