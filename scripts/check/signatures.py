"""三审 by identity: in a repository that uses the newsroom (newsroom.yml),
a published record counts as reviewed only if the newsroom signed its three
stages, by three different accounts, in order, over its current content.

Names typed into `review:` prove nothing; see scripts/records/signatures.py
for what is signed and why. The records checked are those of review.py (the
kinds editors write, not samples); review.py still reports a missing stage.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..problems import InputError, Problem
from ..records.loader import Record
from ..records.signatures import STAGE_LABELS, STAGES, content_hash, newsroom_key, verify

SIGNED = ("account", "time", "hash", "signature")
FIELD_LABELS = {"account": "审核账号", "time": "审核时间", "hash": "内容摘要", "signature": "签名"}
RESUBMIT = "请在审稿系统中重新送审"


def signature_problems(root: Path, records: list[Record]) -> list[Problem]:
    try:
        key = newsroom_key(root)
    except InputError as e:
        return e.problems
    if key is None:
        return []
    problems: list[Problem] = []
    for r in records:
        if r.is_published and not r.is_sample and r.kind.default_status == "draft":
            problems += _record_problems(key, r)
    return problems


def _time(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def _record_problems(key, r: Record) -> list[Problem]:
    review = r["review"] if isinstance(r["review"], dict) else {}
    problems = []

    def problem(stage: str, message: str) -> None:
        problems.append(Problem(r.path, r.line_of(("review", stage)),
                                f"review.{stage}（{STAGE_LABELS[stage]}）", message))

    signed: dict[str, dict[str, str]] = {}   # stage -> its verified fields
    for stage in STAGES:
        block = review.get(stage)
        if not isinstance(block, dict):
            continue  # review.py names the missing stage
        values = {f: "" if block.get(f) is None else str(block.get(f)).strip() for f in SIGNED}
        missing = [f for f in SIGNED if not values[f]]
        if len(missing) == len(SIGNED):
            problem(stage, "没有审稿系统的签名：本仓库的三审须在审稿系统中由审核人登录完成，"
                           f"手工填写的审核记录不算数；{RESUBMIT}")
            continue
        if missing:
            names = "、".join(f"{f}（{FIELD_LABELS[f]}）" for f in missing)
            problem(stage, f"缺少{names}：审核信息不完整，不能确认由谁审核；{RESUBMIT}")
            continue
        if not verify(key, r.kind.name, r.id, values["hash"], stage, values["account"],
                      values["time"], values["signature"]):
            problem(stage, "签名无效：签名与本记录的编号、审核阶段、审核账号、审核时间或内容摘要不符"
                           "（审核信息被手工改动过，或签名是从其他记录、其他审核阶段复制来的）；"
                           f"{RESUBMIT}")
            continue
        when = _time(values["time"])
        if when is None:
            problem(stage, f"审核时间“{values['time']}”不是带时区的时间（如 2026-12-06T10:15:00+08:00）；"
                           f"{RESUBMIT}")
            continue
        date = block.get("date")
        if date is not None and str(date) != when.date().isoformat():
            # The date is shown to reviewers but not signed: it must agree
            # with the signed time, or it could be changed at will.
            problem(stage, f"审核日期“{date}”与签名的审核时间“{values['time']}”不符："
                           "审核日期由审稿系统填写，请勿手改")
        signed[stage] = {**values, "when": when}

    current = content_hash(r)
    changed = [s for s in STAGES if s in signed and signed[s]["hash"] != current]
    if changed:
        # The latest stage that approved other content is the one the edit
        # came after; the earlier ones say nothing more.
        last = changed[-1]
        problem(last, f"{STAGE_LABELS[last]}后记录被修改：记录的正文或字段已不是{STAGE_LABELS[last]}"
                      f"签名时的内容（三审须针对同一内容）；{RESUBMIT}")

    seen: dict[str, str] = {}
    previous = None
    for stage in STAGES:
        if stage not in signed:
            continue
        account, when = signed[stage]["account"], signed[stage]["when"]
        if account in seen:
            problem(stage, f"账号“{account}”已签署{STAGE_LABELS[seen[account]]}，同一账号不能签署"
                           f"两个审核阶段：三审须由三个不同的人完成；{RESUBMIT}")
        else:
            seen[account] = stage
        if previous and when < signed[previous]["when"]:
            problem(stage, f"{STAGE_LABELS[stage]}时间“{signed[stage]['time']}”早于"
                           f"{STAGE_LABELS[previous]}时间“{signed[previous]['time']}”：三审须依次进行；{RESUBMIT}")
        previous = stage
    return problems
