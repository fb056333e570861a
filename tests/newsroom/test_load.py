"""The load test's harness (scripts/dev/bench_newsroom.py) at a small size:
real gunicorn as deploy-config runs it, contributors signing in with their
passwords, saving through /edit/api/v1 and submitting, close enough together
that saves overlap (the repository lock). Nothing may be lost and every
request must be answered; then the verification must catch a loss it is
shown. The full 60 contributors in a minute is `make bench`'s."""
from __future__ import annotations

import pytest

from scripts.dev import bench_newsroom
from tests.newsroom.helpers import git

pytestmark = pytest.mark.slow


def test_a_burst_of_contributors_loses_nothing_and_every_save_is_answered(tmp_path):
    result = bench_newsroom.run(contributors=8, seconds=2, concurrency=8, work=tmp_path)
    assert result.problems == [], result.problems
    assert result.commits == 16
    for action in ("sign in", "save", "item page", "submit"):
        done = result.by_action(action)
        assert len(done) == 8 and all(s.status is not None and s.ok for s in done), (action, done)
    section = bench_newsroom.report(result, "python -m scripts.dev.bench_newsroom --contributors 8")
    assert "Lost or wrong: nothing" in section and "| save | 8 | 0 |" in section

    # What the verification is for: a post taken back to draft by a commit of
    # someone else, and a file left outside git, are reported.
    first = result.people[0]
    post = result.repo / "content" / "news" / "posts" / f"{first.rid}.md"
    text = post.read_text(encoding="utf-8")
    assert "\nstatus: review\n" in text
    post.write_text(text.replace("\nstatus: review\n", "\nstatus: draft\n"), encoding="utf-8")
    git(result.repo, "commit", "-q", "-am", "改回草稿")
    (post.parent / "stray.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    problems, commits = bench_newsroom.verify(result.repo, result.base, result.people)
    assert commits == 17
    assert any(first.account in p and "'draft'" in p for p in problems), problems
    assert any("编辑部" in p for p in problems), problems
    assert any("未提交" in p and "stray.md" in p for p in problems), problems


def test_a_lost_save_is_reported(tmp_path):
    """verify() without any work done: every post missing, every commit missing."""
    repo = tmp_path / "repo"
    bench_newsroom.make_repository(repo)
    people = [bench_newsroom.Contributor("writer000", "撰稿人000号", "", "u", rid="bench-post-000")]
    base = git(repo, "rev-parse", "HEAD").strip()
    problems, commits = bench_newsroom.verify(repo, base, people)
    assert commits == 0
    assert any("不存在" in p for p in problems) and any("实为 []" in p for p in problems), problems
