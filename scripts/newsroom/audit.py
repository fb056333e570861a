"""The audit trail (审核记录) of a content repository, and the facts of one
item's 信息发布审核单: who submitted, returned and approved what, when, with
which comment, whether each signed stage verifies, and which git commits
touched the record's file.

Built from what the repository itself holds, never from the newsroom's
database: the `review` block of each record file (its thread and signed
stages, verified with the public key of newsroom.yml) and the git history.
Plain Python (no Django), so the command line and print can use it too.

Fast enough for 10,000 records: the records are read once, and the git
history of all their files comes from one `git log --name-only` pass (not
one `git log --follow` per file). A record renamed in git starts a new
history under its new name: its id is its file name, so it is another record.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..problems import InputError
from ..records.loader import Record
from ..records.signatures import STAGE_LABELS, STAGES, content_hash, newsroom_key, verify
from . import repository, review

NEWSROOM_DOMAIN = "@newsroom"      # git authors of the newsroom: 名字 <account@newsroom>
OTHER_COMMIT = "其他提交"           # a commit not made by the newsroom (make save, git by hand)
NEWSROOM_COMMIT = "审稿系统提交"     # a newsroom commit no thread note accounts for (an edit, say)
# A thread note and the commit that wrote it: the note's time is taken just
# before the file is written and committed, under the repository's lock.
MATCH_WINDOW = dt.timedelta(minutes=5)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)   # where events without a time sort
VALID, INVALID, UNSIGNED, UNCHECKED = "签名有效", "签名无效", "未签名", "未核验"


@dataclass(frozen=True)
class Commit:
    id: str
    name: str
    email: str
    time: dt.datetime
    subject: str

    @property
    def account(self) -> str:
        """The newsroom account of a newsroom commit, "" for any other."""
        local, _, domain = self.email.rpartition("@")
        return local if local and "@" + domain == NEWSROOM_DOMAIN else ""


@dataclass(frozen=True)
class StageCheck:
    """One signed stage of a record as its file holds it, and what holds of it."""
    stage: str
    label: str
    by: str
    account: str
    date: str
    time: str
    comment: str
    hash: str
    signature: str          # VALID, INVALID, UNSIGNED or UNCHECKED (no newsroom.yml)
    current: bool           # its hash is the record's content now


@dataclass(frozen=True)
class Event:
    kind: str
    kind_label: str
    rid: str
    title: str
    path: str
    units: frozenset[str]
    time: dt.datetime | None
    by: str
    account: str
    action: str              # 提交, 初审通过, 复审退回, …, 审稿系统提交, 其他提交
    comment: str = ""
    signature: str = ""      # for approvals: VALID, INVALID, UNSIGNED or UNCHECKED
    commit: str = ""         # the git commit (full id), when known
    source: str = ""         # 审核记录 (the record file) or git
    seq: int = 0             # its place in the record's own order (ties within a second)

    @property
    def date(self) -> str:
        return self.time.date().isoformat() if self.time else ""

    @property
    def when(self) -> str:
        return self.time.strftime("%Y-%m-%d %H:%M:%S") if self.time else ""


@dataclass
class Filters:
    person: str = ""        # an account, or (part of) a name
    unit: str = ""          # a unit id, or (part of) a unit's name
    since: dt.date | None = None
    until: dt.date | None = None
    record: str = ""        # kind/id, an id, or part of a title

    def person_matches(self, e: Event) -> bool:
        q = self.person.strip().lower()
        return not q or q == e.account.lower() or (q in e.by.lower() if e.by else False)

    def date_matches(self, e: Event) -> bool:
        if self.since is None and self.until is None:
            return True
        if e.time is None:
            return False
        day = e.time.astimezone(review.TZ).date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass
class Trail:
    events: list[Event]
    key_problem: str = ""                    # newsroom.yml unusable: said in Chinese
    unit_names: dict[str, str] = field(default_factory=dict)


# --- git -------------------------------------------------------------------------

def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args],
                          capture_output=True, text=True, env=env)


def _time(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=review.TZ)


def history(root: Path, paths: list[str] | None = None) -> dict[str, list[Commit]]:
    """path -> its commits, newest first, in one pass over the history (of
    `paths` only, when given). Empty outside git or before the first commit."""
    fmt = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s"
    args = ["log", "--no-color", "--no-renames", f"--format={fmt}", "--name-only"]
    if paths is not None:
        # The folders of the records, not each file: the command line stays short.
        args += ["--", *sorted({p.rpartition("/")[0] or "." for p in paths})]
    done = _git(root, *args)
    if done.returncode != 0:
        return {}
    out: dict[str, list[Commit]] = {}
    for chunk in done.stdout.split("\x1e")[1:]:
        head, _, files = chunk.partition("\n")
        parts = head.split("\x1f")
        if len(parts) != 5:
            continue
        when = _time(parts[3])
        if when is None:
            continue
        commit = Commit(parts[0], parts[1], parts[2], when, parts[4])
        for name in files.splitlines():
            if name.strip():
                out.setdefault(name.strip(), []).append(commit)
    return out


def last_commit(root: Path, path: str) -> str:
    """The last commit that touched the file: the version a sheet describes."""
    done = _git(root, "log", "-1", "--format=%H", "--", path)
    return done.stdout.strip() if done.returncode == 0 else ""


# --- units -----------------------------------------------------------------------

def units_of(record: Record, units: set[str], members: dict[str, Record],
             account_units: dict[str, set[str]] | None = None) -> set[str]:
    """The units a record belongs to, by the newsroom's rule
    (repository.record_units), with the unit ids read once for all records;
    a news post (no unit field) belongs to the units of whoever first
    submitted it (review.owns), when the accounts' units are given."""
    if record.kind.name == "news":
        first = review.first_submitter(record)
        return set((account_units or {}).get(first, set())) & units if first else set()
    return repository.record_units(Path(), record, members, units)


# --- signatures ------------------------------------------------------------------

def public_key(root: Path):
    """(the newsroom's public key or None, a problem in Chinese or "")."""
    try:
        return newsroom_key(root), ""
    except InputError as e:
        return None, f"{e.problems[0]}：签名无法核验"


def stage_checks(record: Record, key) -> list[StageCheck]:
    """The signed stages in the record's file, each verified with `key`
    (None: the repository has no newsroom.yml, nothing to verify against)."""
    current = content_hash(record)
    out = []
    for stage, block in review.signed_stages(record).items():
        values = {f: "" if block.get(f) is None else str(block.get(f)).strip()
                  for f in ("by", "account", "date", "time", "comment", "hash", "signature")}
        if not values["signature"]:
            state = UNSIGNED
        elif key is None:
            state = UNCHECKED
        else:
            ok = verify(key, record.kind.name, record.id, values["hash"], stage, values["account"],
                        values["time"], values["signature"])
            state = VALID if ok else INVALID
        out.append(StageCheck(stage, STAGE_LABELS[stage], values["by"], values["account"],
                              values["date"] or values["time"][:10], values["time"], values["comment"],
                              values["hash"], state, values["hash"] == current))
    return out


# --- the trail -------------------------------------------------------------------

def record_events(record: Record, units: set[str], commits: list[Commit], key) -> list[Event]:
    """The events of one record: its thread and signed stages, each matched
    with the commit that wrote it; then the commits no note accounts for."""
    base = dict(kind=record.kind.name, kind_label=record.kind.label, rid=record.id, title=record.title,
                path=record.path, units=frozenset(units))
    checks = {c.stage: c for c in stage_checks(record, key)}
    unmatched = list(reversed(commits))       # oldest first, in git's order
    events: list[Event] = []
    noted: set[str] = set()

    def commit_for(account: str, when: dt.datetime | None) -> str:
        if when is None or not account:
            return ""
        for c in unmatched:
            if c.account == account and dt.timedelta(seconds=-5) <= c.time - when <= MATCH_WINDOW:
                unmatched.remove(c)
                return c.id
        return ""

    for note in review.thread(record):
        stage = str(note.get("stage") or "")
        action = str(note.get("action") or "")
        account = str(note.get("account") or "")
        when = _time(note.get("time"))
        signature = ""
        check = checks.get(stage)
        if action == review.APPROVE and check is not None and check.account == account \
                and check.time == str(note.get("time") or ""):
            signature = check.signature
            noted.add(stage)
        events.append(Event(**base, time=when, by=str(note.get("by") or ""), account=account,
                            action=STAGE_LABELS.get(stage, "") + action, comment=str(note.get("comment") or ""),
                            signature=signature, commit=commit_for(account, when), source="审核记录"))
    for stage, check in checks.items():
        if stage in noted:
            continue
        # A stage with no note of its own (typed by hand, or its note removed).
        when = _time(check.time or check.date)
        events.append(Event(**base, time=when, by=check.by, account=check.account,
                            action=check.label + review.APPROVE, comment=check.comment,
                            signature=check.signature, commit=commit_for(check.account, when), source="审核记录"))
    others = [Event(**base, time=c.time, by=c.name, account=c.account or c.email,
                    action=NEWSROOM_COMMIT if c.account else OTHER_COMMIT, comment=c.subject,
                    commit=c.id, source="git") for c in unmatched]
    # Many steps share a second: the thread's order and git's are kept (a
    # stable sort), a commit before a note of the same second (the draft
    # is committed before anyone submits it).
    ordered = sorted(others + events, key=lambda e: e.time or _EPOCH)
    return [replace(e, seq=n) for n, e in enumerate(ordered)]


def trail(root: Path, account_units: dict[str, set[str]] | None = None,
          records: list[Record] | None = None) -> Trail:
    """Every event of every record under review (the kinds of the 三审),
    newest first. account_units: account -> its units (the newsroom's
    database), which places news posts in their submitter's unit."""
    records = repository.records(root) if records is None else records
    unit_names = {r.id: r.title for r in records if r.kind.name == "unit"}
    units = set(unit_names) | repository.unit_ids(root)
    members = {r.id: r for r in records if r.kind.name == "member"}
    key, problem = public_key(root)
    commits = history(root, [r.path for r in records]) if records else {}
    events: list[Event] = []
    for r in records:
        events += record_events(r, units_of(r, units, members, account_units), commits.get(r.path, []), key)
    events.sort(key=lambda e: (e.time or _EPOCH, e.seq), reverse=True)
    return Trail(events, problem, unit_names)


def record_matches(query: str, e: Event) -> bool:
    q = query.strip()
    if not q:
        return True
    kind, slash, rid = q.partition("/")
    if slash:
        return e.kind == kind.strip() and e.rid == rid.strip()
    return q == e.rid or q.lower() in e.title.lower()


def unit_matches(query: str, e: Event, unit_names: dict[str, str]) -> bool:
    q = query.strip()
    if not q:
        return True
    return any(q == u or q in unit_names.get(u, "") for u in e.units)


def select(t: Trail, filters: Filters) -> list[Event]:
    """The events that pass every filter given."""
    return [e for e in t.events
            if filters.person_matches(e) and filters.date_matches(e)
            and record_matches(filters.record, e) and unit_matches(filters.unit, e, t.unit_names)]


# --- one item's sheet --------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """The facts of an item's 信息发布审核单 (print/review_sheet.py typesets it)."""
    title: str
    kind: str
    kind_label: str
    rid: str
    path: str
    status: str
    units: list[str]             # unit names
    author: str                  # the record's author field, when it has one
    submitter: str               # 名字（账号） of the latest submission
    submitted: str               # its time
    stages: list[dict]           # one per stage of STAGES, empty values when not signed
    content_hash: str
    commit: str
    key_problem: str = ""

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}




def sheet(root: Path, record: Record, account_units: dict[str, set[str]] | None = None,
          records: list[Record] | None = None) -> Sheet:
    """The 审核单 of one record as its file and git hold it now."""
    records = repository.records(root) if records is None else records
    unit_names = {r.id: r.title for r in records if r.kind.name == "unit"}
    members = {r.id: r for r in records if r.kind.name == "member"}
    units = units_of(record, set(unit_names) | repository.unit_ids(root), members, account_units)
    key, problem = public_key(root)
    checks = {c.stage: c for c in stage_checks(record, key)}
    stages = []
    for stage in STAGES:
        c = checks.get(stage)
        stages.append({"stage": stage, "label": STAGE_LABELS[stage], "by": c.by if c else "",
                       "account": c.account if c else "", "date": c.date if c else "",
                       "time": _clock(c.time) if c else "", "comment": c.comment if c else "",
                       "signature": c.signature if c else "", "current": c.current if c else False,
                       "hash": c.hash if c else ""})
    submit = next((n for n in reversed(review.thread(record)) if n.get("action") == review.SUBMIT), None)
    author = record["author"]
    return Sheet(
        title=record.title, kind=record.kind.name, kind_label=record.kind.label, rid=record.id, path=record.path,
        status=record.kind.fields["status"].value_label(record.status),
        units=sorted(unit_names.get(u, u) for u in units),
        author=author if isinstance(author, str) else "",
        submitter=f"{submit.get('by') or ''}（{submit.get('account') or ''}）" if submit else "",
        submitted=_clock(str(submit.get("time") or "")) if submit else "",
        stages=stages, content_hash=content_hash(record), commit=last_commit(root, record.path),
        key_problem=problem)


def _clock(text: str) -> str:
    """2026-12-06T10:15:00+08:00 → 2026-12-06 10:15:00 (Beijing time)."""
    t = _time(text)
    return t.astimezone(review.TZ).strftime("%Y-%m-%d %H:%M:%S") if t else text


def find(root: Path, query: str) -> Record:
    """The record of `kind/id` or of an id only one kind under review has;
    raises LookupError with a Chinese message otherwise."""
    kind, slash, rid = query.strip().partition("/")
    if not slash:
        kind, rid = "", query.strip()
    kinds = [kind] if kind else list(repository.workflow_kinds(root))
    if kind and kind not in repository.workflow_kinds(root):
        raise LookupError(f"没有“{kind}”这种需要三审的记录类型（可用：{'、'.join(repository.workflow_kinds(root))}）")
    try:
        found = [r for r in (repository.find_record(root, k, rid) for k in kinds) if r is not None]
    except repository.RepositoryError as e:
        raise LookupError(str(e)) from None
    if not found:
        raise LookupError(f"没有编号为“{rid}”的需要三审的记录")
    if len(found) > 1:
        names = "、".join(f"{r.kind.name}/{r.id}（{r.kind.label}）" for r in found)
        raise LookupError(f"编号“{rid}”有多条记录：{names}；请写成 类型/编号")
    return found[0]

