"""三审: a record may be `published` only when its three review stages are filled.

The rule applies to the kinds that editors write (their default status is
draft). Figures are the source's own numbers, published by default, and are
covered by the wording lint instead. Sample records are exempt: they are not
real content and `check --release` refuses them anyway.
"""
from __future__ import annotations

from ..problems import Problem
from ..records.loader import Record
from ..records.schema import Schema

STAGES = ("first", "second", "final")


def review_problems(schema: Schema, records: list[Record]) -> list[Problem]:
    stages = schema.structs["review"].fields
    problems = []
    for r in records:
        if not r.is_published or r.is_sample or r.kind.default_status != "draft":
            continue
        review = r["review"] if isinstance(r["review"], dict) else {}
        missing = [stages[s].label for s in STAGES if not isinstance(review.get(s), dict)]
        if missing:
            problems.append(Problem(
                r.path, r.line_of(("status",)), "status（状态）",
                f"状态为“已发布”（published），但缺少{'、'.join(missing)}：三审都在“三审记录”（review）中"
                f"填写后才能发布；未审完请把状态改为“待审”（status: review）"))
    return problems
