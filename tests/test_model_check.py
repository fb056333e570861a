"""The model is checked as it is loaded: a content repository's own
schema.yaml (the project's with one thing changed) stops every command with a
Chinese message at the line of the fault, naming the key, and a non-zero
exit; never a traceback, and every fault at once."""
from __future__ import annotations

import subprocess
import sys

import jsonschema
import pytest
import yaml

from scripts.__main__ import main
from scripts.records import model_check
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH, load_schema

from tests.conftest import ROOT


def project_model() -> dict:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))


def write_model(repo, model: dict) -> str:
    """The repository's own schema.yaml, one key a line (block style), so
    that each change sits on a line of its own."""
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 20)
    repo.write(SCHEMA_PATH, text)
    return text


def line_of(text: str, needle: str, within: str = "") -> int:
    """The one line that is `needle`, or (a needle ending in a colon) starts
    with it; `within`: in the block of that kind only."""
    lines = text.split("\n")
    start = lines.index(f"  {within}:") if within else 0
    end = next((n for n in range(start + 1, len(lines)) if within and lines[n].startswith("  ")
                and not lines[n].startswith("   ")), len(lines))
    (line,) = [n for n, s in enumerate(lines[start:end], start + 1)
               if s.strip() == needle or (needle.endswith(":") and s.strip().startswith(needle))]
    return line


def check(repo, capsys) -> tuple[int, str]:
    code = main(["--root", str(repo.path), "check"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.err


def refused(repo, capsys, change, needle: str, key: str, *words: str) -> None:
    """The project's model with `change` made fails `check` at the line
    holding `needle`, naming `key`, with `words` in the message."""
    model = project_model()
    change(model)
    text = write_model(repo, model)
    code, err = check(repo, capsys)
    assert code == 1
    where = f"{SCHEMA_PATH}:{line_of(text, needle, key.split('.')[1] if key.startswith('kinds.') else '')}: {key}: "
    (message,) = [line for line in err.splitlines() if line.startswith(where)] or [err]
    for word in words:
        assert word in message, err


def kind(model, name):
    return model["kinds"][name]


# --- the shape (the meta-schema) ------------------------------------------------

def test_an_unknown_setting_is_named_with_the_one_meant(repo, capsys):
    def change(m):
        listing = kind(m, "unit").setdefault("list", {})
        listing["page_sise"] = listing.pop("page_size", 50)
    refused(repo, capsys, change, "page_sise:", "kinds.unit.list.page_sise",
            "未知的设置“page_sise”", "是否想写 page_size")


def test_a_misspelt_required_is_caught(repo, capsys):
    def change(m):
        f = kind(m, "unit")["fields"][kind(m, "unit")["title_field"]]
        f["requird"] = f.pop("required", True)
    title = kind(project_model(), "unit")["title_field"]
    refused(repo, capsys, change, "requird:", f"kinds.unit.fields.{title}.requird",
            "未知的设置“requird”", "是否想写 required")


def test_a_number_in_quotes_is_refused(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").setdefault("list", {}).update(page_size="20"),
            "page_size: '20'", "kinds.news.list.page_size", "应为整数", "“20”", "不要加引号")


def test_required_must_be_true_or_false(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["town"]["required"] = "yes-please"
    refused(repo, capsys, change, "required: yes-please", "kinds.unit.fields.town.required",
            "应为 true 或 false", "“yes-please”")


def test_an_unknown_field_type_is_named_with_the_one_meant(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["motto"] = {"type": "strng", "label": "口号"}
    refused(repo, capsys, change, "type: strng", "kinds.unit.fields.motto.type",
            "“strng”不是可用的值", "是否想写 string")


def test_a_kind_path_must_be_one_file_per_record(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "unit").update(path="exemplars/units.yml"),
            "path: exemplars/units.yml", "kinds.unit.path", "文件夹/*.md", "每条记录一个文件")


def test_a_kind_url_must_be_a_folder(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "unit").update(url="exemplars/units/{slug}/"),
            "url: exemplars/units/{slug}/", "kinds.unit.url", "文件夹/{id}/")


def test_an_unknown_cover_shape_is_refused(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "video").setdefault("show", {}).update(cover="movie"),
            "cover: movie", "kinds.video.show.cover", "“movie”不是可用的值", "place、portrait、screen、film")


def test_an_unknown_home_layout_is_refused(repo, capsys):
    def change(m):
        kind(m, "member").setdefault("show", {}).setdefault("home", {})["layout"] = "grid"
    refused(repo, capsys, change, "layout: grid", "kinds.member.show.home.layout",
            "“grid”不是可用的值", "cards、groups、list、figures、strip")


def test_a_field_type_needs_its_settings(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["grade_x"] = {"type": "enum", "label": "级别"}
    refused(repo, capsys, change, "grade_x:", "kinds.unit.fields.grade_x", "缺少“values”", "type: enum")


# --- what the model names (the cross-references) ---------------------------------

def test_a_ref_to_an_unknown_kind(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["partner"] = {"type": "ref", "kinds": ["membr"], "label": "结对"}
    refused(repo, capsys, change, "- membr", "kinds.unit.fields.partner.kinds[1]",
            "未知的记录类型“membr”", "是否想写 member")


def test_items_naming_an_unknown_struct(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["prizes"] = {"type": "list", "items": "honor", "label": "奖项"}
    refused(repo, capsys, change, "items: honor", "kinds.unit.fields.prizes.items",
            "未知的结构“honor”", "是否想写 honour")


def test_struct_naming_an_unknown_struct(repo, capsys):
    def change(m):
        kind(m, "unit")["fields"]["check"] = {"type": "struct", "struct": "reviw", "label": "审核"}
    refused(repo, capsys, change, "struct: reviw", "kinds.unit.fields.check.struct",
            "未知的结构“reviw”", "是否想写 review")


def test_a_struct_may_use_only_structs_above_it(repo, capsys):
    def change(m):
        names = list(m["structs"])
        m["structs"][names[0]]["fields"]["later"] = {"type": "list", "items": names[-1], "label": "后面的"}
    first = list(project_model()["structs"])[0]
    refused(repo, capsys, change, "later:", f"structs.{first}.fields.later.items", "须写在使用它的结构之前")


def test_title_field_must_be_a_field(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "unit").update(title_field="nam"),
            "title_field: nam", "kinds.unit.title_field", "未知的字段“nam”", "是否想写 name")


def test_list_order_names_fields(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").setdefault("list", {}).update(order=["-dat", "id"]),
            "- -dat", "kinds.news.list.order[1]", "未知的排序字段“dat”", "是否想写 date")


def test_list_group_by_names_a_field(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "news").setdefault("list", {}).update(group_by="category"),
            "group_by: category", "kinds.news.list.group_by", "未知的字段“category”", "是否想写 categories")


def test_show_picture_must_be_an_image_field(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "video").setdefault("show", {}).update(picture="subtitles"),
            "picture: subtitles", "kinds.video.show.picture", "不是图片", "media: image")


def test_show_picture_names_a_field(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "video").setdefault("show", {}).update(picture="postr"),
            "picture: postr", "kinds.video.show.picture", "未知的字段“postr”", "是否想写 poster")


def test_show_cover_group_names_a_key_of_the_struct(repo, capsys):
    def change(m):
        kind(m, "video").setdefault("show", {}).update(cover="film", cover_group="broadcasts.chanel")
    refused(repo, capsys, change, "cover_group: broadcasts.chanel", "kinds.video.show.cover_group",
            "“broadcasts”的子项“chanel”", "是否想写 channel")


def test_show_title_names_fields(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "video").setdefault("show", {}).update(title="《{titel}》"),
            "title: 《{titel}》", "kinds.video.show.title", "未知的字段“titel”", "是否想写 title")


def test_show_facts_name_fields(repo, capsys):
    refused(repo, capsys, lambda m: kind(m, "unit").setdefault("show", {}).update(facts=["{sector}", "{twn}"]),
            "- '{twn}'", "kinds.unit.show.facts[2]", "未知的字段“twn”", "是否想写 town")


def test_show_menu_under_names_a_kind(repo, capsys):
    def change(m):
        kind(m, "member").setdefault("show", {})["menu"] = {"label": "优秀共产党员", "under": "units"}
    refused(repo, capsys, change, "under: units", "kinds.member.show.menu.under",
            "未知的记录类型“units”", "是否想写 unit")


# --- settings that mean nothing where they are written ------------------------

def test_an_index_of_groups_for_records_without_pages_is_refused(repo, capsys):
    # sms: its records are anchors on the pages of the whole list.
    def change(m):
        kind(m, "sms").setdefault("list", {}).update(group_by="author", index="groups")
    refused(repo, capsys, change, "index: groups", "kinds.sms.list.index", "没有单独页面", "不能为 groups")


def test_group_settings_without_group_by_are_refused(repo, capsys):
    def change(m):
        listing = kind(m, "member").setdefault("list", {})
        listing.pop("group_by", None)
        listing["group_url"] = "x/{slug}/"
    refused(repo, capsys, change, "group_url: x/{slug}/", "kinds.member.list.group_url", "请同时设置 group_by")


def test_a_cover_group_without_a_cover_is_refused(repo, capsys):
    def change(m):
        show = kind(m, "sms").setdefault("show", {})
        show.pop("cover", None)
        show["cover_group"] = "author"
    refused(repo, capsys, change, "cover_group: author", "kinds.sms.show.cover_group", "须同时设置 show.cover")


def test_list_settings_that_matter_for_records_without_pages_are_accepted(repo, capsys):
    # sms and figure have no pages of their own, but their list pages are
    # ordered, paginated and searched as the model says.
    model = project_model()
    kind(model, "sms")["list"] = {"order": ["-round", "path"], "page_size": 10, "group_by": "round",
                                  "searchable": True}
    write_model(repo, model)
    code, err = check(repo, capsys)
    assert code == 0, err


# --- every command, every fault -------------------------------------------------

def test_every_fault_is_listed_at_once(repo, capsys):
    model = project_model()
    kind(model, "unit").update(title_field="nam")
    kind(model, "video").setdefault("show", {}).update(cover="movie")
    text = write_model(repo, model)
    code, err = check(repo, capsys)
    assert code == 1
    assert f"{SCHEMA_PATH}:{line_of(text, 'title_field: nam')}: kinds.unit.title_field: " in err
    assert f"{SCHEMA_PATH}:{line_of(text, 'cover: movie')}: kinds.video.show.cover: " in err
    assert "发现 2 个错误" in err


def test_a_yaml_fault_in_the_model_is_worded_for_people(repo, capsys):
    text = SCHEMA_FILE.read_text(encoding="utf-8").split("\n")
    at = next(n for n, s in enumerate(text) if s.startswith("kinds:")) + 2   # a kind's first key
    text.insert(at, "    plural: {label: 未配对")
    repo.write(SCHEMA_PATH, "\n".join(text))
    code, err = check(repo, capsys)
    assert code == 1
    assert f"{SCHEMA_PATH}:{at + 1}: 格式错误：花括号 {{ }} 没有配对" in err


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "build"])
def test_the_command_line_stops_with_the_message(repo, command):
    model = project_model()
    kind(model, "unit").setdefault("list", {})["page_sise"] = 5
    text = write_model(repo, model)
    run = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), command],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"{SCHEMA_PATH}:{line_of(text, 'page_sise:')}: kinds.unit.list.page_sise: 未知的设置" in run.stderr
    assert not (repo.path / "site").exists()


# --- the project's own model ----------------------------------------------------

def test_the_meta_schema_is_a_json_schema():
    meta = model_check.meta_schema()
    jsonschema.validators.validator_for(meta).check_schema(meta)


def test_the_projects_model_passes(repo, capsys):
    assert model_check.model_faults(project_model()) == []
    assert load_schema(SCHEMA_FILE).kinds
    write_model(repo, project_model())          # and as a repository's own, re-written
    code, err = check(repo, capsys)
    assert code == 0, err

