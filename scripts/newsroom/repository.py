"""The content repository as the newsroom sees it: the records under review,
and the one way it changes them: the record file written in the model's
order, then one git commit authored by the person who acted.

The repository is the single source of truth: a record's status and its
whole review (signed stages and the thread of comments) are in its file.
Every change happens under one file lock, so that two gunicorn workers
never interleave a read-check-write-commit.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
from pathlib import Path

from ..editor.files import write_atomic
from ..editor.record_file import leading_comments, record_text
from ..records.loader import Record, outside, parse_file, read_repository, record_files
from ..records.schema import Kind, schema_for
from ..records.yaml_reader import YamlFault, read_text, split_front_matter

COMMITTER = ("审稿系统", "newsroom@localhost")
_UNSAFE_NAME = re.compile(r"[<>\x00-\x1f\x7f]")


class RepositoryError(Exception):
    """The repository refused a change; the message is for the person (Chinese)."""


def workflow_kinds(root: Path) -> dict[str, Kind]:
    """The kinds that go through 三审: those editors write (drafts by default),
    as in scripts/check/review.py; figures are the source's own numbers."""
    return {name: k for name, k in schema_for(root).kinds.items() if k.default_status == "draft"}


def unit_ids(root: Path) -> set[str]:
    unit = schema_for(root).kinds.get("unit")
    return {p.stem for p in record_files(root, unit)} if unit else set()


def records(root: Path) -> list[Record]:
    """Every readable record of the kinds under review (a broken file is
    `make check`'s to report, not the newsroom's)."""
    kinds = workflow_kinds(root)
    return [r for r in read_repository(root).records if r.kind.name in kinds]


def find_record(root: Path, kind_name: str, rid: str) -> Record | None:
    """The record of that kind and id, read afresh from its file; None when
    there is none (the id is matched against the files, never made into a path)."""
    kind = workflow_kinds(root).get(kind_name)
    if kind is None:
        return None
    for path in record_files(root, kind):
        if path.stem != rid:
            continue
        rel = path.relative_to(root).as_posix()
        if outside(root, path):
            raise RepositoryError(f"{rel} 是指向仓库之外的链接，审稿系统不处理")
        try:
            found, problems = parse_file(kind, rel, read_text(path, rel), path.stem)
        except YamlFault as e:
            raise RepositoryError(f"{rel} 第 {e.line} 行格式错误：{e.message}；请先改正（make check）") from None
        if problems:
            raise RepositoryError(f"{problems[0]}；请先改正（make check）")
        return found[0] if found else None
    return None


def record_units(root: Path, record: Record, members: dict[str, Record] | None = None,
                 units: set[str] | None = None) -> set[str]:
    """The units (unit record ids) a record speaks for: a unit itself, the unit
    of a member or a red SMS, the units among a film's subjects and those of
    its member subjects. News has no unit field: none (see review.may_submit).
    `members`, `units`: read once by a caller that asks for many records."""
    units = unit_ids(root) if units is None else units
    kind = record.kind.name
    if kind == "unit":
        return {record.id}
    if kind in ("member", "sms"):
        return {record["unit"]} & units if isinstance(record["unit"], str) else set()
    if kind == "video":
        subjects = [s for s in record["subjects"] or [] if isinstance(s, str)]
        found = set(subjects) & units
        for s in subjects:
            member = (members or {}).get(s) or (find_record(root, "member", s) if members is None else None)
            if member is not None and isinstance(member["unit"], str) and member["unit"] in units:
                found.add(member["unit"])
        return found
    return set()


@contextlib.contextmanager
def locked(lock_file: Path):
    """One change of the repository at a time, across processes (gunicorn workers)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_COMMITTER_NAME": COMMITTER[0], "GIT_COMMITTER_EMAIL": COMMITTER[1],
           "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C.UTF-8"}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env)


def author_of(name: str, account: str) -> str:
    """`张三 <zhangsan@newsroom>`: the person as git's author (a name that could
    break the field loses those characters)."""
    clean = _UNSAFE_NAME.sub("", name).strip() or account
    return f"{clean} <{account}@newsroom>"


def new_text(root: Path, record: Record, data: dict) -> str:
    """The record file's text with these fields: in the model's order, the
    body and the file's leading comments kept."""
    text = read_text(root / record.path, record.path)
    front = split_front_matter(text)[0] if record.kind.front_matter else text
    return record_text(record.kind, data, record.body, leading_comments(front))


def as_written(root: Path, record: Record) -> Record:
    """The record as it will read back once the newsroom has written its file:
    what a signature's content hash must cover (writing evens out the blank
    lines around the body, which the hash would otherwise see)."""
    found, _ = parse_file(record.kind, record.path, new_text(root, record, record.data), record.id)
    return found[0]


def commit_record(root: Path, record: Record, data: dict, message: str, name: str, account: str) -> str:
    """Write the record's new fields (its body unchanged) and commit that file
    alone, authored by the person; returns the commit id. Call under `locked`.

    Refuses a file with changes not yet committed: they are someone else's
    work, and would go into git under this person's name."""
    path = root / record.path
    status = _git(root, "status", "--porcelain", "--", record.path)
    if status.returncode != 0:
        raise RepositoryError(f"无法读取仓库的 git 状态：{status.stderr.strip() or status.stdout.strip()}")
    if status.stdout.strip():
        raise RepositoryError(f"{record.path} 有尚未提交到 git 的修改（或尚未加入 git）：请先由编辑提交"
                              f"（make save），再在审稿系统中操作")
    original = path.read_bytes()
    write_atomic(path, new_text(root, record, data).encode("utf-8"))
    steps = [("add", "--", record.path),
             ("commit", "--quiet", "--no-gpg-sign", f"--author={author_of(name, account)}",
              "-m", message, "--", record.path)]
    for args in steps:
        done = _git(root, *args)
        if done.returncode != 0:
            # Back to the committed file: no half-done action stays behind.
            write_atomic(path, original)
            _git(root, "add", "--", record.path)
            raise RepositoryError(f"提交到 git 失败，稿件未改动：{(done.stderr or done.stdout).strip()[:300]}")
    return _git(root, "rev-parse", "HEAD").stdout.strip()
