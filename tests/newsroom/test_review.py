"""三审 through the newsroom's pages: the server refuses what the rules forbid
(the file and git stay as they were), and the happy path leaves each step in
git under its person and three signed stages in the record file."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from scripts.check import check_repository
from scripts.check.signatures import signature_problems
from scripts.newsroom import repository
from scripts.records.signatures import STAGES, newsroom_key, verify

from tests.newsroom.helpers import account, act, client_of, git

UNIT_A = ("unit", "newsroom-test-a")
UNIT_B = ("unit", "newsroom-test-b")


@pytest.fixture
def drafts(newsroom):
    newsroom.draft("unit", UNIT_A[1], {"name": "测试甲党支部", "sector": "农村", "summary": "用于测试审稿的草稿。"})
    newsroom.draft("unit", UNIT_B[1], {"name": "测试乙党支部", "sector": "社区", "summary": "另一个单位的草稿。"})
    return newsroom


@pytest.fixture
def people(drafts):
    return {
        "lisi": account("lisi", ["撰稿"], [UNIT_A[1]], "李四"),
        "liu": account("liu", ["撰稿"], [UNIT_A[1]], "刘六"),
        "zhao": account("zhao", ["初审"], [], "赵一"),
        "qian": account("qian", ["复审"], [], "钱二"),
        "sun": account("sun", ["终审"], [], "孙三"),
        "both": account("both", ["初审", "复审"], [], "周五"),
        "editor": account("editor", ["编辑", "初审"], [], "吴七"),
    }


def record(newsroom, item):
    return repository.find_record(newsroom.root, *item)


def unchanged(newsroom, item, before_text: str, before_log: list) -> None:
    """A refused action leaves the record file and git as they were."""
    rel = record(newsroom, item).path
    assert newsroom.read(rel) == before_text
    assert newsroom.log() == before_log


def state(newsroom, item):
    rel = record(newsroom, item).path
    return newsroom.read(rel), newsroom.log()


def submitted(newsroom, people, item=UNIT_A):
    assert act(client_of(people["lisi"]), item, "submit").status_code == 302
    assert record(newsroom, item).status == "review"


def test_happy_path(drafts, people):
    newsroom = drafts
    lisi = client_of(people["lisi"])
    zhao, qian, sun = (client_of(people[n]) for n in ("zhao", "qian", "sun"))

    # The contributor finds the draft of their unit and submits it.
    page = lisi.get(reverse("newsroom:mine"))
    assert "测试甲党支部" in page.content.decode() and "测试乙党支部" not in page.content.decode()
    assert act(lisi, UNIT_A, "submit").status_code == 302
    item_url = reverse("newsroom:item", args=UNIT_A)
    assert "初审通过" in zhao.get(item_url).content.decode()
    assert "初审通过" not in lisi.get(item_url).content.decode()
    # 初审 returns it with a comment: a draft again, the comment in the thread.
    assert "测试甲党支部" in zhao.get(reverse("newsroom:queue", args=["first"])).content.decode()
    assert act(zhao, UNIT_A, "return", "第二段请补充时间和地点。", "first").status_code == 302
    r = record(newsroom, UNIT_A)
    assert r.status == "draft" and not any(s in r["review"] for s in STAGES)
    assert r["review"]["thread"][-1]["comment"] == "第二段请补充时间和地点。"
    assert "第二段请补充时间和地点。" in lisi.get(reverse("newsroom:item", args=UNIT_A)).content.decode()
    # Resubmitted, then approved by three different people, in order.
    assert act(lisi, UNIT_A, "submit", "已补充。").status_code == 302
    for client, stage in ((zhao, "first"), (qian, "second"), (sun, "final")):
        response = act(client, UNIT_A, "approve", f"{stage} 同意", stage)
        assert response.status_code == 302, response.content.decode()

    r = record(newsroom, UNIT_A)
    assert r.status == "published"
    key = newsroom_key(newsroom.root)
    accounts = []
    for stage in STAGES:
        block = r["review"][stage]
        assert verify(key, r.kind.name, r.id, block["hash"], stage, block["account"], block["time"], block["signature"])
        accounts.append(block["account"])
    assert accounts == ["zhao", "qian", "sun"]
    assert [n["action"] for n in r["review"]["thread"]] == ["提交", "退回", "提交", "通过", "通过", "通过"]
    assert signature_problems(newsroom.root, [r]) == []
    problems = [p for p in check_repository(newsroom.root)[1] if p.path == r.path and p.level == "error"]
    assert problems == []

    # One commit per step, each authored by its person.
    log = newsroom.log()[:6]
    assert [(name, email) for name, email, _ in log] == [
        ("孙三", "sun@newsroom"), ("钱二", "qian@newsroom"), ("赵一", "zhao@newsroom"),
        ("李四", "lisi@newsroom"), ("赵一", "zhao@newsroom"), ("李四", "lisi@newsroom")]
    assert log[0][2] == "终审通过：测试甲党支部（撰稿：李四）"
    assert log[4][2] == "初审退回：测试甲党支部（撰稿：李四）"
    assert log[5][2] == "提交审核：测试甲党支部（撰稿：李四）"
    changed = repository._git(newsroom.root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert changed == [r.path]


def test_contributor_cannot_approve(drafts, people):
    submitted(drafts, people)
    before = state(drafts, UNIT_A)
    for name in ("lisi", "liu"):
        response = act(client_of(people[name]), UNIT_A, "approve", "", "first")
        assert response.status_code == 403
        assert "初审" in response.content.decode()
    unchanged(drafts, UNIT_A, *before)


def test_nobody_reviews_what_they_submitted(drafts, people):
    editor = client_of(people["editor"])   # 编辑 and 初审
    assert act(editor, UNIT_B, "submit").status_code == 302
    before = state(drafts, UNIT_B)
    for action, comment in (("approve", ""), ("return", "自己退回")):
        response = act(editor, UNIT_B, action, comment, "first")
        assert response.status_code == 403
        assert "自己提交" in response.content.decode()
    unchanged(drafts, UNIT_B, *before)


def test_one_person_signs_one_stage(drafts, people):
    submitted(drafts, people)
    both = client_of(people["both"])   # 初审 and 复审
    assert act(both, UNIT_A, "approve", "", "first").status_code == 302
    before = state(drafts, UNIT_A)
    response = act(both, UNIT_A, "approve", "", "second")
    assert response.status_code == 403 and "两个审核阶段" in response.content.decode()
    unchanged(drafts, UNIT_A, *before)
    assert act(client_of(people["qian"]), UNIT_A, "approve", "", "second").status_code == 302


def test_stages_in_order(drafts, people):
    submitted(drafts, people)
    before = state(drafts, UNIT_A)
    for name, stage in (("qian", "second"), ("qian", None), ("sun", "final")):
        assert act(client_of(people[name]), UNIT_A, "approve", "", stage).status_code == 403
    unchanged(drafts, UNIT_A, *before)


def test_contributor_submits_only_their_units(drafts, people):
    before = state(drafts, UNIT_B)
    response = act(client_of(people["lisi"]), UNIT_B, "submit")
    assert response.status_code == 403 and "本单位" in response.content.decode()
    assert client_of(people["lisi"]).get(reverse("newsroom:item", args=UNIT_B)).status_code == 403
    assert client_of(people["lisi"]).get(reverse("newsroom:item", args=UNIT_A)).status_code == 200
    unchanged(drafts, UNIT_B, *before)
    # A reviewer without 撰稿 or 编辑 submits nothing either.
    assert act(client_of(people["zhao"]), UNIT_A, "submit").status_code == 403


def test_return_needs_a_comment(drafts, people):
    submitted(drafts, people)
    before = state(drafts, UNIT_A)
    response = act(client_of(people["zhao"]), UNIT_A, "return", "  ", "first")
    assert response.status_code == 403 and "意见" in response.content.decode()
    unchanged(drafts, UNIT_A, *before)


def test_news_of_its_author(drafts, people):
    """News has no unit: a contributor tied to a unit submits the posts whose
    author names them, and after that only they resubmit it."""
    drafts.draft("news", "newsroom-test-news", {"title": "测试动态", "date": "2026-12-01", "author": "通讯员 李四"})
    drafts.draft("news", "newsroom-test-other", {"title": "别人的动态", "date": "2026-12-01", "author": "王五"})
    news, other = ("news", "newsroom-test-news"), ("news", "newsroom-test-other")
    assert act(client_of(people["liu"]), news, "submit").status_code == 403
    assert act(client_of(people["lisi"]), other, "submit").status_code == 403
    assert act(client_of(people["lisi"]), news, "submit").status_code == 302
    assert act(client_of(people["zhao"]), news, "return", "请改标题", "first").status_code == 302
    assert act(client_of(people["liu"]), news, "submit").status_code == 403
    assert act(client_of(people["lisi"]), news, "submit").status_code == 302


def test_uncommitted_changes_are_not_committed_under_a_reviewer(drafts, people):
    submitted(drafts, people)
    rel = record(drafts, UNIT_A).path
    path = drafts.root / rel
    path.write_text(path.read_text(encoding="utf-8").replace("用于测试审稿的草稿。", "有人改了一半。"), encoding="utf-8")
    before = drafts.log()
    response = act(client_of(people["zhao"]), UNIT_A, "approve", "", "first")
    assert response.status_code == 409 and "尚未提交" in response.content.decode()
    assert drafts.log() == before and "有人改了一半。" in drafts.read(rel)


def test_unknown_items(drafts, people):
    c = client_of(people["zhao"])
    assert c.get(reverse("newsroom:item", args=["unit", "no-such-record"])).status_code == 404
    assert c.get(reverse("newsroom:item", args=["figure", "peixun-renci"])).status_code == 404
    assert c.get(reverse("newsroom:item", args=["unit", "..%2F..%2Fmkdocs"])).status_code == 404
    assert c.get(reverse("newsroom:queue", args=["final"])).status_code == 403
    assert act(c, UNIT_A, "publish").status_code == 400


def test_item_page_shows_the_record_as_text(drafts, people):
    drafts.draft("unit", "newsroom-test-c", {"name": "<script>alert(1)</script>", "sector": "农村"},
                 body="<img src=x onerror=alert(1)>")
    page = client_of(people["editor"]).get(reverse("newsroom:item", args=["unit", "newsroom-test-c"]))
    html = page.content.decode()
    assert page.status_code == 200 and "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "送审" in html


def test_a_stale_page_signs_nothing(drafts, people):
    """Two reviewers on the same page: the second click finds the stage signed."""
    submitted(drafts, people)
    assert act(client_of(people["zhao"]), UNIT_A, "approve", "", "first").status_code == 302
    before = state(drafts, UNIT_A)
    response = act(client_of(people["both"]), UNIT_A, "approve", "", "first")
    assert response.status_code == 403 and "稿件状态已变化" in response.content.decode()
    unchanged(drafts, UNIT_A, *before)


def test_one_change_at_a_time(tmp_path):
    """The repository's lock holds across processes (gunicorn workers)."""
    import subprocess
    import sys
    import time

    lock = tmp_path / "repository.lock"
    code = ("import sys, time; from pathlib import Path; from scripts.newsroom.repository import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(1.0)\n")
    other = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        assert other.stdout.readline().strip() == "held"
        start = time.monotonic()
        with repository.locked(lock):
            waited = time.monotonic() - start
        assert waited > 0.5
    finally:
        other.wait(timeout=30)


@pytest.mark.parametrize("layout", ["---\n# 编辑部的说明\nname: 测试甲党支部  # 全称\nsector: 农村\nstatus: review\n---\n\n\n正文。\n\n\n",
                                    "---\nname: 测试甲党支部\nsector: 农村\nstatus: review\n---\n正文。",
                                    "---\nname: '测试甲党支部'\nsector: 农村\nstatus: review\n---\n"])
def test_signatures_hold_whatever_the_file_looked_like(drafts, people, layout):
    """A file laid out by hand during review (blank lines, quotes, comments):
    writing it evens the layout out, and what is signed is the content as the
    file reads back afterwards."""
    submitted(drafts, people)
    import yaml
    r = record(drafts, UNIT_A)
    block = yaml.safe_dump({"review": r["review"]}, allow_unicode=True, default_flow_style=False, indent=4)
    rel = r.path
    (drafts.root / rel).write_text(layout.replace("status: review", "status: review\n" + block.rstrip("\n")),
                                   encoding="utf-8")
    git(drafts.root, "commit", "-q", "-am", "编辑部整理版面")
    assert record(drafts, UNIT_A).status == "review"
    for name, stage in (("zhao", "first"), ("qian", "second"), ("sun", "final")):
        response = act(client_of(people[name]), UNIT_A, "approve", "", stage)
        assert response.status_code == 302, response.content.decode()
    r = record(drafts, UNIT_A)
    assert r.status == "published" and signature_problems(drafts.root, [r]) == []
    assert ("# 编辑部的说明" in drafts.read(rel)) == ("# 编辑部的说明" in layout)


def test_content_changed_after_a_stage_goes_round_again(drafts, people):
    submitted(drafts, people)
    assert act(client_of(people["zhao"]), UNIT_A, "approve", "", "first").status_code == 302
    rel = record(drafts, UNIT_A).path
    path = drafts.root / rel
    path.write_text(path.read_text(encoding="utf-8").replace("正文第二段。", "初审后改过的第二段。"), encoding="utf-8")
    git(drafts.root, "commit", "-q", "-am", "初审后改稿")
    before = state(drafts, UNIT_A)
    response = act(client_of(people["qian"]), UNIT_A, "approve", "", "second")
    assert response.status_code == 403 and "初审之后被修改过" in response.content.decode()
    unchanged(drafts, UNIT_A, *before)
    assert act(client_of(people["qian"]), UNIT_A, "return", "内容有改动，请重新送审。", "second").status_code == 302
    assert record(drafts, UNIT_A).status == "draft"
