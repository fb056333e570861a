"""Problems found in the editors' input, reported as `path:line: 字段: message`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str           # relative to the repository root
    line: int
    field: str          # "" when the problem is about the whole file
    message: str        # Chinese, for editors
    level: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        tag = "" if self.level == "error" else "（提醒）"
        return f"{where}: {self.field}: {tag}{self.message}" if self.field \
            else f"{where}: {tag}{self.message}"


class InputError(Exception):
    """Raised with the problems that stop a build; the CLI prints them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
