"""审核记录 (/audit/) and the item's 信息发布审核单: built from the record
files and git after the review chain really ran through the newsroom's
pages; each step listed under its person with its commit, the filters
narrowing to exactly what they name, a copied signature shown as 签名无效,
and the page closed to contributors and to anyone without a session."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from scripts.newsroom import audit, repository
from scripts.newsroom.review import TZ
from scripts.records.signatures import STAGES

from tests.newsroom.helpers import account, act, client_of, git

UNIT_A = ("unit", "newsroom-test-a")
UNIT_B = ("unit", "newsroom-test-b")
NEWS = ("news", "newsroom-audit-news")


@pytest.fixture
def reviewed(newsroom):
    """Unit A: submitted, returned by 初审 with a comment, submitted again and
    approved by 初审, 复审 and 终审 (each with a comment). Unit B: submitted
    by its own contributor only. A news post submitted by unit A's liaison."""
    newsroom.draft("unit", UNIT_A[1], {"name": "测试甲党支部", "sector": "农村", "summary": "用于测试审稿的草稿。"})
    newsroom.draft("unit", UNIT_B[1], {"name": "测试乙党支部", "sector": "社区", "summary": "另一个单位的草稿。"})
    newsroom.draft("news", NEWS[1], {"title": "测试丙新闻稿", "date": "2026-01-05", "author": "李四"})
    people = {
        "lisi": account("lisi", ["撰稿"], [UNIT_A[1]], "李四"),
        "wang": account("wang", ["撰稿"], [UNIT_B[1]], "王五"),
        "zhao": account("zhao", ["初审"], [], "赵一"),
        "qian": account("qian", ["复审"], [], "钱二"),
        "sun": account("sun", ["终审"], [], "孙三"),
        "editor": account("editor", ["编辑"], [], "吴七"),
    }
    c = {name: client_of(user) for name, user in people.items()}
    for step in [(c["lisi"], UNIT_A, "submit", "请审核。", None),
                 (c["zhao"], UNIT_A, "return", "第二段请补充时间。", "first"),
                 (c["lisi"], UNIT_A, "submit", "已补充。", None),
                 (c["zhao"], UNIT_A, "approve", "初审同意。", "first"),
                 (c["qian"], UNIT_A, "approve", "复审同意。", "second"),
                 (c["sun"], UNIT_A, "approve", "终审同意发布。", "final"),
                 (c["wang"], UNIT_B, "submit", "乙单位送审。", None),
                 (c["lisi"], NEWS, "submit", "", None)]:
        client, item, action, comment, stage = step
        response = act(client, item, action, comment, stage)
        assert response.status_code == 302, response.content.decode()
    return newsroom, people, c


def events_of(newsroom, item, **filters):
    trail = audit.trail(newsroom.root, {"lisi": {UNIT_A[1]}, "wang": {UNIT_B[1]}})
    return [e for e in audit.select(trail, audit.Filters(**filters)) if (e.kind, e.rid) == item]


def test_the_trail_lists_every_step_under_its_person_with_its_commit(reviewed):
    newsroom, people, _ = reviewed
    steps = list(reversed(events_of(newsroom, UNIT_A)))   # oldest first
    assert [(e.action, e.account) for e in steps] == [
        ("其他提交", "editor@example.org"),
        ("提交", "lisi"), ("初审退回", "zhao"), ("提交", "lisi"),
        ("初审通过", "zhao"), ("复审通过", "qian"), ("终审通过", "sun")]
    assert [e.by for e in steps[1:]] == ["李四", "赵一", "李四", "赵一", "钱二", "孙三"]
    assert [e.comment for e in steps[1:]] == ["请审核。", "第二段请补充时间。", "已补充。", "初审同意。", "复审同意。",
                                              "终审同意发布。"]
    assert [e.signature for e in steps] == ["", "", "", "", audit.VALID, audit.VALID, audit.VALID]
    # Each newsroom step is matched with the one commit that wrote it, authored by its person.
    commits = [e.commit for e in steps[1:]]
    assert all(commits) and len(set(commits)) == len(commits)
    for e in steps[1:]:
        author = git(newsroom.root, "show", "-s", "--format=%an <%ae>", e.commit).strip()
        assert author == f"{e.by} <{e.account}@newsroom>"
    assert all(e.units == {UNIT_A[1]} for e in steps)


def test_filters_narrow_to_what_they_name(reviewed):
    newsroom, _, _ = reviewed
    assert {e.action for e in events_of(newsroom, UNIT_A, person="qian")} == {"复审通过"}
    assert {e.action for e in events_of(newsroom, UNIT_A, person="赵一")} == {"初审退回", "初审通过"}
    assert events_of(newsroom, UNIT_A, person="nobody") == []
    # Unit: unit B's own record, and the news post of unit A's liaison in unit A.
    trail = audit.trail(newsroom.root, {"lisi": {UNIT_A[1]}, "wang": {UNIT_B[1]}})
    in_b = audit.select(trail, audit.Filters(unit=UNIT_B[1]))
    assert in_b and {(e.kind, e.rid) for e in in_b} == {UNIT_B}
    in_a = audit.select(trail, audit.Filters(unit="测试甲"))
    assert {(e.kind, e.rid) for e in in_a} == {UNIT_A, NEWS}
    # Record: kind/id exactly, or words of the title.
    assert {(e.kind, e.rid) for e in audit.select(trail, audit.Filters(record="unit/newsroom-test-b"))} == {UNIT_B}
    assert {(e.kind, e.rid) for e in audit.select(trail, audit.Filters(record="丙新闻"))} == {NEWS}
    # Dates, in Beijing time, both ends included.
    today = dt.datetime.now(TZ).date()
    assert events_of(newsroom, UNIT_A, since=today, until=today)
    assert events_of(newsroom, UNIT_A, since=today + dt.timedelta(days=1)) == []
    assert events_of(newsroom, UNIT_A, until=today - dt.timedelta(days=1)) == []


def table(response) -> str:
    """The rows of the page's table (the menu, the messages and the unit
    choices name records too)."""
    html = response.content.decode()
    return html[html.index("<tbody>"):html.index("</tbody>")] if "<tbody>" in html else ""


def test_the_page_lists_filters_and_links_each_row(reviewed):
    newsroom, _, c = reviewed
    url = reverse("newsroom:audit")
    page = c["zhao"].get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("李四（lisi）", "赵一（zhao）", "钱二（qian）", "孙三（sun）", "王五（wang）", "第二段请补充时间。",
                 "终审同意发布。", "签名有效", "其他提交"):
        assert text in html, text
    assert f'href="{reverse("newsroom:item", args=UNIT_A)}"' in html
    assert 'href="{}"'.format(reverse("newsroom:audit")) in c["zhao"].get(reverse("newsroom:mine")).content.decode()

    only_qian = table(c["editor"].get(url, {"person": "qian"}))
    assert "复审同意。" in only_qian and "初审同意。" not in only_qian and "王五" not in only_qian
    only_b = table(c["sun"].get(url, {"unit": UNIT_B[1]}))
    assert "乙单位送审。" in only_b and "测试甲党支部" not in only_b
    by_record = table(c["sun"].get(url, {"record": "测试乙"}))
    assert "乙单位送审。" in by_record and "终审同意发布。" not in by_record
    tomorrow = (dt.datetime.now(TZ).date() + dt.timedelta(days=1)).isoformat()
    assert "没有符合条件的记录" in c["sun"].get(url, {"since": tomorrow}).content.decode()
    bad = c["sun"].get(url, {"since": "明天"}).content.decode()
    assert "不是日期" in bad


def test_pages_of_fifty(reviewed):
    newsroom, _, c = reviewed
    total = len(audit.trail(newsroom.root).events)
    # Enough events for a second page: commits by hand on a record's file.
    rel = repository.find_record(newsroom.root, *UNIT_B).path
    for n in range(max(0, 51 - total)):
        with open(newsroom.root / rel, "a", encoding="utf-8") as f:
            f.write("\n")
        git(newsroom.root, "commit", "-q", "-am", f"空行 {n}")
    first = c["sun"].get(reverse("newsroom:audit")).content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    second = c["sun"].get(reverse("newsroom:audit"), {"page": "2", "person": ""}).content.decode()
    assert "第 2 / 2 页" in second and 'rel="prev"' in second
    rows = lambda html: len(re.findall(r"<tr>\s*<td>", html))   # noqa: E731
    assert rows(first) == 50 and rows(first) + rows(second) == len(audit.trail(newsroom.root).events)


def test_a_copied_signature_shows_as_invalid(reviewed):
    newsroom, _, c = reviewed
    record = repository.find_record(newsroom.root, *UNIT_A)
    rel = record.path
    first, second = (record["review"][s]["signature"] for s in ("first", "second"))
    text = newsroom.read(rel)
    assert text.count(second) == 1
    # The 初审's signature pasted into 复审: the kind of forgery check refuses.
    (newsroom.root / rel).write_text(text.replace(second, first), encoding="utf-8")
    git(newsroom.root, "commit", "-q", "-am", "手工修改审核记录")
    steps = {}
    for e in events_of(newsroom, UNIT_A):   # newest first: the latest of each action
        steps.setdefault(e.action, e)
    assert steps["初审通过"].signature == audit.VALID
    assert steps["复审通过"].signature == audit.INVALID
    assert steps["终审通过"].signature == audit.VALID
    assert steps["其他提交"].comment == "手工修改审核记录"
    html = c["sun"].get(reverse("newsroom:audit"), {"record": "unit/" + UNIT_A[1]}).content.decode()
    assert re.search(r"复审通过</td>\s*<td[^>]*>复审同意。</td>\s*<td><strong class=\"error\">签名无效", html)
    assert [c.signature for c in audit.stage_checks(repository.find_record(newsroom.root, *UNIT_A), None)] \
        == [audit.UNCHECKED] * len(STAGES)


def test_a_contributor_is_refused_and_no_session_goes_to_login(reviewed):
    newsroom, _, c = reviewed
    url = reverse("newsroom:audit")
    refused = c["lisi"].get(url)
    assert refused.status_code == 403 and "审核记录只对" in refused.content.decode()
    assert f'href="{url}"' not in c["lisi"].get(reverse("newsroom:mine")).content.decode()
    from django.test import Client
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("newsroom:login"))
    sheet = reverse("newsroom:review_sheet", args=UNIT_A)
    assert Client().get(sheet).status_code == 302
    # Unit B's liaison may not print unit A's sheet (the item page's rule).
    assert c["wang"].get(sheet).status_code == 403
    assert c["wang"].get(reverse("newsroom:review_sheet", args=("unit", "no-such-unit"))).status_code == 404


@pytest.mark.slow
def test_the_item_page_offers_its_sheet_as_a_pdf(reviewed, tmp_path):
    from tests.pdf_reading import fonts, page_texts, squeeze
    newsroom, _, c = reviewed
    item = c["lisi"].get(reverse("newsroom:item", args=UNIT_A)).content.decode()
    sheet = reverse("newsroom:review_sheet", args=UNIT_A)
    assert f'href="{sheet}"' in item
    response = c["lisi"].get(sheet)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)
    text = squeeze("".join(page_texts(pdf)))
    record = repository.find_record(newsroom.root, *UNIT_A)
    for s in ("信息发布审核单", "测试甲党支部", "赵一", "钱二", "孙三", "初审同意。", "复审同意。", "终审同意发布。",
              record["review"]["final"]["date"]):
        assert squeeze(s) in text, s
    assert all(f.embedded for f in fonts(pdf))


def test_comments_are_text_not_markup(reviewed):
    newsroom, _, c = reviewed
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    assert act(c["zhao"], UNIT_B, "return", hostile, "first").status_code == 302
    html = c["sun"].get(reverse("newsroom:audit"), {"record": "unit/" + UNIT_B[1]}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html
