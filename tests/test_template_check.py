"""The templates are checked against the model: a kind whose pages no
template serves, and a template naming a field its kind lacks, fail `check`
at their line; the project's own templates pass, whatever the records."""
from __future__ import annotations

import shutil

import yaml

from scripts.__main__ import main
from scripts.check.templates import template_for, template_problems
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH, schema_for

from tests.conftest import ROOT

EVENT = {"label": "活动", "path": "content/events/*.md", "url": "events/{id}/", "title_field": "title",
         "fields": {"title": {"type": "string", "required": True, "label": "标题"}}}


def with_kind(repo, name: str, spec: dict) -> str:
    """The project's model with one kind more, as the repository's own."""
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    model["kinds"][name] = spec
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 20)
    repo.write(SCHEMA_PATH, text)
    return text


def no_defaults(repo) -> None:
    shutil.rmtree(repo.path / "templates" / "_default", ignore_errors=True)


def check(repo, capsys) -> tuple[int, str, str]:
    code = main(["--root", str(repo.path), "check"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out, out.err


def test_a_kind_with_pages_and_no_template_anywhere_fails(repo, capsys):
    text = with_kind(repo, "event", EVENT)
    no_defaults(repo)
    code, out, err = check(repo, capsys)
    assert code == 1
    line = text.split("\n").index("  event:") + 1
    where = f"{SCHEMA_PATH}:{line}: kinds.event: "
    assert f"{where}“活动”没有记录页面模板：templates/ 下既没有 event/single.md.j2，也没有默认模板 _default/single.md.j2" in out
    assert f"{where}“活动”没有列表页模板：templates/ 下既没有 event/list.md.j2，也没有默认模板 _default/list.md.j2" in out
    # The project's own kinds served by the defaults (通知公告) lack theirs too.
    from scripts.records.schema import schema_for
    served = [k for k in schema_for(repo.path).kinds.values() if k.name != "event"
              and not (repo.path / "templates" / k.name / "list.md.j2").is_file()]
    assert f"发现 {2 + sum(1 if k.is_list_file else 2 for k in served)} 个错误" in err


def test_records_without_pages_need_only_a_list_template(repo, capsys):
    with_kind(repo, "notice", {**EVENT, "label": "通知", "path": "content/notices/*.yml", "url": "notices/"})
    no_defaults(repo)
    code, out, _ = check(repo, capsys)
    assert code == 1
    assert "notice/list.md.j2" in out and "single.md.j2" not in out


def test_the_defaults_serve_a_kind_without_templates_of_its_own(repo):
    with_kind(repo, "event", EVENT)
    no_defaults(repo)
    repo.write("templates/_default/single.md.j2", "# {{ record.title }}\n")
    repo.write("templates/_default/list.md.j2", "# {{ kind.label }}\n")
    assert template_for(repo.path, "event", "single.md.j2") == "_default/single.md.j2"
    assert template_for(repo.path, "unit", "single.md.j2") == "unit/single.md.j2"
    assert template_problems(repo.path, schema_for(repo.path)) == []


def test_a_derived_page_needs_its_template(repo, capsys):
    (repo.path / "templates" / "pages" / "honours.md.j2").unlink()
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    repo.write(SCHEMA_PATH, text)
    code, out, _ = check(repo, capsys)
    assert code == 1
    line = next(n for n, s in enumerate(text.split("\n"), 1) if s.strip().startswith("honours:"))
    assert f"{SCHEMA_PATH}:{line}: pages.honours: 没有模板 templates/pages/honours.md.j2" in out


def test_a_field_named_like_an_attribute_of_records_is_refused(repo, capsys):
    # record.body in a template is the record's Markdown, never such a field.
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    model["kinds"]["unit"]["fields"]["body"] = {"type": "string", "label": "正文"}
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 20)
    repo.write(SCHEMA_PATH, text)
    code, out, _ = check(repo, capsys)
    assert code == 1
    lines = text.split("\n")
    line = lines.index("      body:", lines.index("  unit:")) + 1
    assert f"{SCHEMA_PATH}:{line}: kinds.unit.fields.body: 字段名“body”是记录本身的属性" in out, out


def insert_line(repo, rel: str, text: str) -> int:
    """`text` as a new second line of a template; its line number."""
    path = repo.path / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(1, text)
    path.write_text("\n".join(lines), encoding="utf-8")
    return 2


def test_a_record_field_the_kind_lacks_fails_at_its_line(repo, capsys):
    line = insert_line(repo, "templates/unit/single.md.j2", "{{ record.sumary }}")
    code, out, _ = check(repo, capsys)
    assert code == 1
    assert (f"templates/unit/single.md.j2:{line}: “先进典型”（unit）没有字段“sumary”（是否想写 summary？）"
            in out), out


def test_a_listed_record_field_the_kind_lacks_fails_at_its_line(repo, capsys):
    line = insert_line(repo, "templates/sms/list.md.j2",
                       "{% for r in items | selectattr('is_sample') %}{{ r.txt }}{% endfor %}")
    code, out, _ = check(repo, capsys)
    assert code == 1
    assert f"templates/sms/list.md.j2:{line}: “红色短信”（sms）没有字段“txt”" in out, out


def test_a_field_of_kind_fields_the_kind_lacks_fails(repo, capsys):
    line = insert_line(repo, "templates/news/single.md.j2", "{% set F = kind.fields %}{{ F.auther.label }}")
    code, out, _ = check(repo, capsys)
    assert code == 1
    assert f"templates/news/single.md.j2:{line}: kind.fields.auther：" in out and "是否想写 author" in out, out


def test_records_of_other_kinds_and_attributes_of_records_are_not_faults(repo):
    # A unit's page loops over films (their poster is no field of a unit),
    # and a record's own attributes (title, kind, is_sample) are no fields.
    insert_line(repo, "templates/unit/single.md.j2",
                "{% for r in site.related(record, 'video') %}{{ r.poster }}{% endfor %}"
                "{{ record.title }}{{ record.kind.label }}{{ record.is_sample }}{{ record.status }}"
                "{% for name, f in kind.fields.items() %}{{ name }}{% endfor %}")
    assert template_problems(repo.path, schema_for(repo.path)) == []


def test_a_template_syntax_error_is_reported_at_its_line(repo, capsys):
    line = insert_line(repo, "templates/member/single.md.j2", "{{ record.name | }}")
    code, out, _ = check(repo, capsys)
    assert code == 1
    assert f"templates/member/single.md.j2:{line}: 模板语法错误" in out, out


def test_the_projects_templates_pass():
    assert template_problems(ROOT, schema_for(ROOT)) == []


def test_the_projects_templates_pass_with_the_fixture_content(full_repo, capsys):
    _, out, _ = check(full_repo, capsys)
    assert not [line for line in out.splitlines() if line.startswith(("templates/", SCHEMA_PATH))], out
