"""The build's check cache (scripts/check/cache.py): after any change, what
check_repository(cache=True) returns is what a check from scratch returns —
the same records (values, their types and order, lines, bodies), pages, texts
and sorted problems — while only the changed record files are read again;
and when the kept results cannot be trusted (damaged file, another format,
another model), a check from scratch with a reason."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scripts.check as check_module
from scripts.check import check_repository
from scripts.check.cache import CACHE_FILE
from scripts.records import loader

from tests.conftest import ROOT, Repo

SCHEMA = "scripts/records/schema.yaml"
TYPOS = "wording/typos.yml"


def _content(snap) -> dict:
    """Everything a Snapshot holds, in a form where == also compares the
    types and order of values (1 / 1.0 / True, key order)."""
    return {
        "records": [(r.kind.name, r.id, repr(r.data), r.body, r.path, r.line, list(r.lines.items()), r.body_line)
                    for r in snap.records],
        "record objects": snap.records,
        "pages": snap.pages,
        "texts": list(snap.texts.items()),
        "problems": snap.problems,
        "record_paths": snap.record_paths,
        "schema": repr(snap.schema),
    }


class Counted:
    """How many record files read_repository parsed (loader.parse_file calls)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        real = loader.parse_file

        def counting(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(loader, "parse_file", counting)


def _same_as_scratch(root: Path, counted: Counted) -> int:
    """Check root with the cache and from scratch; assert they agree. Returns
    how many record files the cached check parsed."""
    before = counted.calls
    snap, problems = check_repository(root, cache=True)
    parsed = counted.calls - before
    plain_snap, plain_problems = check_repository(root)
    assert problems == plain_problems
    assert _content(snap) == _content(plain_snap)
    return parsed


def _record_files(root: Path) -> list[Path]:
    return sorted(p for top in ("exemplars", "content/news/posts") for p in (root / top).rglob("*")
                  if p.is_file() and p.suffix in (".md", ".yml"))


def _front_line(text: str) -> int:
    """Index (in text.split("\\n")) of the first “field: value” line."""
    lines = text.split("\n")
    return next(i for i, line in enumerate(lines) if line and line[0].isalpha() and ": " in line)


def _slip(text: str) -> str:
    lines = text.split("\n")
    i = _front_line(text)
    lines[i] = lines[i].replace(": ", "：", 1)
    return "\n".join(lines)


def _insert(text: str, line: str) -> str:
    lines = text.split("\n")
    lines.insert(_front_line(text), line)
    return "\n".join(lines)


# Changes to one file: each returns the new text (None: delete the file).
EDITS = {
    "reworded": lambda t: t.replace("示例", "样例", 1) if "示例" in t else t + "\n",
    "chinese colon": _slip,
    "unknown field": lambda t: _insert(t, "sumary: 多余的字段"),
    "wrong type": lambda t: _insert(t, "sample: 二〇一〇"),
    "broken yaml": lambda t: _insert(t, 'summary: "引号没有结束'),
    "bad reference": lambda t: _insert(t, "unit: no-such-unit-here"),
    "typo": lambda t: t.rstrip("\n") + ("\n" if t.endswith("\n") else "") + "风彩大赛。\n"
    if t.startswith("---") else t,
    "script in body": lambda t: t + "\n<script>alert(1)</script>\n" if t.startswith("---") else t,
    "id line": lambda t: _insert(t, "id: another-id"),
    "not utf-8": lambda t: None,   # see _apply
    "deleted": lambda t: None,
}

step = st.one_of(
    st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 10 ** 6)),
    st.tuples(st.just("restore"), st.integers(0, 10 ** 6)),          # a file becomes valid again
    st.tuples(st.just("copy"), st.integers(0, 10 ** 6)),             # a new record (or a duplicate id)
    st.tuples(st.just("same size and time"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("wording"), st.integers(0, 2)),
    st.tuples(st.just("model"), st.integers(0, 1)),
    st.tuples(st.just("nothing"), st.just(0)),
)


def _apply(root: Path, originals: dict[str, bytes], op: str, n: int) -> tuple[int, bool]:
    """Make one change; (how many record files it may have changed, whether
    the kept results stay usable)."""
    files = _record_files(root)
    if op == "nothing":
        return 0, True
    if op == "wording":
        words = ["风彩: 风采\n", "风彩: 风采\n示例: 范例\n", "{ not a list"][n]
        (root / TYPOS).parent.mkdir(exist_ok=True)
        (root / TYPOS).write_text(words, encoding="utf-8")
        return 0, True
    if op == "model":
        text = (root / SCHEMA).read_text(encoding="utf-8")
        old, new = ("label: 名称", "label: 名称（单位）") if n else ("label: 摘要", "label: 内容摘要")
        (root / SCHEMA).write_text(text.replace(old, new, 1) if old in text else text + "\n", encoding="utf-8")
        return len(files), False
    if op == "restore":
        missing = [rel for rel in originals
                   if not (root / rel).exists() or (root / rel).read_bytes() != originals[rel]]
        if not missing:
            return 0, True
        rel = missing[n % len(missing)]
        (root / rel).write_bytes(originals[rel])
        return 1, True
    if not files:
        return 0, True
    path = files[n % len(files)]
    if op == "copy":
        # Into the same folder (a new record) or another kind's (the same id twice).
        folders = sorted({p.parent for p in files})
        folder = folders[n % len(folders)] if n % 3 == 0 else path.parent
        name = path.name if folder != path.parent else f"copy-{n}{path.suffix}"
        target = folder / (Path(name).stem + (".md" if folder.name != "sms" and folder.name != "figures"
                                              else ".yml"))
        if target.exists():
            return 0, True
        shutil.copyfile(path, target)
        return 1, True
    if op == "same size and time":
        # The same size and modification time, other bytes: only the text tells.
        data = path.read_bytes()
        i = data.find("示".encode())
        if i < 0:
            return 0, True
        st_ = path.stat()
        path.write_bytes(data[:i] + "例".encode() + data[i + 3:])
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        return 1, True
    if op == "not utf-8":
        path.write_bytes(path.read_bytes() + b"\n\xff\xfe\n")
        return 1, True
    new = EDITS[op](path.read_text(encoding="utf-8"))
    if new is None:
        path.unlink()
    else:
        path.write_text(new, encoding="utf-8")
    return 1, True


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_cached_check_is_the_check_from_scratch(steps, monkeypatch):
    counted = Counted(monkeypatch)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp), with_content=True)
        root = repo.path
        repo.write(SCHEMA, (ROOT / SCHEMA).read_text(encoding="utf-8"))
        originals = {p.relative_to(root).as_posix(): p.read_bytes() for p in _record_files(root)}
        total = len(originals)
        assert _same_as_scratch(root, counted) == total   # nothing kept yet: every file read
        assert check_module.last_cache_reason
        assert _same_as_scratch(root, counted) == 0       # nothing changed: nothing read again
        assert check_module.last_cache_reason == ""
        for op, n in steps:
            changed, usable = _apply(root, originals, op, n)
            parsed = _same_as_scratch(root, counted)
            if usable:
                assert parsed <= changed, (op, parsed, changed)
                assert check_module.last_cache_reason == ""
            else:
                assert check_module.last_cache_reason


@pytest.fixture
def checked(full_repo):
    """A repository with one file in error, checked once with the cache."""
    root = full_repo.path
    bad = _record_files(root)[0]
    bad.write_text(_slip(bad.read_text(encoding="utf-8")), encoding="utf-8")
    snap, problems = check_repository(root, cache=True)
    assert problems and (root / CACHE_FILE).is_file()
    return root


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other format", "wrong types"])
def test_a_damaged_cache_is_a_check_from_scratch(checked, damage, monkeypatch):
    root = checked
    path = root / CACHE_FILE
    if damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        db = sqlite3.connect(path)
        if damage == "other format":
            db.execute("UPDATE meta SET value = '0' WHERE name = 'format'")
        else:   # rows whose JSON is not what the cache writes: read again, each
            db.execute("UPDATE files SET parsed = '{\"records\": [{\"id\": 1}], \"problems\": [[1]]}'")
        db.commit()
        db.close()
    counted = Counted(monkeypatch)
    parsed = _same_as_scratch(root, counted)
    assert parsed == len(_record_files(root))
    if damage != "wrong types":
        assert check_module.last_cache_reason   # said once, for the build's log
    # …and the next run uses what this one kept.
    assert _same_as_scratch(root, counted) == 0
    assert check_module.last_cache_reason == ""


def test_another_model_or_code_is_a_check_from_scratch(checked, monkeypatch):
    root = checked
    repo_schema = root / SCHEMA
    repo_schema.parent.mkdir(parents=True, exist_ok=True)
    repo_schema.write_text((ROOT / SCHEMA).read_text(encoding="utf-8").replace("label: 摘要", "label: 内容摘要", 1),
                           encoding="utf-8")
    counted = Counted(monkeypatch)
    assert _same_as_scratch(root, counted) == len(_record_files(root))
    assert "数据模型" in check_module.last_cache_reason
    # The code is part of the fingerprint too: another version of it keeps nothing.
    db = sqlite3.connect(root / CACHE_FILE)
    db.execute("UPDATE meta SET value = 'another' WHERE name = 'fingerprint'")
    db.commit()
    db.close()
    assert _same_as_scratch(root, counted) == len(_record_files(root))
    assert check_module.last_cache_reason


def test_without_the_option_nothing_is_kept(full_repo):
    check_repository(full_repo.path)
    assert not (full_repo.path / CACHE_FILE).exists()
