"""数说党建: figures drawn in one chart must share a unit, or the bars would lie."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from ..problems import Problem


def chart_problems(figures: Iterable) -> list[Problem]:
    """Figures drawn in one chart must share a unit, or the bars would lie."""
    problems = []
    groups: dict[str, list] = {}
    for r in figures:
        if r.kind.name == "figure" and r["chart"]:
            groups.setdefault(r["chart"], []).append(r)
    for key, rows in groups.items():
        common = Counter(r["unit"] or "" for r in rows).most_common(1)[0][0]
        for r in rows:
            if (r["unit"] or "") != common:
                problems.append(Problem(
                    r.path, r.line_of(("unit",)), "unit（计量单位）",
                    f"图表分组“{key}”中的数字计量单位须相同：这一条是“{r['unit'] or '（空）'}”，"
                    f"同组其他条是“{common or '（空）'}”。请改正计量单位，或把这一条的 chart 改为另一个分组"))
    return problems
