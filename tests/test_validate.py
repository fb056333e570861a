"""The validator: every rule of the schema, and the checks across records."""
import pytest

from scripts.check import check


def problems_for(repo, rel, text):
    repo.write(rel, text)
    return check(repo.path)


def test_good_records_pass(repo):
    repo.write("exemplars/units/jia.md", "---\nname: 甲党支部\nsector: 社区\nmembers: [zhang]\n---\n")
    repo.write("exemplars/members/zhang.md", "---\nname: 张三\nunit: jia\n---\n")
    repo.write("exemplars/videos/pian.md", "---\ntitle: 片\nsubjects: [jia, zhang]\nbroadcasts:\n  - channel: 台\n    date: 2010-05-01\n---\n")
    assert check(repo.path) == []


@pytest.mark.parametrize("front, line, field, words", [
    ("sector: 农村", 2, "name", "缺少必填字段"),
    ("name: 甲\nsectr: 农村", 3, "sectr", "是否想写“sector”"),
    ("name: 甲\nsector: 城市", 3, "sector", "不是可选值"),
    ("name: 甲\nsector: 农村\nfeatured: 对", 4, "featured", "请写成 true 或 false"),
    ("name: 甲\nsector: 农村\nhonours:\n  - title: 奖\n    year: 二〇一〇", 6, "honours[1].year", "应为整数"),
    ("name: 甲\nsector: 农村\nstatus: done", 4, "status", "不是可选值"),
    ("name: 甲\nsector: 农村\nmembers: [nobody]", 4, "members[1]", "找不到编号为“nobody”"),
    ("name: 甲\nsector: 农村\nphoto: ../../etc/passwd.jpg", 4, "photo", "相对路径"),
    ("name: 甲\nsector: 农村\nphoto: https://example.com/a.jpg", 4, "photo", "不能引用其他网站"),
    ("name: 甲\nsector: 农村\nphoto: media/none.jpg", 4, "photo", "找不到文件"),
    ("name: " + "长" * 61 + "\nsector: 农村", 2, "name", "过长"),
])
def test_each_fault_names_file_line_and_field(repo, front, line, field, words):
    (p,) = problems_for(repo, "exemplars/units/jia.md", f"---\n{front}\n---\n")
    assert p.path == "exemplars/units/jia.md"
    assert p.line == line
    assert p.field.startswith(field)
    assert words in p.message
    assert str(p).startswith(f"exemplars/units/jia.md:{line}: {field}")


def test_impossible_date(repo):
    (p,) = problems_for(repo, "content/news/posts/a.md", "---\ntitle: 题\ndate: 2023-02-30\n---\n")
    assert (p.line, p.field.split("（")[0], "不是有效日期" in p.message) == (3, "date", True)


def test_reference_to_the_wrong_kind(repo):
    repo.write("exemplars/members/zhang.md", "---\nname: 张三\n---\n")
    (p,) = problems_for(repo, "exemplars/units/jia.md", "---\nname: 甲\nsector: 农村\nvideos: [zhang]\n---\n")
    assert "是优秀共产党员" in p.message and p.line == 4


def test_member_unit_may_be_text_or_id(repo):
    repo.write("exemplars/members/a.md", "---\nname: 甲\nunit: 某某局\n---\n")
    (p,) = problems_for(repo, "exemplars/members/b.md", "---\nname: 乙\nunit: mou-ju\n---\n")
    assert p.path.endswith("b.md") and "mou-ju" in p.message


def test_duplicate_ids_across_kinds(repo):
    repo.write("exemplars/units/same.md", "---\nname: 甲\nsector: 农村\n---\n")
    (p,) = problems_for(repo, "exemplars/members/same.md", "---\nname: 乙\n---\n")
    assert "重复" in p.message and "exemplars/units/same.md" in p.message


def test_file_name_must_be_a_slug(repo):
    (p,) = problems_for(repo, "exemplars/units/甲支部.md", "---\nname: 甲\nsector: 农村\n---\n")
    assert "文件名" in p.message


def test_all_problems_in_one_run(repo):
    repo.write("exemplars/units/a.md", "---\nsector: 农村\n---\n")
    repo.write("exemplars/units/b.md", "---\nname: 乙\nsector: 城市\n---\n")
    repo.write("exemplars/sms/x.yml", "author: 某某\ntxt: 短信\n")
    found = {(p.path, p.line) for p in check(repo.path)}
    assert {("exemplars/units/a.md", 2), ("exemplars/units/b.md", 3), ("exemplars/sms/x.yml", 2)} <= found


def test_shipped_content_is_valid(root):
    assert check(root) == []
