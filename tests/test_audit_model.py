"""The self-check's limits in the model (schema.yaml `audit:` per kind and at
the top): parsed into Kind.audit and Schema.audit, with the inspection's
defaults, and a wrong block refused at its line like any fault of the model."""
from __future__ import annotations

from scripts.records.schema import KindAudit, SiteAudit, load_schema, schema_for

from tests.test_model_check import kind, project_model, refused, write_model


def test_a_kind_without_the_block_is_not_a_timed_column(repo):
    write_model(repo, project_model())
    schema = schema_for(repo.path)
    assert schema.kinds["video"].audit == KindAudit()
    assert schema.kinds["unit"].audit.idle_days is None
    assert schema.audit == SiteAudit(home_idle_days=14, home_warn_days=3, backdate_days=3)
    # The publication date: the kind's first date field, none for a kind without one.
    assert schema.kinds["news"].date_field == "date"
    assert schema.kinds["unit"].date_field == ""


def test_the_blocks_are_read(repo):
    model = project_model()
    kind(model, "news")["audit"] = {"idle_days": 14, "warn_days": 3}
    kind(model, "member")["audit"] = {"names": True, "idle_days": None}
    model["audit"] = {"home": {"idle_days": 10, "warn_days": 2}, "backdate_days": 5}
    write_model(repo, model)
    schema = schema_for(repo.path)
    assert schema.kinds["news"].audit == KindAudit(idle_days=14, warn_days=3)
    assert schema.kinds["member"].audit == KindAudit(names=True)
    assert schema.audit == SiteAudit(home_idle_days=10, home_warn_days=2, backdate_days=5)


def test_the_projects_model_reads_its_blocks():
    schema = load_schema()
    for k in schema.kinds.values():
        assert k.audit.idle_days is None or k.audit.idle_days >= 1
        assert not k.audit.date_field or k.fields[k.audit.date_field].type == "date"


def test_an_unknown_key_of_the_block_is_named(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"idle_dayz": 14}),
            "idle_dayz: 14", "kinds.news.audit.idle_dayz", "未知的设置", "idle_days")


def test_idle_days_must_be_a_whole_number_of_days(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"idle_days": 0}),
            "idle_days: 0", "kinds.news.audit.idle_days", "不小于 1")


def test_the_date_field_must_be_a_date(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"date_field": "title"}),
            "date_field: title", "kinds.news.audit.date_field", "不是日期")
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"date_field": "dat"}),
            "date_field: dat", "kinds.news.audit.date_field", "未知的字段", "date")


def test_the_warning_comes_before_the_limit(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"idle_days": 14, "warn_days": 14}),
            "warn_days: 14", "kinds.news.audit.warn_days", "应小于")
    refused(repo, capsys, lambda m: kind(m, "news").__setitem__("audit", {"warn_days": 3}),
            "warn_days: 3", "kinds.news.audit.warn_days", "须同时设置 idle_days")
    refused(repo, capsys, lambda m: m.__setitem__("audit", {"home": {"warn_days": 20}}),
            "warn_days: 20", "audit.home.warn_days", "应小于")
