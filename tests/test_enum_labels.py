"""Enum values in the form's words: the model's `labels:` (parallel to
`values:`) name the choices in the check's message and in the workbench's
select, and a model whose labels do not match its values is refused."""
from __future__ import annotations

import pytest
import yaml

from scripts.check import check
from scripts.editor.decap import decap_config
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH, schema_for


def test_a_wrong_status_lists_the_choices_in_the_form_s_words(repo):
    repo.write("exemplars/units/jia.md", "---\nname: 甲党支部\nsector: 农村\nstatus: done\n---\n")
    (p,) = check(repo.path)
    assert p.field.startswith("status") and p.line == 4
    assert p.message.endswith("可选：draft（草稿）、review（待审）、published（已发布）"), p.message


def test_the_form_s_word_written_instead_of_the_value_is_recognised(repo):
    repo.write("exemplars/units/jia.md", "---\nname: 甲党支部\nsector: 农村\nstatus: 待审\n---\n")
    (p,) = check(repo.path)
    assert "是否想写“review”" in p.message


def test_the_form_shows_the_model_s_labels(repo):
    schema = schema_for(repo.path)
    status = schema.kinds["unit"].fields["status"]
    unit = next(c for c in decap_config(repo.path)["collections"] if c["name"] == "unit")
    select = next(f for f in unit["fields"] if f["name"] == "status")
    assert [o["label"] for o in select["options"]] == list(status.labels) == ["草稿", "待审", "已发布"]
    assert [v["label"] for v in unit["view_filters"]] == ["草稿", "待审", "已发布"]


def test_a_field_without_labels_shows_its_values(repo):
    schema = schema_for(repo.path)
    sector = schema.kinds["unit"].fields["sector"]
    assert not sector.labels and sector.value_label(sector.values[0]) == sector.values[0]


@pytest.mark.parametrize("labels, words", [(["草稿", "待审"], "values 有 3 个，labels 有 2 个")])
def test_labels_must_match_the_values_one_to_one(repo, capsys, labels, words):
    from scripts.__main__ import main
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    model["common"]["status"]["labels"] = labels
    repo.write(SCHEMA_PATH, yaml.safe_dump(model, allow_unicode=True, sort_keys=False, width=1 << 20))
    code = main(["--root", str(repo.path), "check"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert any(line.startswith(f"{SCHEMA_PATH}:") and "common.status.labels" in line and words in line
               for line in err.splitlines()), err
