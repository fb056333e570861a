"""The editors' command line, driven as an editor would: new → fill in →
check → build; the new page is on the site and in its section's list.
Also: the 三审 rule, drafts in preview only, and the VS Code schemas."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from scripts.records.schema import load_schema
from scripts.editor.vscode import SCHEMA_DIR, schema_documents

ROOT = Path(__file__).resolve().parent.parent
REVIEWED = ("review:\n  first: {by: 编辑部, date: 2026-11-25}\n  second: {by: 办公室, date: 2026-11-26}\n"
            "  final: {by: 分管领导, date: 2026-11-27}\n")


def cli(repo, *args):
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def fill(path: Path, **values):
    """Set top-level fields in a scaffold as an editor would, keeping the comments."""
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text, n = re.subn(rf"^{key}:[^#\n]*", f"{key}: {value} ", text, count=1, flags=re.M)
        assert n == 1, key
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_new_fill_check_build_puts_the_page_on_the_site_and_in_its_list(full_repo):
    done = cli(full_repo, "new", "unit", "某某社区党委")
    assert done.returncode == 0 and "exemplars/units/moumou-shequ-dangwei.md" in done.stdout
    path = full_repo.path / "exemplars/units/moumou-shequ-dangwei.md"
    text = path.read_text(encoding="utf-8")
    assert "status: draft" in text and "# 领域（必填）" in text

    # Unfilled: check names the file, the line and the field, in Chinese.
    done = cli(full_repo, "check")
    assert done.returncode == 1
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("sector:"))
    assert f"exemplars/units/moumou-shequ-dangwei.md:{line}: sector: 缺少必填字段“sector”（领域）" in done.stdout

    fill(path, sector="社区", town="某某街道", summary="一两句话的简介。")
    path.write_text(path.read_text(encoding="utf-8") + "\n这里是事迹正文。\n", encoding="utf-8")
    done = cli(full_repo, "check")
    assert done.returncode == 0, done.stdout
    # A draft is not on the public site.
    assert cli(full_repo, "build").returncode == 0
    assert not (full_repo.path / "site/exemplars/units/moumou-shequ-dangwei").exists()

    # Reviewed and published: on the site, and in the list of its section.
    text = path.read_text(encoding="utf-8")
    for who, day in (("编辑部", "2026-11-25"), ("办公室", "2026-11-26"), ("分管领导", "2026-11-27")):
        text = re.sub(r"^(    by:)[ \t]+(?=#)", rf"\g<1> {who} ", text, count=1, flags=re.M)
        text = re.sub(r"^(    date:)[ \t]+(?=#)", rf"\g<1> {day} ", text, count=1, flags=re.M)
    path.write_text(text.replace("status: draft", "status: published"), encoding="utf-8")
    done = cli(full_repo, "check")
    assert done.returncode == 0, done.stdout
    assert cli(full_repo, "build").returncode == 0
    page = (full_repo.path / "site/exemplars/units/moumou-shequ-dangwei/index.html").read_text(encoding="utf-8")
    assert "某某社区党委" in page and "这里是事迹正文" in page and "尚未发布" not in page
    listing = (full_repo.path / "site/exemplars/units/index.html").read_text(encoding="utf-8")
    assert 'href="moumou-shequ-dangwei/"' in listing


@pytest.mark.parametrize("kind", ["unit", "member", "video", "news"])
def test_the_scaffold_has_every_field_with_its_chinese_label(repo, kind):
    done = cli(repo, "new", kind, "测试名称")
    assert done.returncode == 0, done.stderr
    k = load_schema().kinds[kind]
    path = repo.path / k.path.replace("*", "ceshi-mingcheng")
    text = path.read_text(encoding="utf-8")
    for name, f in k.fields.items():
        assert re.search(rf"^{name}:.*# {re.escape(f.label)}", text, re.M), name
    # Left as written, the only problems are the required fields still empty,
    # each on its own line: empty optional fields count as not written.
    problems = [p for p in cli(repo, "check").stdout.splitlines() if ".md:" in p]
    required = {n for n, f in k.fields.items() if f.required and n not in (k.title_field, "date")}
    assert len(problems) == len(required)
    for name in required:
        line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith(f"{name}:"))
        assert f"{path.relative_to(repo.path).as_posix()}:{line}: {name}: 缺少必填字段" in "\n".join(problems)


def test_ids_are_pinyin_and_unique(repo):
    for expected in ("moumou-dangzhibu", "moumou-dangzhibu-2", "moumou-dangzhibu-3"):
        done = cli(repo, "new", "unit", "某某党支部")
        assert f"编号 {expected}" in done.stdout
        assert (repo.path / f"exemplars/units/{expected}.md").exists()


def test_new_sms_is_a_yaml_file_of_its_own(full_repo):
    done = cli(full_repo, "new", "sms", "党员冲在前，群众有靠山。")
    assert done.returncode == 0, done.stderr
    path = full_repo.path / "exemplars/sms/dangyuan-chong-zai-qian-qunzhong-you.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["text"] == "党员冲在前，群众有靠山。" and data["status"] == "draft"
    assert cli(full_repo, "check").returncode == 0


def test_new_news_is_dated_today(repo):
    cli(repo, "new", "news", "某某活动")
    text = (repo.path / "content/news/posts/moumou-huodong.md").read_text(encoding="utf-8")
    assert f"date: {date.today().isoformat()}" in text


def test_an_unknown_kind_is_a_chinese_message(repo):
    done = cli(repo, "new", "unitt", "某某")
    assert done.returncode == 1 and "没有“unitt”这类记录" in done.stderr


# --- 三审 -------------------------------------------------------------------

def test_published_needs_all_three_reviews(repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 农村\nreview:\n"
               "  first: {by: 编辑部, date: 2026-11-25}\nstatus: published\n---\n")
    done = cli(repo, "check")
    assert done.returncode == 1
    assert "exemplars/units/a.md:6: status（状态）: 状态为“已发布”（published），但缺少复审、终审" in done.stdout
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 农村\n" + REVIEWED + "status: published\n---\n")
    assert cli(repo, "check").returncode == 0
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 农村\nreview:\n"
               "  first: {by: 编辑部}\nstatus: review\n---\n")
    done = cli(repo, "check")
    assert "exemplars/units/a.md:5: review.first.date: 缺少必填字段“date”（审核日期）" in done.stdout


def test_public_build_leaves_out_a_draft_that_the_preview_shows(full_repo):
    repo = full_repo
    repo.write("exemplars/units/pub.md", "---\nname: 已发布党支部\nsector: 机关\n" + REVIEWED + "status: published\n---\n")
    repo.write("exemplars/units/cao.md", "---\nname: 草稿党支部\nsector: 机关\nstatus: draft\n---\n")
    assert cli(repo, "build").returncode == 0
    assert cli(repo, "build", "--preview", "--site", str(repo.path / "preview")).returncode == 0
    public, preview = repo.path / "site", repo.path / "preview"
    assert not (public / "exemplars/units/cao").exists()
    assert "草稿党支部" not in (public / "exemplars/units/index.html").read_text(encoding="utf-8")
    assert "已发布党支部" in (public / "exemplars/units/index.html").read_text(encoding="utf-8")
    draft = (preview / "exemplars/units/cao/index.html").read_text(encoding="utf-8")
    assert "草稿党支部" in draft and "预览：草稿，尚未发布" in draft
    assert "三审进度：初审（未审）；复审（未审）；终审（未审）。" in draft
    assert "草稿党支部" in (preview / "exemplars/units/index.html").read_text(encoding="utf-8")


# --- VS Code ------------------------------------------------------------------

def test_committed_json_schemas_equal_the_generated_ones():
    generated = schema_documents()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / SCHEMA_DIR).glob("*.json")}
    assert committed == generated, "scripts/records/schema.yaml 改过后请运行 make schema 并提交 .vscode/schemas/"


def test_vscode_maps_the_yaml_records_to_their_schemas():
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping["./.vscode/schemas/sms.json"] == "exemplars/sms/*.yml"
    assert mapping["./.vscode/schemas/figure.json"] == "exemplars/figures/*.yml"
    sms = json.loads(schema_documents()["sms.json"])
    assert sms["type"] == "object" and sms["properties"]["text"]["title"] == "短信内容"


# --- CI for the users' own repository ------------------------------------------

def test_ci_files_check_test_build_and_keep_the_site():
    gh = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    steps = gh["jobs"]["site"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ["make check", "make test", "make site"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "site/"
    assert {"push", "pull_request"} <= set(gh[True] if True in gh else gh["on"])  # YAML reads `on` as true
    gl = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gl["site"]["script"] == ["make check", "make test", "make site"]
    assert gl["site"]["artifacts"]["paths"] == ["site/"]


# --- check: pages, warnings ---------------------------------------------------

def test_content_pages_front_matter_is_checked(repo):
    repo.write("content/about.md", "---\ntitle: 关于\ndescription: [一, 二]\n---\n正文\n")
    repo.write("content/broken.md", "---\ntitle: 关于: 本站\n---\n正文\n")
    done = cli(repo, "check")
    assert done.returncode == 1
    assert "content/about.md:3: description: 应为一行文字" in done.stdout
    assert "content/broken.md:2: 格式错误：这一行的值里有英文冒号加空格“: ”" in done.stdout


def test_warnings_are_shown_apart_and_do_not_fail_check(repo):
    repo.write("exemplars/members/m.md", "---\nname: 张三\nphoto_alt: 张三在讲课\n---\n")
    done = cli(repo, "check")
    assert done.returncode == 0
    assert "exemplars/members/m.md:3: photo_alt（照片说明）: （提醒）写了照片说明，但没有写照片" in done.stdout
    assert "另有 1 条提醒" in done.stderr
