"""The wording lint: the source's own typos and common errors of official
writing, on word boundaries (jieba), in records' fields, bodies and pages."""
from __future__ import annotations

import pytest

from scripts.check import check
from scripts.check.lint import Linter, load_lists

SOURCE_TYPOS = [  # as they stand in the source document
    ("展示五好党组织风彩大赛的风彩", "风彩", "风采"),
    ("对成绩突出的干部进行调拔使用", "调拔", "提拔"),
    ("极时宣传我市党建工作开展情况", "极时", "及时"),
    ("分别在呼伦贝电视台和内蒙古电视台播放", "呼伦贝电视台", "呼伦贝尔电视台"),
    ("对抓党建工作成绩突的领导干部", "成绩突的", "成绩突出的"),
    ("截止目前，共提拔使用18人", "截止目前", "截至目前"),
]


@pytest.fixture(scope="module")
def linter():
    from pathlib import Path
    return Linter(*load_lists(Path("/nonexistent")))  # the project's own lists


@pytest.mark.parametrize("text, wrong, right", SOURCE_TYPOS)
def test_each_typo_of_the_source_is_flagged_in_a_record(repo, text, wrong, right):
    repo.write("exemplars/units/a.md", f"---\nname: 甲党支部\nsector: 农村\nsummary: {text}\n---\n\n正文第一段。\n\n{text}。\n")
    found = [p for p in check(repo.path) if wrong in p.message]
    assert [(p.path, p.line, p.field) for p in found] == [
        ("exemplars/units/a.md", 4, "summary"), ("exemplars/units/a.md", 9, "正文")]
    assert all(p.level == "error" and f"“{wrong}”应为“{right}”" in p.message for p in found)
    assert str(found[0]).startswith("exemplars/units/a.md:4: summary: ")


@pytest.mark.parametrize("text", ["和风彩云", "春日和风彩云飘", "积极时代新人", "他既使用了电脑又使用了手机", "截至目前", "呼伦贝尔电视台"])
def test_correct_text_is_left_alone(linter, text):
    assert linter.findings(text) == []


@pytest.mark.parametrize("text, wrong", [
    ("风彩大赛", "风彩"), ("我们要再接再励", "再接再励"), ("既使困难再大", "既使"),
    ("一股作气完成任务", "一股作气"), ("迫不急待", "迫不急待"), ("精典案例", "精典"),
    ("免费按装宽带", "按装"),
])
def test_common_errors_are_flagged(linter, text, wrong):
    assert [w for w, _ in linter.findings(text)] == [wrong]


def test_the_allowlist_silences_a_false_positive(repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲党支部\nsector: 农村\n---\n\n风彩大赛。\n")
    assert any("风彩" in p.message for p in check(repo.path))
    repo.write("wording/typos.yml", "风彩: 风采\n")
    repo.write("wording/allow.yml", "- 风彩大赛\n")
    assert not any("风彩" in p.message for p in check(repo.path))


def test_the_list_is_the_repositorys_own(repo):
    repo.write("wording/typos.yml", "党建网站: 党建网\n")
    repo.write("wording/allow.yml", "[]\n")
    repo.write("exemplars/members/m.md", "---\nname: 张三\nposition: 党建网站管理员\n---\n")
    (p,) = check(repo.path)
    assert (p.path, p.line, p.field) == ("exemplars/members/m.md", 3, "position")


def test_content_pages_and_yaml_records_are_linted(repo):
    repo.write("content/about.md", "---\ntitle: 关于\ndescription: 精典做法\n---\n\n正文再接再励。\n")
    repo.write("exemplars/sms/a.yml", "author: 某某\ntext: 迫不急待\n")
    found = {(p.path, p.line, p.field) for p in check(repo.path)}
    assert found == {("content/about.md", 3, "description"), ("content/about.md", 6, "正文"),
                     ("exemplars/sms/a.yml", 2, "text")}


def test_check_exits_non_zero_on_a_typo(repo):
    import subprocess
    import sys
    from pathlib import Path
    repo.write("exemplars/units/a.md", "---\nname: 甲党支部\nsector: 农村\n---\n\n极时宣传。\n")
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "check"],
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    assert done.returncode == 1
    assert "exemplars/units/a.md:6: 正文: “极时”应为“及时”" in done.stdout


def test_the_shipped_content_has_none_of_the_listed_typos(root):
    assert [p for p in check(root) if "错别字" in p.message] == []


@pytest.mark.parametrize("name, text, line", [
    ("typos.yml", "风彩: 风采\n调拔 提拔\n极时: [及时\n", 3),
    ("typos.yml", "- 风彩\n", 1),
    ("allow.yml", "和风彩云: 1\n", 1),
])
def test_a_broken_word_list_is_a_chinese_message(repo, name, text, line):
    repo.write("wording/typos.yml", "风彩: 风采\n")
    repo.write("wording/allow.yml", "[]\n")
    repo.write(f"wording/{name}", text)
    (p,) = check(repo.path)
    assert (p.path, p.line) == (f"wording/{name}", line) and "格式" in p.message
