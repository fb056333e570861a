"""The rules of 三审, as the server enforces them: who may submit a record,
who may sign or return each stage, and what each action writes into the
record (its status and its `review:` block).

Pure functions over a record's data and a Person, free of Django and git, so
that the rules read in one place; views.py runs them under the repository's
lock on the record as just read from its file, then commits the result.

    submit   draft → review; the stages of an earlier round are cleared
    approve  the next stage (初审, then 复审, then 终审) signed by its role;
             终审 makes the record published
    return   review → draft, with the comment, every stage cleared

Nobody reviews an item they submitted (in any round); no account signs two
stages of one item; only holders of a stage's role sign it.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..records.loader import Record
from ..records.signatures import STAGE_LABELS, STAGES, content_hash, sign
from .roles import CONTRIBUTOR, EDITOR, STAGE_ROLE

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")
SUBMIT, RETURN, APPROVE = "提交", "退回", "通过"   # review_note.action in schema.yaml
COMMENT_MAX = 1000                               # review_stage.comment in schema.yaml


class Refused(Exception):
    """An action the rules do not allow; the message says why, in Chinese."""


@dataclass(frozen=True)
class Person:
    account: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    units: frozenset[str] = field(default_factory=frozenset)


def now() -> str:
    return dt.datetime.now(TZ).isoformat(timespec="seconds")


def review_block(record: Record) -> dict:
    return record["review"] if isinstance(record["review"], dict) else {}


def thread(record: Record) -> list[dict]:
    items = review_block(record).get("thread")
    return [t for t in items if isinstance(t, dict)] if isinstance(items, list) else []


def submitters(record: Record) -> set[str]:
    return {str(t.get("account")) for t in thread(record) if t.get("action") == SUBMIT and t.get("account")}


def first_submitter(record: Record) -> str | None:
    for t in thread(record):
        if t.get("action") == SUBMIT and t.get("account"):
            return str(t["account"])
    return None


def signed_stages(record: Record) -> dict[str, dict]:
    review = review_block(record)
    return {s: review[s] for s in STAGES if isinstance(review.get(s), dict)}


def pending_stage(record: Record) -> str | None:
    """The stage a record under review waits for (None when not under review)."""
    if record.status != "review":
        return None
    done = signed_stages(record)
    return next((s for s in STAGES if s not in done), None)


def owns(person: Person, record: Record, units: set[str]) -> bool:
    """Whether a contributor speaks for this record: it belongs to one of their
    units; a news post (no unit field) if they authored it: they submitted it
    first, or, before anyone did, its `author` names them."""
    if units:
        return bool(units & person.units)
    if record.kind.name != "news" or not person.units:
        return False
    first = first_submitter(record)
    if first is not None:
        return first == person.account
    author = record["author"]
    return isinstance(author, str) and len(person.name) >= 2 and person.name in author


def may_submit(person: Person, record: Record, units: set[str]) -> None:
    if record.status != "draft":
        raise Refused(f"这篇稿件的状态是“{record.kind.fields['status'].value_label(record.status)}”，只有草稿（draft）才能送审")
    if EDITOR in person.roles:
        return
    if CONTRIBUTOR not in person.roles:
        raise Refused("您没有送审稿件的权限（需要“撰稿”或“编辑”角色）")
    if not owns(person, record, units):
        raise Refused("只能送审本单位的稿件（工作动态：本人撰写的稿件）；这篇稿件不属于您所在的单位")


def _may_review(person: Person, record: Record, expected: str | None) -> str:
    if record.status != "review":
        raise Refused(f"这篇稿件的状态是“{record.kind.fields['status'].value_label(record.status)}”，不在审核中")
    pending = pending_stage(record)
    if pending is None:
        raise Refused("这篇稿件的三审已全部完成")
    if expected is not None and expected != pending:
        raise Refused(f"稿件状态已变化：现在等待{STAGE_LABELS[pending]}，请刷新页面后再操作")
    role = STAGE_ROLE[pending]
    if role not in person.roles:
        raise Refused(f"只有持有“{role}”角色的人才能进行{STAGE_LABELS[pending]}")
    if person.account in submitters(record):
        raise Refused("您提交过这篇稿件，不能审核自己提交的稿件")
    for done, block in signed_stages(record).items():
        if str(block.get("account")) == person.account:
            raise Refused(f"您已签署这篇稿件的{STAGE_LABELS[done]}，同一人不能签署两个审核阶段")
    return pending


def may_approve(person: Person, record: Record, expected: str | None = None) -> str:
    """The stage the person may sign now; raises Refused otherwise."""
    return _may_review(person, record, expected)


def may_return(person: Person, record: Record, expected: str | None = None) -> str:
    return _may_review(person, record, expected)


def _comment(text: str | None, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise Refused("退回时请写明意见：哪里需要修改")
    if len(text) > COMMENT_MAX:
        raise Refused(f"意见太长（{len(text)} 字），请限于 {COMMENT_MAX} 字以内")
    return text


def _note(person: Person, time: str, action: str, stage: str | None, comment: str) -> dict:
    note = {"by": person.name, "account": person.account, "time": time}
    if stage:
        note["stage"] = stage
    note["action"] = action
    if comment:
        note["comment"] = comment
    return note


def _with_review(record: Record, stages: dict, notes: list[dict], status: str) -> dict:
    data = copy.deepcopy(record.data)
    review = {**stages}
    if notes:
        review["thread"] = notes
    data.pop("review", None)
    if review:
        data["review"] = review
    data["status"] = status
    return data


def submit(person: Person, record: Record, units: set[str], comment: str = "") -> dict:
    """The record's new data after submitting it for review."""
    may_submit(person, record, units)
    note = _note(person, now(), SUBMIT, None, _comment(comment, False))
    return _with_review(record, {}, copy.deepcopy(thread(record)) + [note], "review")


def return_item(person: Person, record: Record, comment: str, expected: str | None = None) -> dict:
    stage = may_return(person, record, expected)
    note = _note(person, now(), RETURN, stage, _comment(comment, True))
    return _with_review(record, {}, copy.deepcopy(thread(record)) + [note], "draft")


def approve(person: Person, record: Record, private_key, comment: str = "",
            expected: str | None = None, written: Record | None = None) -> tuple[str, dict]:
    """(the stage signed, the record's new data): the stage carries the
    person, the time, the content hash and the newsroom's signature over them
    (scripts/records/signatures.py). written: the record as its file will read
    back after writing (repository.as_written), whose content is signed."""
    stage = may_approve(person, record, expected)
    comment = _comment(comment, False)
    time = now()
    digest = content_hash(written or record)
    for done, block in signed_stages(record).items():
        if block.get("hash") != digest:
            # The earlier signature would no longer hold (check refuses it):
            # the content changed after that stage and must go round again.
            raise Refused(f"稿件在{STAGE_LABELS[done]}之后被修改过，{STAGE_LABELS[done]}的签名已不相符："
                          f"请退回，由撰稿人重新送审")
    block = {"by": person.name, "date": time[:10], "account": person.account, "time": time}
    if comment:
        block["comment"] = comment
    block["hash"] = digest
    block["signature"] = sign(private_key, record.kind.name, record.id, digest, stage, person.account, time)
    stages = {s: copy.deepcopy(b) for s, b in signed_stages(record).items()}
    stages[stage] = block
    status = "published" if stage == STAGES[-1] else "review"
    notes = copy.deepcopy(thread(record)) + [_note(person, time, APPROVE, stage, comment)]
    return stage, _with_review(record, stages, notes, status)


def on_final_approval(record: Record) -> None:
    """The hook after 终审: the record is published in the repository. The
    site itself is published by views.act through publishing.py when
    NEWSROOM_DEPLOY_TARGET is set (Django's settings stay out of the rules);
    otherwise at the administrator's next `make publish`."""
    log.info("终审通过，已标为发布：%s（%s）", record.title, record.path)
