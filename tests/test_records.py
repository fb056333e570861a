"""The loader: records, front matter, line numbers, and files it must refuse."""
from scripts.records.loader import load_all
from scripts.records.schema import load_schema

UNIT = """
---
name: 示例党支部
sector: 农村
status: published
---

正文。
"""


def load(repo):
    return load_all(repo.path)


def test_loads_a_record_with_its_fields_and_lines(repo):
    repo.write("exemplars/units/shili.md", UNIT)
    records, problems = load(repo)
    assert problems == []
    (r,) = records
    assert (r.id, r.kind.name, r.title, r["sector"], r.status) == ("shili", "unit", "示例党支部", "农村", "published")
    assert r.line_of(("sector",)) == 3
    assert r.body.strip() == "正文。"


def test_yaml_records_are_named_by_their_files_with_their_lines(repo):
    repo.write("exemplars/sms/a.yml", "text: 第一条\n")
    repo.write("exemplars/sms/b.yml", "# 注释\nauthor: 某某\ntext: 第二条\n")
    records, problems = load(repo)
    assert problems == []
    assert [(r.id, r.line_of(("text",))) for r in records] == [("a", 1), ("b", 3)]


def test_an_id_line_that_contradicts_the_file_name_is_named(repo):
    repo.write("exemplars/sms/a.yml", "text: 短信\nid: b\n")
    records, problems = load(repo)
    assert [(p.line, p.field) for p in problems] == [(2, "id")] and "与文件名" in problems[0].message


def test_bom_and_crlf_are_accepted(repo):
    repo.write("exemplars/units/shili.md", b"\xef\xbb\xbf" + UNIT.lstrip().replace("\n", "\r\n").encode())
    records, problems = load(repo)
    assert problems == [] and records[0]["name"] == "示例党支部"


def test_dates_stay_text_for_the_schema_to_check(repo):
    repo.write("content/news/posts/a.md", "---\ntitle: 标题\ndate: 2024-02-30\n---\n正文\n")
    records, _ = load(repo)
    assert records[0]["date"] == "2024-02-30"


def _single_problem(repo, rel, content):
    repo.write(rel, content)
    records, problems = load(repo)
    assert records == [] and len(problems) == 1, problems
    return problems[0]


def test_yaml_syntax_error_names_the_line(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "---\nname: 甲\nsector: [农村\n---\n")
    assert p.path == "exemplars/units/bad.md" and p.line == 3 and "方括号" in p.message


def test_missing_front_matter(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "name: 甲\n")
    assert (p.line, "第一行应为 ---" in p.message) == (1, True)


def test_unterminated_front_matter(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "---\nname: 甲\n")
    assert "没有结束" in p.message


def test_aliases_are_refused(repo):
    p = _single_problem(repo, "exemplars/sms/a.yml", "text: &t 很长\nauthor: *t\n")
    assert p.line == 2 and "别名" in p.message


def test_non_utf8_is_named_not_guessed(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "---\nname: 甲\n---\n".encode("gbk"))
    assert "UTF-8" in p.message and p.line == 2


def test_empty_file(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "")
    assert "空" in p.message


def test_duplicate_key(repo):
    p = _single_problem(repo, "exemplars/units/bad.md", "---\nname: 甲\nname: 乙\n---\n")
    assert p.line == 3 and "重复" in p.message


def test_schema_kinds_cover_the_design():
    kinds = load_schema().kinds
    assert set(kinds) == {"unit", "member", "video", "sms", "figure", "news", "notice"}
    assert kinds["unit"].fields["sector"].values == ("农村", "社区", "两新组织", "机关")
