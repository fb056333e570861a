"""The messages of hand edits, as an editor meets them: the likely slips of a
non-programmer in a record file, each named at its own line, in plain Chinese,
saying what to write instead (issue 12, point 6). Checked through `check`, as
`make check` prints them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.check import check

ROOT = Path(__file__).resolve().parent.parent
UNIT = "exemplars/units/moumou-cun-dangzhibu.md"


def problems(repo, rel: str, text: str) -> list[str]:
    repo.write(rel, text)
    return [str(p) for p in check(repo.path) if p.path == rel]


def only(repo, rel: str, text: str) -> str:
    found = problems(repo, rel, text)
    assert len(found) == 1, found
    return found[0]


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


JARGON = ("block", "mapping", "scalar", "token", "expected", "<", "YAML 格式错误")


def plain(message: str) -> str:
    for word in JARGON:
        assert word not in message, message
    return message


# --- the file's form ------------------------------------------------------------

def test_a_chinese_colon_is_named_at_its_own_line(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector：农村", "town: 某某镇", "---"))
    assert msg.startswith(f"{UNIT}:3: ") and "中文冒号" in plain(msg) and "“sector: 农村”" in msg


def test_a_chinese_colon_on_every_line_is_named_at_each(repo):
    found = problems(repo, UNIT, lines("---", "name：某某村党支部", "sector：农村", "---"))
    assert len(found) == 2, found
    assert found[0].startswith(f"{UNIT}:2: ") and "中文冒号" in plain(found[0]) and "“name: 某某村党支部”" in found[0]
    assert found[1].startswith(f"{UNIT}:3: ") and "中文冒号" in plain(found[1]) and "“sector: 农村”" in found[1]


def test_no_space_after_the_colon_is_named_at_its_own_line(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "town:某某镇", "summary: 简介", "---"))
    assert msg.startswith(f"{UNIT}:4: ") and "冒号后面缺少空格" in plain(msg) and "“town: 某某镇”" in msg


def test_an_unclosed_quote_is_named_where_it_opens(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "town: 某某镇",
                                 'summary: "一两句话的简介', "featured: true", "honours:",
                                 "  - title: 某某奖", "    year: 2010", "status: draft", "---"))
    assert msg.startswith(f"{UNIT}:5: ") and "引号没有配对" in plain(msg)


def test_text_after_a_closing_quote_is_named(repo):
    msg = only(repo, UNIT, lines("---", "name: '某某'村党支部", "sector: 农村", "---"))
    assert msg.startswith(f"{UNIT}:2: ") and "引号后面不能再有文字" in plain(msg)


@pytest.mark.parametrize("rows, line", [
    (("name: 某某村党支部", "  sector: 农村"), 3),                                   # a field indented more
    (("name: 某某村党支部", "sector: 农村", "honours:", "  - title: 某某奖", "   year: 2010"), 6),
    (("name: 某某村党支部", "sector: 农村", "honours:", "  - title: 某某奖", "     year: 2010"), 6),
    (("name: 某某村党支部", "sector: 农村", "review:", "  first:", "    by: 编辑部", "   date: 2024-07-01"), 7),
    (("name: 某某村党支部", "sector: 农村", "honours:", "- title: 甲", "  year: 2010", " - title: 乙"), 7),
])
def test_indentation_faults_are_worded_without_parser_jargon(repo, rows, line):
    msg = only(repo, UNIT, lines("---", *rows, "---"))
    assert msg.startswith(f"{UNIT}:{line}: ") and "缩进不对" in plain(msg)


def test_a_tab_is_named(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "\tsector: 农村", "---"))
    assert msg.startswith(f"{UNIT}:3: ") and "Tab" in plain(msg)


def test_a_colon_inside_a_value_says_to_quote_it(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "summary: 时间: 2010年", "---"))
    assert msg.startswith(f"{UNIT}:4: ") and "引号" in plain(msg)


def test_yaml_records_get_the_same_messages(repo):
    msg = only(repo, "exemplars/sms/a.yml", lines("text: 短信内容", "author：某某"))
    assert msg.startswith("exemplars/sms/a.yml:2: ") and "中文冒号" in plain(msg)


# --- the values -------------------------------------------------------------------

def test_a_near_miss_of_a_choice_gets_a_did_you_mean(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农林", "---"))
    assert msg.startswith(f"{UNIT}:3: sector（领域）: ") and "是否想写“农村”" in msg


@pytest.mark.parametrize("answer, expected", [("是", True), ("否", False), ("true", True), ("false", False)])
def test_true_or_false_fields_accept_shi_and_fou(repo, answer, expected):
    assert problems(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", f"featured: {answer}", "---")) == []
    from scripts.records.loader import load_all
    (record,) = load_all(repo.path)[0]
    assert record["featured"] is expected


def test_other_answers_to_true_or_false_say_exactly_what_to_write(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "featured: 对", "---"))
    assert msg.startswith(f"{UNIT}:4: featured（首页推荐）: ") and "请写成 true 或 false" in msg


def test_a_year_with_its_unit_says_what_to_write(repo):
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "honours:", "  - title: 某某奖",
                                 "    year: 2010年", "---"))
    assert msg.startswith(f"{UNIT}:6: honours[1].year（荣誉 › 年份）: ") and "请写成 2010" in msg


@pytest.mark.parametrize("written, meant", [("2026年11月26日", "2026-11-26"), ("2026.11.26", "2026-11-26"),
                                           ("2026/1/5", "2026-01-05")])
def test_a_date_in_chinese_says_what_to_write(repo, written, meant):
    rel = "content/news/posts/a.md"
    msg = only(repo, rel, lines("---", "title: 某某活动", f"date: {written}", "---", "正文。"))
    assert msg.startswith(f"{rel}:3: date（发布日期）: ") and f"请写成 {meant}" in msg


def test_an_impossible_date_is_not_given_a_suggestion(repo):
    rel = "content/news/posts/a.md"
    msg = only(repo, rel, lines("---", "title: 某某活动", "date: 2026年2月30日", "---", "正文。"))
    assert "不是有效日期" in msg and "请写成 2026" not in msg


def test_a_name_where_an_id_belongs_gets_the_id(repo):
    repo.write("exemplars/units/moumou-cun-dangzhibu.md", lines("---", "name: 某某村党支部", "sector: 农村", "---"))
    rel = "exemplars/members/zhang-san.md"
    msg = only(repo, rel, lines("---", "name: 张三", "unit: 某某村党支部", "---"))
    assert msg.startswith(f"{rel}:3: unit（所在单位）: ") and "请写成 moumou-cun-dangzhibu" in msg


def test_a_name_in_a_list_of_references_gets_the_id(repo):
    repo.write("exemplars/members/zhang-san.md", lines("---", "name: 张三", "---"))
    msg = only(repo, UNIT, lines("---", "name: 某某村党支部", "sector: 农村", "members:", "  - 张三", "---"))
    assert msg.startswith(f"{UNIT}:5: members[1]（相关党员）: ") and "请写成 zhang-san" in msg


def test_free_text_that_names_no_record_stays_free_text(repo):
    assert problems(repo, "exemplars/members/zhang-san.md",
                    lines("---", "name: 张三", "unit: 某某镇某某村党支部", "---")) == []


# --- the command line --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("args", [["new"], ["new", "unit"], ["new", "unit", ""], ["new", "", "某某"]])
def test_new_without_a_kind_or_a_name_says_how_to_call_it(repo, args):
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 1
    assert "make new KIND=unit NAME=" in done.stderr and "KIND 可选" in done.stderr
    assert ":0:" not in done.stderr and "网站未更新" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_make_new_without_a_name_says_how_to_call_it(repo):
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "new", "KIND=unit",
                           f"PYTHON={sys.executable}"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode != 0 and "没有写名称（NAME）" in done.stderr and ":0:" not in done.stderr
