"""`check --release`, the gate before publishing: passes on a clean scratch
repository, fails on the shipped one (sample records, footer not set, the
address a local one), names every missing item in one run, and passes on the
shipped content once `samples --yes` ran and the department's data is in."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
REVIEWED = ("review:\n  first: {by: 编辑部, date: 2026-11-25}\n  second: {by: 办公室, date: 2026-11-26}\n"
            "  final: {by: 分管领导, date: 2026-11-27}\n")
FOOTER = {"icp_beian": "蒙ICP备00000000号-1", "police_beian": "蒙公网安备 00000000000000号",
          "site_code": "0000000000", "contact": "电话 0000-0000000", "gov_badge": "assets/gov-badge.png"}
SITE_URL = "https://dangjian.zhalantun.gov.cn/"


def release(root: Path):
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "check", "--release"],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def set_footer(repo, **values):
    """Fill the settings file's extra keys, whether or not the file has them yet."""
    path = repo.path / "网站设置.yml"
    text = path.read_text(encoding="utf-8")
    if not re.search(r"^extra:", text, re.M):
        text += "\nextra:\n"
    for key, value in values.items():
        text, n = re.subn(rf"^(\s+){key}:.*$", rf'\g<1>{key}: "{value}"', text, count=1, flags=re.M)
        if not n:
            text = re.sub(r"^extra:.*$", f'extra:\n  {key}: "{value}"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def set_site_url(root: Path, url: str) -> None:
    path = root / "网站设置.yml"
    path.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def go_live_data(root: Path) -> None:
    """What the department fills in before going live: the address, the footer, the badge."""
    set_site_url(root, SITE_URL)
    (root / "content" / "assets").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (110, 55), "red").save(root / "content" / "assets" / "gov-badge.png")


def clean_repo(repo):
    """A repository that passes: one reviewed unit and member, the menu's own
    pages (the `repo` fixture has them) and the go-live data."""
    set_footer(repo, **FOOTER)
    go_live_data(repo.path)
    Image.new("RGB", (800, 600), "white").save(repo.path / "photo.jpg")
    repo.path.joinpath("media").mkdir()
    (repo.path / "photo.jpg").rename(repo.path / "media/a.jpg")
    repo.write("exemplars/units/a.md", "---\nname: 甲党支部\nsector: 农村\nmembers: [zhang]\n"
               "photo: media/a.jpg\nphoto_alt: 党员开会\n" + REVIEWED + "status: published\n---\n")
    repo.write("exemplars/members/zhang.md", "---\nname: 张三\nunit: a\n" + REVIEWED + "status: published\n---\n")
    return repo


def test_a_clean_repository_passes(repo):
    done = release(clean_repo(repo).path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "发布前检查通过" in done.stdout


def test_the_shipped_repository_fails_with_the_right_messages(full_repo):
    done = release(full_repo.path)
    assert done.returncode == 1
    out = done.stdout
    assert "exemplars/units/sample-unit-01.md:5: sample（示例记录）: “示例嘎查村党支部（01）”是示例记录" in out
    assert "exemplars/sms/sample-sms-01.yml:5: sample（示例记录）" in out
    for key, label in (("icp_beian", "ICP 备案号"), ("police_beian", "公安机关备案号"),
                       ("site_code", "网站标识码"), ("contact", "联系方式")):
        assert re.search(rf"^网站设置\.yml:\d+: extra\.{key}: {label}尚未填写", out, re.M), key
    assert re.search(r"^网站设置\.yml:\d+: extra\.gov_badge: 党政机关网站标识尚未设置", out, re.M)
    assert re.search(r"^网站设置\.yml:\d+: site_url: 网址“http://127\.0\.0\.1:8000/”不是以 https:// 开头", out, re.M)
    # Each footer gap once, at its setting: not again from every built page.
    assert "联系方式待填写" not in out and not re.search(r"^site/", out, re.M)
    # Only the release rules fail it: plain check passes.
    plain = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "check"],
                           cwd=ROOT, capture_output=True, text=True)
    assert plain.returncode == 0


def test_each_footer_field_is_required(repo):
    clean_repo(repo)
    set_footer(repo, site_code="")
    done = release(repo.path)
    assert done.returncode == 1
    assert [line.split(": ")[1] for line in done.stdout.splitlines() if line.startswith("网站设置.yml")] == ["extra.site_code"]


def test_a_published_page_linking_to_a_draft_fails(repo):
    clean_repo(repo)
    repo.write("exemplars/members/zhang.md", "---\nname: 张三\nunit: a\nstatus: review\n---\n")
    repo.write("content/about.md", "# 关于\n\n见[张三](exemplars/members/zhang.md)。\n")
    done = release(repo.path)
    assert done.returncode == 1
    assert "exemplars/units/a.md:4: members: 已发布的记录链接到尚未发布（review）的“张三”" in done.stdout
    assert "content/about.md:3: 正文: 链接到尚未发布（review）的“张三”" in done.stdout


def test_a_photo_without_alt_text_fails(repo):
    clean_repo(repo)
    text = (repo.path / "exemplars/units/a.md").read_text(encoding="utf-8")
    (repo.path / "exemplars/units/a.md").write_text(text.replace("photo_alt: 党员开会\n", ""), encoding="utf-8")
    done = release(repo.path)
    assert done.returncode == 1
    assert "exemplars/units/a.md:5: photo_alt（照片说明）: 有照片就要写照片说明" in done.stdout


def test_a_sample_record_fails_even_as_a_draft(repo):
    clean_repo(repo)
    repo.write("exemplars/units/s.md", "---\nname: 示例党支部\nsector: 农村\nsample: true\n---\n")
    done = release(repo.path)
    assert "exemplars/units/s.md:4: sample（示例记录）" in done.stdout and done.returncode == 1


def test_content_pages_are_read_like_records(repo):
    """BOM and CRLF are accepted, a non-UTF-8 page is reported, not a crash."""
    clean_repo(repo)
    repo.write("exemplars/members/zhang.md", "---\nname: 张三\nunit: a\nstatus: review\n---\n")
    text = "---\ntitle: 关于\n---\n\n见[张三](exemplars/members/zhang.md)。\n"
    repo.write("content/about.md", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    repo.write("content/gbk.md", "# 说明\n\n正文。\n".encode("gbk"))
    done = release(repo.path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/about.md:5: 正文: 链接到尚未发布（review）的“张三”" in done.stdout
    assert re.search(r"content/gbk\.md:\d+: .*UTF-8", done.stdout + done.stderr)


def test_one_run_names_every_missing_item(repo):
    """Everything wrong at once: each item named, in Chinese, in one run."""
    clean_repo(repo)
    set_footer(repo, contact="", site_code="")
    set_site_url(repo.path, "https://localhost/")
    (repo.path / "content/assets/gov-badge.png").unlink()
    repo.write("exemplars/units/s.md", "---\nname: 示例党支部\nsector: 农村\nsample: true\nstatus: published\n---\n")
    repo.write("exemplars/units/b.md", "---\nname: 乙党支部\nsector: 社区\nstatus: published\n---\n")
    repo.write("exemplars/units/c.md", "---\nname: 丙党支部\nsector: 社区\n" + REVIEWED
               + "status: published\n---\n\n负责人：待填写。\n")
    repo.write("content/about.md", '# 关于\n\n<a href="../no-such-page/">旧栏目</a>\n')
    done = release(repo.path)
    assert done.returncode == 1
    out = done.stdout
    expected = [
        r"网站设置\.yml:\d+: site_url: 网址“https://localhost/”是本机或内网地址",
        r"网站设置\.yml:\d+: extra\.contact: 联系方式尚未填写",
        r"网站设置\.yml:\d+: extra\.site_code: 网站标识码尚未填写",
        r"网站设置\.yml:\d+: extra\.gov_badge: 找不到党政机关网站标识图片 content/assets/gov-badge\.png",
        r"exemplars/units/s\.md:4: sample（示例记录）: “示例党支部”是示例记录",
        r"exemplars/units/b\.md:4: status（状态）: 状态为“已发布”（published），但缺少初审、复审、终审",
        r"exemplars/units/c\.md:1: 网页: 网页 exemplars/units/c/index\.html 上有未填写的内容“负责人：待填写。”",
        r"content/about\.md:1: 链接: 网页 about/index\.html 中的链接“\.\./no-such-page/”无效：页面或文件不存在",
    ]
    for pattern in expected:
        assert re.search("^" + pattern, out, re.M), pattern
    # The footer's gaps are named at their settings, not again from the pages.
    assert "联系方式待填写" not in out and not re.search(r"^site/", out, re.M)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "https://127.0.0.1/", "https://localhost:8443/",
                                 "https://192.168.1.10/", "https://[::1]/", "https://example.com/",
                                 "https://www.example.org/", "https://dangjian.example/", "https://dangjian.test/",
                                 "http://dangjian.zhalantun.gov.cn/", "https://dangjian/", "", "dangjian.gov.cn",
                                 "https://example.cn/", "https://www.example.gov.cn/dangjian/"])
def test_a_local_example_or_plain_http_address_is_refused(repo, url):
    from scripts.check.release import site_url_problems
    set_site_url(repo.path, f'"{url}"')
    found = site_url_problems(repo.path)
    line = next(n for n, text in enumerate((repo.path / "网站设置.yml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("site_url:"))
    assert len(found) == 1 and found[0].field == "site_url" and found[0].line == line, found
    assert found[0].path == "网站设置.yml" and "网站设置.yml" in found[0].message


def test_the_field_is_not_named_twice_in_the_message(repo):
    from scripts.check.release import site_url_problems
    set_site_url(repo.path, '"https://example.cn/"')
    found, = site_url_problems(repo.path)
    assert "site_url" not in found.message.split("：")[0] and "示例" in found.message


def test_the_summary_comes_first_and_groups_what_stands_in_the_way():
    from scripts.check.release import release_summary
    from scripts.problems import Problem
    problems = [Problem(f"exemplars/units/sample-{n}.md", 5, "sample（示例记录）", "是示例记录") for n in range(124)]
    problems += [Problem("网站设置.yml", 10, "site_url", "尚未填写"),
                 Problem("网站设置.yml", 18, "extra.contact", "联系方式尚未填写"),
                 Problem("exemplars/units/b.md", 4, "status（状态）", "缺少初审"),
                 Problem("content/x.md", 3, "", "错别字", level="warning")]
    lines = release_summary(problems)
    assert len(lines) <= 10
    text = "\n".join(lines)
    assert "127 个错误" in lines[0]
    assert "124 条示例记录" in text and "make samples YES=1" in text
    assert "网站设置 2 项" in text and "网站正式网址、联系方式" in text
    assert "1 条记录标为已发布但三审未完成" in text
    assert release_summary([Problem("a.md", 1, "", "错别字", level="warning")]) == []


def test_a_real_https_address_is_accepted(repo):
    from scripts.check.release import site_url_problems
    set_site_url(repo.path, SITE_URL)
    assert site_url_problems(repo.path) == []


def test_the_badge_must_be_an_image(repo):
    clean_repo(repo)
    (repo.path / "content/assets/gov-badge.png").write_text("不是图片", encoding="utf-8")
    done = release(repo.path)
    assert done.returncode == 1
    assert re.search(r"^网站设置\.yml:\d+: extra\.gov_badge: content/assets/gov-badge\.png 不是可以显示的图片",
                     done.stdout, re.M)


@pytest.mark.slow
def test_without_samples_and_with_the_go_live_data_the_shipped_content_passes(full_repo):
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "samples", "--yes"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    set_footer(full_repo, **FOOTER)
    go_live_data(full_repo.path)
    plain = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "check"],
                           cwd=ROOT, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    done = release(full_repo.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "发布前检查通过" in done.stdout


@pytest.mark.slow
def test_on_the_repository_s_own_content_the_summary_is_on_the_first_screen(tmp_path):
    """The real command on a copy of this repository's own records and
    settings (whatever they are today): a go-live reads the summary first
    (within 10 lines), and a setting reported at its line in the settings file
    is not reported again from every built page."""
    for name in ("mkdocs.yml", "网站设置.yml", "templates", "content", "exemplars", "wording", "media"):
        src = ROOT / name
        if src.exists():
            (shutil.copytree if src.is_dir() else shutil.copyfile)(src, tmp_path / name)
    done = release(tmp_path)
    lines = done.stdout.splitlines()
    if done.returncode == 0:
        assert "发布前检查通过" in done.stdout
        return
    first = next(n for n, line in enumerate(lines) if line.startswith("发布前检查："))
    details = lines.index("详情（文件:行: 字段: 说明）：")
    assert first < 10 and details < 10, lines[:12]
    settings = [line for line in lines if line.startswith(("网站设置.yml:", "mkdocs.yml:"))]
    if settings:
        assert "网站设置" in "\n".join(lines[first:details])
    assert not [line for line in lines if line.startswith("site/") and "待填写" in line], lines
    # Every footer item still empty in the settings file is named there, at its line.
    from scripts.site_config import SETTINGS, setting_line, site_config
    extra = site_config(tmp_path).get("extra") or {}
    for s in SETTINGS:
        if s.required and s.key.startswith("extra.") and not str(extra.get(s.name) or "").strip():
            file, line = setting_line(tmp_path, s.name, "extra")
            assert any(l.startswith(f"{file}:{line}: {s.key}: ") for l in settings), (s.key, settings)
