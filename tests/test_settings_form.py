"""The department's settings (网站设置.yml): a file of their own that mkdocs.yml
inherits, a form in the workbench (a Decap "files" collection) whose saves
keep the file's layout and Chinese comments, and the one file beyond records
and media that the workbench's backend may write, never delete; the newsroom's
form and backend have none of it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts.editor.bridge import Bridge
from scripts.editor.decap import decap_config
from scripts.editor.files import ApiError, Files
from scripts.editor.settings_file import parse, settings_text
from scripts.records.schema import schema_for
from scripts.site_config import SETTINGS, SETTINGS_FILE, setting_line, site_config

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_inherits_the_settings_and_merges_extra(repo):
    config = site_config(repo.path)
    own = yaml.safe_load((repo.path / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert config["site_url"] == own["site_url"]
    assert config["extra"]["sponsor"] == own["extra"]["sponsor"]
    assert "home_sections" in config["extra"]           # mkdocs.yml's own extra, merged with the file's
    # MkDocs itself reads the address from the inherited file.
    from mkdocs.config import load_config
    loaded = load_config(str(repo.path / "mkdocs.yml"), docs_dir=str(repo.path / "content"))
    assert loaded["site_url"] == own["site_url"] and loaded["extra"]["links"] == own["extra"]["links"]


def test_the_settings_file_is_plain_yaml_with_comments_and_written_as_shipped():
    text = (ROOT / SETTINGS_FILE).read_text(encoding="utf-8")
    assert not re.search(r"!!\w", text)
    assert len(re.findall(r"^\s*# ", text, re.M)) >= len([s for s in SETTINGS if s.hint])
    data = yaml.safe_load(text)                          # no Python tags: the safe loader reads it
    assert settings_text(data) == text, "网站设置.yml 的格式应与工作台保存的一致（scripts/editor/settings_file.py）"


def test_the_settings_file_names_every_setting_at_its_line():
    lines = (ROOT / SETTINGS_FILE).read_text(encoding="utf-8").splitlines()
    for s in SETTINGS:
        section = "extra" if s.key.startswith("extra.") else ""
        file, line = setting_line(ROOT, s.name, section)
        assert file == SETTINGS_FILE and lines[line - 1].strip().startswith(f"{s.name}:"), s.key


def test_the_workbench_form_has_the_settings_and_the_newsroom_not(repo):
    with_settings = decap_config(repo.path, settings=True)
    form = next(c for c in with_settings["collections"] if c["name"] == "settings")
    (entry,) = form["files"]
    assert entry["file"] == SETTINGS_FILE and form["delete"] is False
    names = [f["name"] for f in entry["fields"]]
    extra = next(f for f in entry["fields"] if f["name"] == "extra")
    assert "site_url" in names and [f["name"] for f in extra["fields"]] == \
        [s.name for s in SETTINGS if s.key.startswith("extra.")]
    links = next(f for f in extra["fields"] if f["name"] == "links")
    assert links["widget"] == "list" and [f["name"] for f in links["fields"]] == ["name", "url"]
    assert all(c["name"] != "settings" for c in decap_config(repo.path)["collections"])


@pytest.fixture
def workbench_files(repo):
    schema = schema_for(repo.path)
    return Files(repo.path, schema, Bridge(repo.path, schema), settings=True)


def test_a_save_in_the_form_keeps_the_comments_and_the_unknown_keys(repo, workbench_files):
    path = repo.path / SETTINGS_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n# 开发者加的设置\nsite_name: 测试站\n", encoding="utf-8")
    status, entry = workbench_files.handle({"action": "getEntry", "params": {"path": SETTINGS_FILE}})
    data = yaml.safe_load(entry["data"])
    data["extra"]["contact"] = "电话：0470-0000000"
    data["extra"]["links"].append({"name": "测试网", "url": "https://www.example.org/"})
    # Decap's own YAML: no comments, its order.
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=True)
    workbench_files.handle({"action": "persistEntry", "params": {"dataFiles": [{"path": SETTINGS_FILE, "raw": raw}]}})
    text = path.read_text(encoding="utf-8")
    assert "# 联系我们：" in text and "# 网站的正式网址" in text
    saved = parse(text)
    assert saved["extra"]["contact"] == "电话：0470-0000000" and saved["site_name"] == "测试站"
    assert saved["extra"]["links"][-1] == {"name": "测试网", "url": "https://www.example.org/"}
    file, line = setting_line(repo.path, "contact", "extra")
    assert text.splitlines()[line - 1] == "  contact: 电话：0470-0000000"


def test_a_python_tag_in_the_form_is_refused(repo, workbench_files):
    before = (repo.path / SETTINGS_FILE).read_bytes()
    raw = "site_url: !!python/object/apply:os.system [\"true\"]\n"
    with pytest.raises(ApiError) as e:
        workbench_files.handle({"action": "persistEntry", "params": {"dataFiles": [{"path": SETTINGS_FILE, "raw": raw}]}})
    assert e.value.status == 409 and SETTINGS_FILE in str(e.value)
    assert (repo.path / SETTINGS_FILE).read_bytes() == before


@pytest.mark.parametrize("path", ["mkdocs.yml", "Makefile", "网站设置.yaml", "./网站设置.yml", "content/网站设置.yml"])
def test_nothing_else_at_the_top_is_writable(repo, workbench_files, path):
    with pytest.raises(ApiError) as e:
        workbench_files.handle({"action": "persistEntry", "params": {"dataFiles": [{"path": path, "raw": "a: 1\n"}]}})
    assert e.value.status == 403


def test_the_settings_file_cannot_be_deleted_nor_written_without_the_form(repo, workbench_files):
    with pytest.raises(ApiError) as e:
        workbench_files.handle({"action": "deleteFile", "params": {"path": SETTINGS_FILE}})
    assert e.value.status == 403 and (repo.path / SETTINGS_FILE).is_file()
    schema = schema_for(repo.path)
    newsroom_like = Files(repo.path, schema, Bridge(repo.path, schema))   # settings=False
    with pytest.raises(ApiError) as e:
        newsroom_like.handle({"action": "getEntry", "params": {"path": SETTINGS_FILE}})
    assert e.value.status == 403


def test_a_symlinked_settings_file_is_refused(repo, workbench_files, tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text("site_url: x\n", encoding="utf-8")
    (repo.path / SETTINGS_FILE).unlink()
    (repo.path / SETTINGS_FILE).symlink_to(outside)
    with pytest.raises(ApiError) as e:
        workbench_files.handle({"action": "persistEntry",
                                "params": {"dataFiles": [{"path": SETTINGS_FILE, "raw": "site_url: y\n"}]}})
    assert e.value.status == 403 and outside.read_text(encoding="utf-8") == "site_url: x\n"
