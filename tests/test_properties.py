"""Property-based: whatever an editor's file contains, the loader and the
validator either accept it or report Problems with a path and a line; they
never crash. Valid-after-mutation records also render."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from scripts.check import check
from scripts.problems import Problem
from scripts.records.loader import load_all
from scripts.check import check_repository, errors
from scripts.render import render_site

ROOT = Path(__file__).resolve().parent.parent
# Fuzzing takes tens of seconds: make test runs it, make test-fast does not.
pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Valid records of three shapes (tests/fixtures, not the shipped content,
# which the department replaces): Markdown, plain YAML, news.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "records"
UNIT = (FIXTURES / "unit.md").read_text(encoding="utf-8")
SMS = (FIXTURES / "sms.yml").read_text(encoding="utf-8")
NEWS = (FIXTURES / "news.md").read_text(encoding="utf-8")
TARGETS = {"exemplars/units/a.md": UNIT, "exemplars/sms/a.yml": SMS, "content/news/posts/a.md": NEWS}


@functools.cache
def _fresh_repo() -> Path:
    """A content repository without records, shared by the examples (each
    writes one file and removes it again)."""
    path = Path(tempfile.mkdtemp(prefix="prop-"))
    atexit.register(shutil.rmtree, path, True)
    for name in ("mkdocs.yml", "网站设置.yml", "templates"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, path / name)
    shutil.copytree(ROOT / "content" / "sandong", path / "content" / "sandong")
    (path / "content/news/posts").mkdir(parents=True)
    for name in ("units", "members", "videos", "sms"):
        (path / "exemplars" / name).mkdir(parents=True)
    return path


def _assert_loads_or_reports(root: Path, rel: str, data: bytes, render: bool = False) -> None:
    target = root / rel
    target.write_bytes(data)
    try:
        snap, problems = check_repository(root, wording=False)
        for p in problems:
            assert isinstance(p, Problem) and p.path and p.line >= 1 and p.message
        if render and not errors(problems):
            out = root / ".build" / "prop-docs"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            render_site(snap, out, preview=True)
    finally:
        target.unlink()


@pytest.mark.parametrize("rel", sorted(TARGETS))
def test_the_fixtures_are_valid_records(rel):
    """The mutations start from valid files of each shape (a red SMS is a plain
    YAML file of one record, named by its id)."""
    root = _fresh_repo()
    target = root / rel
    target.write_text(TARGETS[rel], encoding="utf-8")
    try:
        snap, problems = check_repository(root, wording=False)
        assert errors(problems) == [], problems
        assert [(r.path, r.id) for r in snap.records] == [(rel, "a")]
    finally:
        target.unlink()


# --- mutations of valid records ----------------------------------------------

def _mutate(text: str, data) -> bytes:
    lines = text.split("\n")
    kind = data.draw(st.sampled_from(["delete", "swap", "unicode", "truncate", "bytes", "retype", "dup"]))
    i = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "delete":
        del lines[i]
    elif kind == "swap":
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "unicode":
        at = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + data.draw(st.text(max_size=8)) + lines[i][at:]
    elif kind == "retype" and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        value = data.draw(st.sampled_from(["", "[]", "{}", "123", "1.5e+300", "true", "null", "- a", "'x'",
                                           "[a, [b, [c]]]", "{a: 1}", "2024-13-45", "&a x", "*a",
                                           "!!binary aGk=", "|\n  long\n  text", ".nan", "-.inf"]))
        lines[i] = f"{key}: {value}"
    elif kind == "dup":
        lines.insert(i, lines[i])
    text = "\n".join(lines)
    raw = text.encode("utf-8")
    if kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif kind == "bytes":
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(max_size=8)) + raw[at:]
    return raw


@SETTINGS
@given(data=st.data())
def test_mutated_records_load_or_report(data):
    root = _fresh_repo()
    rel = data.draw(st.sampled_from(sorted(TARGETS)))
    raw = _mutate(TARGETS[rel], data)
    _assert_loads_or_reports(root, rel, raw, render=True)


# --- random YAML-ish text and random bytes ------------------------------------

TOKENS = list("-:[]{}&*!|>'\"#%@`,?\n \t") + ["name", "sector", "id", "text", "农村", "---", "  ",
                                               "- ", ": ", "\r\n", "\ufeff", "\x00", "1", "e+999"]
YAMLISH = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=80).map("".join)


@SETTINGS
@given(rel=st.sampled_from(sorted(TARGETS)), text=YAMLISH)
def test_random_yamlish_text_loads_or_reports(rel, text):
    root = _fresh_repo()
    _assert_loads_or_reports(root, rel, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(rel=st.sampled_from(sorted(TARGETS)), raw=st.binary(max_size=300))
def test_random_bytes_load_or_report(rel, raw):
    root = _fresh_repo()
    _assert_loads_or_reports(root, rel, raw)


@SETTINGS
@given(body=st.text(max_size=300))
def test_random_bodies_are_checked_without_crashing(body):
    root = _fresh_repo()
    _assert_loads_or_reports(root, "content/news/posts/a.md",
                             f"---\ntitle: 题\ndate: 2024-01-01\n---\n{body}".encode("utf-8", "surrogatepass"))


def test_check_of_the_shipped_content_still_passes():
    assert check(ROOT) == []
