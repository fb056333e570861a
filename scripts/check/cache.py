"""The check's memory between builds: what each record file gave, by its text.

Reading a record (YAML with the line of every field) and checking it against
its kind's JSON Schema depend on nothing but the file's text, its path, the
model and this code; at 10,000 records they are most of `check`'s time. The
build (`check_repository(root, cache=True)`) keeps them in
.build/incremental/check.sqlite3, one row per record file:

    key      "<kind>\\0<path>"
    sha      sha256 of the file's text (as read: BOM and CRLF taken away)
    parsed   JSON: the file's records (data, lines, …) and its reading faults
    checked  JSON: the record's schema problems, or NULL until computed

A row serves only the same text; the whole memory serves only the same
fingerprint (format, model, code, library versions), else it is emptied and
everything is computed again. What looks across files (references, unique
ids, photos, pages, templates, wording…) is still checked over every record
each time. Records hold only what JSON holds exactly (text, numbers,
true/false, empty, lists, fields: dates are kept as text), so a record read
back is equal to the one read from its file. Nothing here runs code when
read (sqlite3 and JSON), and any fault of the file (damaged, another format,
unexpected types) means starting again from nothing: the results are always
those of a check from scratch.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ..problems import Problem
from ..records.loader import Record
from ..records.schema import Kind, Schema

log = logging.getLogger("zlt")

FORMAT = 1
CACHE_FILE = Path(".build") / "incremental" / "check.sqlite3"
_CODE = Path(__file__).resolve().parents[1]
# The code whose results are kept: any change to it is a new fingerprint.
_CODE_FILES = ("problems.py", "records/loader.py", "records/yaml_reader.py", "records/schema.py",
               "records/model_check.py", "records/relations.py", "check/fields.py", "check/files.py",
               "check/cache.py")


@functools.cache
def _code_digest() -> str:
    import yaml

    # The C parser (libyaml) reads well-formed files: its version too.
    libyaml = yaml._yaml.get_version_string() if getattr(yaml, "__with_libyaml__", False) else ""
    versions = "\0".join([*(metadata.version(name) for name in ("PyYAML", "jsonschema")), libyaml])
    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{versions}".encode())
    for name in _CODE_FILES:
        h.update(name.encode() + b"\0" + (_CODE / name).read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(schema: Schema) -> str | None:
    """What the kept results depend on besides each file's text, or None when
    the model cannot be fingerprinted (then nothing is kept)."""
    model = repr(schema)   # every field of the model, dataclasses all the way down
    if " at 0x" in model:  # an object without a faithful repr: cannot tell two models apart
        return None
    return hashlib.sha256(f"{_code_digest()}\0{model}".encode()).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _problem(p: Problem) -> list:
    return [p.path, p.line, p.field, p.message, p.level]


def _problems_from(items: Any) -> list[Problem]:
    out = []
    for p in items:
        path, line, field, message, level = p
        if not (isinstance(path, str) and type(line) is int and isinstance(field, str)
                and isinstance(message, str) and level in ("error", "warning")):
            raise ValueError("problem")
        out.append(Problem(path, line, field, message, level))
    return out


class CheckCache:
    """The kept results of one repository, for one run of the check."""

    def __init__(self, root: Path, schema: Schema):
        self.path = root / CACHE_FILE
        self.schema = schema
        self.reason = ""            # why nothing kept was used (for the lead's one line), "" when it was
        self.rows: dict[str, tuple[str, str, str | None]] = {}
        self.fresh: dict[str, tuple[str, str, str | None]] = {}   # rows to write
        self.seen: set[str] = set()
        self.sha: dict[str, str] = {}                               # key -> sha of this run's text
        self.hits = self.misses = 0
        self.fingerprint = fingerprint(schema)
        if self.fingerprint is None:
            self.reason = "数据模型无法比对，本次完整检查"
            return
        self._load()

    # -- the file ---------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=DELETE")
        return db

    def _load(self) -> None:
        if not self.path.exists():
            self.reason = "首次检查，没有保存的检查结果"
            return
        try:
            db = self._connect()
            try:
                meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
                if meta.get("format") != str(FORMAT) or meta.get("fingerprint") != self.fingerprint:
                    self.reason = "数据模型或检查程序已变，本次完整检查"
                    return
                rows = db.execute("SELECT key, sha, parsed, checked FROM files").fetchall()
            finally:
                db.close()
        except (sqlite3.Error, OSError, ValueError) as e:
            self.reason = f"保存的检查结果无法读取（{e}），本次完整检查"
            return
        for key, sha, parsed, checked in rows:
            if isinstance(key, str) and isinstance(sha, str) and isinstance(parsed, str) \
                    and (checked is None or isinstance(checked, str)):
                self.rows[key] = (sha, parsed, checked)

    def save(self) -> None:
        """Write what changed (atomically: one transaction; a damaged file is
        replaced by a new one)."""
        if self.fingerprint is None:
            return
        gone = [k for k in self.rows if k not in self.seen]
        if not self.fresh and not gone and not self.reason:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.reason:
                # Start again (none yet, another format or fingerprint, a
                # damaged file): a new file, put in place whole.
                tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
                tmp.unlink(missing_ok=True)
                self._write(tmp, list(self.fresh.items()), [])
                os.replace(tmp, self.path)
            else:
                self._write(self.path, list(self.fresh.items()), gone)
        except (sqlite3.Error, OSError) as e:
            log.warning("检查结果未能保存（%s），下次将完整检查", e)

    def _write(self, path: Path, rows: list, gone: list[str]) -> None:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, sha TEXT NOT NULL, "
                       "parsed TEXT NOT NULL, checked TEXT)")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("format", str(FORMAT)), ("fingerprint", self.fingerprint)])
            db.executemany("DELETE FROM files WHERE key = ?", [(k,) for k in gone])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                           [(k, *v) for k, v in rows])
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- reading records --------------------------------------------------
    def parsed(self, kind: Kind, rel: str, text: str):
        """(records, problems) of the file as kept for this very text, or None."""
        key = f"{kind.name}\0{rel}"
        self.seen.add(key)
        sha = self.sha[key] = text_digest(text)
        row = self.rows.get(key)
        if row is None or row[0] != sha:
            self.rows.pop(key, None)
            return None
        try:
            kept = json.loads(row[1])
            records = []
            for r in kept["records"]:
                rid, data, line, body_line, body_at = r["id"], r["data"], r["line"], r["body_line"], r["body_at"]
                if not (isinstance(rid, str) and isinstance(data, dict) and type(line) is int
                        and type(body_line) is int and type(body_at) is int):
                    raise ValueError("record")
                lines = {tuple(path): n for path, n in r["lines"]}
                records.append(Record(kind, rid, data, text[body_at:], rel, line, lines, body_line))
            problems = _problems_from(kept["problems"])
        except (ValueError, KeyError, TypeError):
            self.rows.pop(key, None)
            return None
        self.hits += 1
        return records, problems

    def keep(self, kind: Kind, rel: str, text: str, records: list, problems: list[Problem]) -> None:
        """Remember what reading the file gave (its schema problems come later)."""
        key = f"{kind.name}\0{rel}"
        self.misses += 1
        self.rows.pop(key, None)
        kept = {"records": [{"id": r.id, "data": r.data, "line": r.line, "body_line": r.body_line,
                             "body_at": len(text) - len(r.body),
                             "lines": [[list(p), n] for p, n in r.lines.items()]} for r in records],
                "problems": [_problem(p) for p in problems]}
        if any(r.body != text[len(text) - len(r.body):] for r in records):
            return   # a body that is not the end of the text: cannot be kept by its offset
        try:
            parsed = json.dumps(kept, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return   # a value JSON cannot hold exactly: read again next time
        self.fresh[key] = (self.sha[key] if key in self.sha else text_digest(text), parsed, None)

    # -- checking records -------------------------------------------------
    def schema_problems(self, record, compute) -> list[Problem]:
        """The record's schema problems: kept ones for the same text, else
        compute(record), kept for next time."""
        key = f"{record.kind.name}\0{record.path}"
        # A file holds one record at most: its row's schema problems are that record's.
        row = self.fresh.get(key) or self.rows.get(key)
        if row is not None and row[2] is not None:
            if row[2] == "[]":   # most records: nothing to parse
                return []
            try:
                return _problems_from(json.loads(row[2]))
            except (ValueError, KeyError, TypeError):
                pass
        found = compute(record)
        if row is not None:
            self.fresh[key] = (row[0], row[1], json.dumps([_problem(p) for p in found], ensure_ascii=False))
        return found
