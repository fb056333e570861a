"""Every problem of a file's header in one run (issue #24): a slip the check
knows how to read past (a Chinese colon, no space after the colon) is an
error at its line, and the rest of the header is still checked; messages
name nested fields with the form's words."""
from __future__ import annotations

from scripts.check import check, errors


def _messages(repo) -> list[str]:
    problems = check(repo.path)
    assert errors(problems)
    return [f"{p.path}:{p.line}: {p.field}: {p.message}" for p in problems]


def test_chinese_colon_and_bad_date_in_one_run(repo):
    repo.write("content/news/posts/a.md", """
        ---
        title： 一篇稿件
        date: 2026-02-30
        categories: [党建动态]
        ---
        正文。
        """)
    found = _messages(repo)
    assert any(m.startswith("content/news/posts/a.md:2:") and "中文冒号" in m for m in found), found
    assert any(m.startswith("content/news/posts/a.md:3: date") and "2026-02-30" in m for m in found), found


def test_several_slips_and_an_unknown_field(repo):
    repo.write("exemplars/units/a.md", """
        ---
        name：某某党支部
        sector:农村
        sectr: 农村
        ---
        """)
    found = _messages(repo)
    assert any(":2:" in m and "中文冒号" in m for m in found), found
    assert any(":3:" in m and "冒号后面缺少空格" in m for m in found), found
    assert any(":4:" in m and "未知字段“sectr”" in m for m in found), found


def test_a_slip_the_check_cannot_read_past_is_still_one_clear_error(repo):
    repo.write("exemplars/units/a.md", """
        ---
        name: "某某党支部
        sector: 农村
        ---
        """)
    found = _messages(repo)
    assert len([m for m in found if m.startswith("exemplars/units/a.md")]) == 1, found
    assert "引号" in found[0]


def test_nested_fields_are_named_with_the_forms_words(repo):
    repo.write("exemplars/units/a.md", """
        ---
        name: 某某党支部
        sector: 农村
        status: review
        review:
          first: {by: 编辑部, date: 2026-11-35}
        ---
        """)
    found = _messages(repo)
    assert any("review.first.date（三审记录 › 初审 › 审核日期）" in m for m in found), found


def test_the_published_status_without_review_is_said_in_the_forms_words(repo):
    repo.write("exemplars/units/a.md", """
        ---
        name: 某某党支部
        sector: 农村
        status: published
        ---
        """)
    found = _messages(repo)
    assert any("“已发布”（published）" in m and "“待审”（status: review）" in m for m in found), found
