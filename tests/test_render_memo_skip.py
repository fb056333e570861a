"""The memo's shortcut (render/memo.py structure_key): while no record
changes what shapes the Site (its lists, groups, links, counts), a call is
kept without being evaluated unless its result held a changed record; the
docs stay those of a render from scratch, and a change of structure (a
reference) goes the long way."""
from __future__ import annotations

import re
from pathlib import Path

from scripts.records.loader import read_repository
from scripts.render import memo as memo_module
from scripts.render import render_changes

from tests.test_render_memo import _assert_same, _from_scratch, _repo, _tree


def _counting(monkeypatch) -> list[str]:
    evaluated: list[str] = []
    real = memo_module.Memo.evaluate

    def evaluate(self, name, args):
        evaluated.append(name)
        return real(self, name, args)
    monkeypatch.setattr(memo_module.Memo, "evaluate", evaluate)
    return evaluated


def test_a_title_edit_evaluates_few_calls_and_stays_exact(tmp_path, monkeypatch):
    repo, edits = _repo(tmp_path / "repo")
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    import json
    calls_of_a_build = len(json.loads((memo / memo_module.MEMO_FILE).read_text(encoding="utf-8"))["calls"])
    evaluated = _counting(monkeypatch)
    render_changes(read_repository(repo.path), docs, memo)    # nothing changed
    assert evaluated == []
    edits.unit_title(1)
    snap = read_repository(repo.path)
    result = render_changes(snap, docs, memo)
    assert result.reason == "" and result.written
    _assert_same(_tree(docs), _from_scratch(repo.path))
    assert 0 < len(evaluated) < calls_of_a_build // 2, (len(evaluated), calls_of_a_build)


def test_a_new_reference_is_a_change_of_structure(tmp_path):
    repo, edits = _repo(tmp_path / "repo")
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    before = {r.id: memo_module.structure_key(r) for r in read_repository(repo.path).records}
    texts = {p: p.read_text(encoding="utf-8") for p in (repo.path / "exemplars/members").glob("*.md")}
    for k in range(20):   # a member now in another unit
        edits.ref(k)
        if any(p.read_text(encoding="utf-8") != t for p, t in texts.items()):
            break
    after = {r.id: memo_module.structure_key(r) for r in read_repository(repo.path).records}
    assert before != after
    result = render_changes(read_repository(repo.path), docs, memo)
    assert result.reason == ""
    _assert_same(_tree(docs), _from_scratch(repo.path))


def test_structure_fields_come_from_the_model():
    from scripts.records.schema import schema_for
    kinds = schema_for(Path(__file__).resolve().parents[1]).kinds
    unit = memo_module.structure_fields(kinds["unit"])
    assert {"featured", "sector"} <= unit and "name" not in unit
    news = memo_module.structure_fields(kinds["news"])
    assert "date" in news and "title" not in news
    assert all(re.fullmatch(r"[a-z_]+", f) for f in unit | news)


def test_a_post_added_or_a_member_deleted_evaluates_few_calls_and_stays_exact(tmp_path, monkeypatch):
    """Records added or removed: only the calls about what they reach (their
    kind's lists, their neighbours, their links, the home page) are
    evaluated again."""
    import json
    repo, edits = _repo(tmp_path / "repo")
    for k in range(12):
        edits.add(k)
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    calls_of_a_build = len(json.loads((memo / memo_module.MEMO_FILE).read_text(encoding="utf-8"))["calls"])
    evaluated = _counting(monkeypatch)
    for change in (edits.add, edits.delete_member, edits.delete):
        evaluated.clear()
        change(7)
        result = render_changes(read_repository(repo.path), docs, memo)
        assert result.reason == "" and (result.written or result.removed)
        _assert_same(_tree(docs), _from_scratch(repo.path))
        assert len(evaluated) < calls_of_a_build * 2 // 3, (change.__name__, len(evaluated), calls_of_a_build)
