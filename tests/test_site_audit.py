"""网站自查 (scripts/audit): a fixture repository whose clock is set (git
commits with set dates, `today` given), judged as the inspection judges a
government website: the home page and the columns against their limits,
empty columns, dates missing, in the future or backdated (unless explained),
names of members and units misspelt elsewhere; the release gate refuses the
veto items; the report (terminal and HTML) says what to do."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
import yaml

from scripts.audit import audit, veto_problems
from scripts.audit.clock import ClockError, today as clock_today
from scripts.audit.history import History
from scripts.audit.report import html, text, write_html
from scripts.records.schema import SCHEMA_PATH

from tests.conftest import ROOT
from tests.test_model_check import project_model

START = date(2027, 1, 4)       # the fixture's first commit
POSTED = date(2027, 3, 1)      # the news post's date and commit
REVIEW = "review: {first: {by: 编辑部, date: %s}, second: {by: 办公室, date: %s}, final: {by: 分管领导, date: %s}}\n"


def reviewed(day: date) -> str:
    return REVIEW % (day, day, day)


def git(root, *args, day: date | None = None) -> str:
    stamp = f"{day or START}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
           "GIT_AUTHOR_NAME": "编辑部", "GIT_AUTHOR_EMAIL": "bianji@example.org",
           "GIT_COMMITTER_NAME": "编辑部", "GIT_COMMITTER_EMAIL": "bianji@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True,
                          check=True).stdout


def commit(root, day: date, message: str = "更新") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, day=day)


def audit_model(empty_kinds: int = 0) -> dict:
    """The project's model with the self-check's blocks: news a 14-day
    column, a 通知公告 kind of 180 days, members and units checked for
    misspelt names, `date_reason` a common field; `empty_kinds` more kinds
    in the menu that have no records."""
    model = project_model()
    kinds = model["kinds"]
    kinds["news"]["audit"] = {"idle_days": 14, "warn_days": 3}
    kinds["unit"]["audit"] = {"names": True}
    kinds["member"]["audit"] = {"names": True}
    notice = yaml.safe_load(yaml.safe_dump(kinds["news"]))
    notice.update(label="通知公告", plural="通知公告", path="content/notices/*.md", url="notices/{id}/",
                  audit={"idle_days": 180, "warn_days": 30})
    notice["fields"]["date"]["required"] = False
    notice["show"] = {"menu": {"label": "通知公告", "position": 6}}
    kinds["notice"] = notice
    for n in range(empty_kinds):
        kinds[f"column{n}"] = {"label": f"空栏目{n}", "path": f"content/column{n}/*.yml", "url": f"column{n}/",
                               "title_field": "text", "show": {"menu": {"label": f"空栏目{n}", "position": 10 + n}},
                               "fields": {"text": {"type": "text", "label": "内容"}}}
    model["common"]["date_reason"] = {"type": "text", "max": 200, "label": "日期说明",
                                      "help": "发布日期早于稿件提交日的原因，如“转载自某报”。"}
    return model


def write_model(repo, model: dict) -> None:
    repo.write(SCHEMA_PATH, yaml.safe_dump(model, allow_unicode=True, sort_keys=False, width=1 << 20))


def news(repo, rid: str, day: date, body: str = "正文。", **extra) -> None:
    more = "".join(f"{k}: {v}\n" for k, v in extra.items())
    repo.write(f"content/news/posts/{rid}.md", f"---\ntitle: 消息{rid}\ndate: {day}\n{more}"
               f"{reviewed(day)}status: published\n---\n{body}\n")


def notice(repo, rid: str, day: date | None) -> None:
    dated = f"date: {day}\n" if day else ""
    repo.write(f"content/notices/{rid}.md", f"---\ntitle: 通知{rid}\n{dated}{reviewed(START)}status: published\n---\n")


def people(repo, reviewed_on: date = START) -> None:
    """A unit and a member (real, published), and one of each kind the menu shows."""
    repo.write("exemplars/units/a.md", f"---\nname: 东风嘎查党支部\nsector: 农村\nmembers: [zhang]\n"
                                      f"{reviewed(reviewed_on)}status: published\n---\n")
    repo.write("exemplars/members/zhang.md", f"---\nname: 张三丰\nunit: a\n{reviewed(reviewed_on)}status: published\n"
                                            "---\n张三丰同志扎根基层。\n")
    repo.write("exemplars/videos/v.md", f"---\ntitle: 田野\n{reviewed(reviewed_on)}status: published\n---\n")
    repo.write("exemplars/sms/s.yml", f"text: 学理论\n{reviewed(reviewed_on)}status: published\n")
    repo.write("exemplars/figures/f.yml", "value: 1\nlabel: 党员\nwording: 党员 1 名\nsection: 机制推动\n")


@pytest.fixture
def site(repo):
    """The fixture: the model above, people, a notice; first commit on START,
    a news post written and committed on POSTED."""
    write_model(repo, audit_model())
    people(repo)
    notice(repo, "n1", START)
    git(repo.path, "init", "-q")
    commit(repo.path, START, "初始内容")
    news(repo, "p1", POSTED)
    commit(repo.path, POSTED, "发布消息")
    return repo


def errors(problems):
    return [p for p in problems if p.level == "error"]


def item(report, key):
    return next(i for i in report.items if i.key == key)


# --- the clock -------------------------------------------------------------------

def test_today_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.setenv("ZLT_TODAY", "2026-12-09")
    assert clock_today() == date(2026, 12, 9)
    assert clock_today("2027-01-02") == date(2027, 1, 2)
    monkeypatch.setenv("ZLT_TODAY", "明天")
    with pytest.raises(ClockError, match="ZLT_TODAY.*不是日期"):
        clock_today()


def test_the_first_commit_follows_renames(repo):
    """One run of git for every file gives what --follow --diff-filter=A gives for each."""
    repo.write("content/news/posts/old.md", "---\ntitle: 旧\n---\n")
    git(repo.path, "init", "-q")
    commit(repo.path, START)
    git(repo.path, "mv", "content/news/posts/old.md", "content/news/posts/new.md")
    commit(repo.path, POSTED)
    repo.write("content/news/posts/later.md", "新")
    history = History(repo.path, date(2027, 6, 1))
    assert history.added("content/news/posts/new.md") == START
    follow = git(repo.path, "log", "--follow", "--diff-filter=A", "--format=%aI", "--",
                 "content/news/posts/new.md").split()
    assert date.fromisoformat(follow[-1][:10]) == START
    assert history.added("content/news/posts/later.md") == date(2027, 6, 1)   # not committed: today
    assert History(repo.path / "content", START).added("news/posts/new.md") == START   # a folder below the top


# --- the home page and the columns ------------------------------------------------

def test_a_home_page_twelve_days_old_warns_and_fifteen_fails(site):
    warned = veto_problems(site.path, POSTED + timedelta(days=12))
    assert not errors(warned)
    (home,) = [p for p in warned if "首页" in p.message]
    assert home.level == "warning" and "已 12 天没有新信息" in home.message and "再过 3 天" in home.message
    assert home.path == "content/news/posts/p1.md" and home.field == "date（发布日期）"
    failed = veto_problems(site.path, POSTED + timedelta(days=15))
    assert any("首页已 15 天没有新信息" in p.message and "单项否决" in p.message for p in errors(failed))
    assert not veto_problems(site.path, POSTED + timedelta(days=5))


def test_a_new_unit_on_the_home_page_counts_by_its_final_review(site):
    """A kind without a date field: the day it was approved (终审) for the site."""
    day = POSTED + timedelta(days=10)
    site.write("exemplars/members/li.md", f"---\nname: 李四\nunit: a\n{reviewed(day)}status: published\n---\n")
    report = audit(site.path, POSTED + timedelta(days=15), build=False)
    assert item(report, "home").status == "pass"
    assert "优秀共产党员“李四”（终审日期），%s" % day in item(report, "home").summary


def test_an_idle_column_fails_at_its_own_limit(site):
    day = POSTED + timedelta(days=15)
    site.write("exemplars/members/li.md", f"---\nname: 李四\nunit: a\n{reviewed(day)}status: published\n---\n")
    report = audit(site.path, day, build=False)
    assert item(report, "home").status == "pass"         # the home page is fresh…
    columns = item(report, "columns")
    assert columns.status == "fail"                       # …but 工作动态 is 15 days idle
    (p,) = columns.problems
    assert p.path == "content/news/posts/p1.md" and "栏目“工作动态”已 15 天未更新" in p.message
    # 通知公告 (180 days): idle since START, within its limit, then warned, then failed.
    rows = {c.kind.name: c for c in report.columns}
    assert rows["notice"].status == "pass" and rows["news"].status == "fail"
    assert audit(site.path, START + timedelta(days=160), build=False).columns[-1].status == "warn"
    late = veto_problems(site.path, START + timedelta(days=181))
    assert any("栏目“通知公告”已 181 天未更新" in p.message for p in errors(late))


def test_an_untimed_column_is_never_idle(site):
    report = audit(site.path, POSTED + timedelta(days=1000), build=False)
    rows = {c.kind.name: c for c in report.columns}
    assert rows["unit"].status == "skip" and rows["unit"].days == 1000 + (POSTED - START).days


def samples_only(repo, kinds: int) -> None:
    """A published sample in each of the model's extra columns: on the site
    (samples show, marked 示例), yet no information of its own."""
    for n in range(kinds):
        repo.write(f"content/column{n}/s.yml", f"text: 示例内容\nsample: true\n{reviewed(START)}status: published\n")


def test_empty_columns_are_flagged_and_five_are_a_veto(site):
    write_model(site, audit_model(empty_kinds=4))
    samples_only(site, 4)
    four = veto_problems(site.path, POSTED)
    assert len([p for p in four if "是空白栏目" in p.message]) == 4 and not errors(four)
    report = audit(site.path, POSTED, build=False)
    assert not item(report, "empty").veto and item(report, "empty").status == "warn"
    write_model(site, audit_model(empty_kinds=5))
    samples_only(site, 5)
    five = errors(veto_problems(site.path, POSTED))
    assert len(five) == 5 and all("空白栏目共 5 个" in p.message for p in five)
    assert five[0].path == SCHEMA_PATH and five[0].field == "kinds.column0.show.menu"
    assert audit(site.path, POSTED, build=False).failed


def test_columns_without_any_published_record_are_hidden_not_empty(site):
    """The build leaves a column with no published record out of the site
    (tests/test_launched_site.py): the self-check says so and counts no
    empty column, however many there are."""
    write_model(site, audit_model(empty_kinds=6))
    samples_only(site, 1)   # column0 shows (a sample), column1..5 are hidden
    problems = veto_problems(site.path, POSTED)
    assert [p.field for p in problems if "空白栏目" in p.message] == ["kinds.column0.show.menu"]
    assert not errors(problems)
    report = audit(site.path, POSTED, build=False)
    empty = item(report, "empty")
    assert empty.status == "warn" and not report.failed
    assert empty.info == [f"栏目“空栏目{n}”暂无已发布信息，已自动隐藏，发布第一条后自动出现" for n in range(1, 6)]
    assert "说明：栏目“空栏目3”暂无已发布信息，已自动隐藏" in text(report)
    assert "栏目“空栏目3”暂无已发布信息，已自动隐藏" in html(report)
    rows = {c.kind.name: c for c in report.columns}
    assert rows["column3"].hidden and not rows["column0"].hidden
    # A draft does not show it: the public site has no draft.
    site.write("content/column3/d.yml", "text: 草稿\nstatus: draft\n")
    assert rows["column3"].hidden == {c.kind.name: c for c in audit(site.path, POSTED, build=False).columns}["column3"].hidden


def test_a_column_of_samples_only_is_empty(site):
    site.write("exemplars/sms/s.yml", f"text: 学理论\nsample: true\n{reviewed(START)}status: published\n")
    assert any("栏目“红色短信”是空白栏目" in p.message for p in veto_problems(site.path, POSTED))


# --- dates ----------------------------------------------------------------------

def test_a_backdated_post_is_flagged_and_passes_with_its_reason(site):
    news(site, "p2", POSTED - timedelta(days=10))
    commit(site.path, POSTED)
    (p,) = errors(veto_problems(site.path, POSTED))
    assert p.path == "content/news/posts/p2.md" and p.line == 3 and p.field == "date（发布日期）"
    assert "早 10 天" in p.message and "伪造发稿日期" in p.message and "date_reason" in p.message
    # Within the margin (3 days): not flagged.
    news(site, "p2", POSTED - timedelta(days=3))
    assert not errors(veto_problems(site.path, POSTED))
    news(site, "p2", POSTED - timedelta(days=10), date_reason="转载自《兴安日报》当日报道")
    assert not errors(veto_problems(site.path, POSTED))
    report = audit(site.path, POSTED, build=False)
    (explained,) = report.explained
    assert explained[0].id == "p2" and explained[1] == POSTED and "兴安日报" in explained[2]
    assert "转载自《兴安日报》当日报道" in text(report) and "转载自《兴安日报》当日报道" in html(report)


def test_a_post_not_yet_committed_counts_from_today(site):
    news(site, "p3", POSTED + timedelta(days=1))
    assert not errors(veto_problems(site.path, POSTED + timedelta(days=1)))
    # Still not committed ten days later: it reaches the site no earlier than today.
    (p,) = errors(veto_problems(site.path, POSTED + timedelta(days=10)))
    assert p.path.endswith("p3.md") and "早 9 天" in p.message


def test_future_and_missing_dates(site):
    news(site, "p4", POSTED + timedelta(days=2))
    notice(site, "n2", None)
    found = {p.path: p.message for p in errors(veto_problems(site.path, POSTED))}
    assert "晚于今天" in found["content/news/posts/p4.md"]
    assert "没有发布日期" in found["content/notices/n2.md"]


def test_without_git_the_backdating_is_not_checked_and_says_so(repo):
    write_model(repo, audit_model())
    people(repo)
    news(repo, "p1", POSTED - timedelta(days=100))
    report = audit(repo.path, POSTED, build=False)
    assert not item(report, "dates").problems
    assert "未能核对是否倒填日期" in item(report, "dates").summary
    assert any("不是 git 仓库" in n for n in report.notes)


# --- names ----------------------------------------------------------------------

def test_a_misspelt_name_of_a_member_is_flagged(site):
    news(site, "p2", POSTED, body="记者采访了优秀党员张三风同志，\n他所在的东风嘎查党支布……")
    commit(site.path, POSTED)
    found = [p for p in errors(veto_problems(site.path, POSTED)) if "只差一个字" in p.message]
    assert {(p.path, p.line, p.field) for p in found} == {("content/news/posts/p2.md", 7, "正文"),
                                                          ("content/news/posts/p2.md", 8, "正文")}
    assert any("“张三风”与“张三丰”（exemplars/members/zhang.md）" in p.message for p in found)
    assert any("“东风嘎查党支布”与“东风嘎查党支部”" in p.message for p in found)


@pytest.mark.parametrize("written", [
    "张三丰",        # the name itself
    "李三丰",        # another surname: another person
    "张三",          # too short to judge; and 张三同 (of 张三同志) is no word
])
def test_what_is_not_a_misspelt_name(site, written):
    news(site, "p2", POSTED, body=f"{written}同志讲话。")
    assert not [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]


def test_a_near_miss_that_is_a_record_or_allowed_is_not_flagged(site):
    news(site, "p2", POSTED, body="张三风同志讲话。")
    site.write("exemplars/members/feng.md", "---\nname: 张三风\nunit: a\nstatus: draft\n---\n")
    assert not [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]
    (site.path / "exemplars/members/feng.md").unlink()
    assert [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]
    site.write("wording/allow.yml", "- 和风彩云\n- 张三风\n")
    assert not [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]


def test_numbered_units_are_not_misspellings(site):
    site.write("exemplars/units/b.md", f"---\nname: 第一网格党支部\nsector: 社区\n{reviewed(START)}"
                                      "status: published\n---\n")
    news(site, "p2", POSTED, body="第二网格党支部也参加了。")
    assert not [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]


def test_a_misspelling_in_a_draft_or_a_review_note_is_not_on_the_site(site):
    site.write("content/news/posts/d.md", f"---\ntitle: 草稿\ndate: {POSTED}\nstatus: draft\n---\n张三风\n")
    site.write("exemplars/units/a.md", "---\nname: 东风嘎查党支部\nsector: 农村\nnote: 张三风的材料待核\n"
                                      f"{reviewed(START)}status: published\n---\n")
    assert not [p for p in veto_problems(site.path, POSTED) if "只差一个字" in p.message]


# --- the release gate and the report ----------------------------------------------

def run(args, root, today: str | None = None):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("ZLT_TODAY", None)
    if today:
        env["ZLT_TODAY"] = today
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), *args],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.slow
def test_the_release_refuses_a_home_page_fifteen_days_old(repo):
    from tests.test_release import clean_repo
    clean_repo(repo)      # the project's model: the home page's limit is the inspection's default
    git(repo.path, "init", "-q")
    commit(repo.path, date(2026, 11, 27))
    news(repo, "p1", POSTED)
    commit(repo.path, POSTED)
    done = run(["check", "--release"], repo.path, str(POSTED + timedelta(days=15)))
    assert done.returncode == 1
    assert re.search(r"^content/news/posts/p1\.md:\d+: date（发布日期）: 首页已 15 天没有新信息", done.stdout, re.M)
    done = run(["check", "--release"], repo.path, str(POSTED + timedelta(days=12)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "（提醒）首页已 12 天没有新信息" in done.stdout


def test_the_report_scores_the_inspections_way(site):
    news(site, "p2", POSTED - timedelta(days=10), body="张三风")
    commit(site.path, POSTED)
    report = audit(site.path, POSTED + timedelta(days=15), build=False)
    assert report.failed
    vetoes = {i.key: i.status for i in report.vetoes}
    assert vetoes == {"home": "fail", "columns": "fail", "dates": "fail", "typos": "pass", "names": "fail",
                      "empty": "pass"}
    assert {i.key for i in report.scored} == {"footer", "links", "badge"}
    out = text(report)
    assert "【单项否决指标" in out and "【扣分指标】" in out and "结论：不合格" in out
    assert "怎么办：" in out and "✗ 不合格 首页栏目信息更新" in out
    assert re.search(r"工作动态：已发布 2 条，最近 2027-03-01（发布日期），距今 15 天，期限 14 天（提前 3 天提醒），不合格", out)
    page = write_html(report)
    assert page == site.path / ".build/audit/index.html"
    doc = page.read_text(encoding="utf-8")
    assert "<script" not in doc and not re.search(r"""(src|href)=["']?(https?:)?//""", doc)
    assert "单项否决指标" in doc and "不合格" in doc and "content/news/posts/p2.md" in doc


def test_the_command_line(site):
    done = run(["audit", "--no-build"], site.path, str(POSTED + timedelta(days=1)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "结论：单项否决项目全部通过" in done.stdout and ".build/audit/index.html" in done.stdout
    assert "距今 1 天" in done.stdout
    done = run(["audit", "--no-build", "--today", str(POSTED + timedelta(days=20))], site.path)
    assert done.returncode == 1 and "结论：不合格" in done.stdout
    done = run(["audit", "--no-build"], site.path, "2027-13-01")
    assert done.returncode == 1 and "环境变量 ZLT_TODAY 的值“2027-13-01”不是日期" in done.stderr


@pytest.mark.slow
def test_the_built_site_links_and_the_badge_on_every_page(repo):
    from tests.test_release import clean_repo
    clean_repo(repo)
    report = audit(repo.path, date(2026, 11, 28))
    assert item(report, "links").status == "pass" and item(report, "badge").status == "pass", \
        [(i.key, i.problems) for i in report.items]
    assert (repo.path / ".build/audit/site/index.html").is_file()
    # A page linking nowhere, and the badge's setting gone from the settings file.
    news(repo, "p1", date(2026, 11, 28), body="见[通知](https://dangjian.zhalantun.gov.cn/notices/nowhere/)。")
    path = repo.path / "网站设置.yml"
    path.write_text(re.sub(r'(?m)^(\s+gov_badge:).*$', r'\1 ""', path.read_text(encoding="utf-8")), encoding="utf-8")
    report = audit(repo.path, date(2026, 11, 28))
    (link,) = item(report, "links").problems
    assert link.path == "content/news/posts/p1.md" and "notices/nowhere/" in link.message
    (badge,) = item(report, "badge").problems
    assert badge.field == "extra.gov_badge" and "没有显示党政机关网站标识" in badge.message
    assert item(report, "footer").status == "fail"
