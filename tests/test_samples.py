"""`python -m scripts samples`: lists what it will remove, removes it only with
--yes, and leaves every other line of every file as it was."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
REVIEWED = ("review:\n  first: {by: 编辑部, date: 2026-11-25}\n  second: {by: 办公室, date: 2026-11-26}\n"
            "  final: {by: 分管领导, date: 2026-11-27}\n")


def samples(root: Path, *args: str):
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "samples", *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def mixed(repo):
    """Real records that refer to samples in every way the files allow."""
    repo.path.joinpath("media").mkdir()
    for name in ("real.jpg", "sample.jpg"):
        Image.new("RGB", (40, 30), "white").save(repo.path / "media" / name)
    repo.write("exemplars/units/sample-a.md", "---\nname: 示例党支部\nsector: 农村\nphoto: media/sample.jpg\n"
               "photo_alt: 示例照片\nsample: true\nstatus: published\n---\n\n示例正文。\n")
    repo.write("exemplars/members/sample-m.md", "---\nname: 示例党员\nunit: sample-a\nsample: true\n"
               "status: published\n---\n")
    repo.write("exemplars/members/sample-n.md", "---\nname: 示例党员二\nsample: true\nstatus: published\n---\n")
    repo.write("exemplars/members/wang.md", "---\nname: 王五\n---\n")
    # Block list, flow list, a scalar, comments and a list left with one item.
    repo.write("exemplars/units/real.md",
               "---\n# 真实单位（注释保留）\nname: 甲党支部\nsector: 农村\nmembers:   # 党员\n"
               "  - sample-m    # 示例\n  - wang\n  - sample-n\nvideos: [sample-v]\n"
               "photo: media/real.jpg\nphoto_alt: 甲党支部党员开会\n" + REVIEWED + "status: published\n---\n\n"
               "## 基本情况\n\n正文保留。\n")
    repo.write("exemplars/members/li.md", "---\nname: 李四\nunit: sample-a   # 所在单位\n"
               "position: 书记\n" + REVIEWED + "status: published\n---\n\n正文。\n")
    repo.write("exemplars/videos/sample-v.md", "---\ntitle: 示例片\nsubjects: [sample-a, real]\nsample: true\n---\n")
    repo.write("exemplars/videos/film.md", "---\ntitle: 真实片\nsubjects: [sample-a, real, sample-m]\n"
               + REVIEWED + "status: published\n---\n")
    # Plain YAML records (one file each): a real one whose first field names
    # a sample, beside sample ones of two kinds.
    repo.write("exemplars/sms/s1.yml", "text: 示例短信一\nsample: true\n")
    repo.write("exemplars/sms/s2.yml", "# 红色短信（文件注释保留）\n\nunit: sample-a   # 作者单位\ntext: 真实短信\n"
               + REVIEWED + "status: published\n")
    repo.write("exemplars/sms/s3.yml", "text: 示例短信三\nsample: true\n")
    repo.write("exemplars/figures/f1.yml", "value: 1\nlabel: 示例\nwording: 示例1个\nsection: 机制推动\n"
               "sample: true\n")
    repo.write("content/about.md", "# 关于\n\n见[示例党支部](exemplars/units/sample-a.md)。\n")
    return repo


def test_the_dry_run_lists_everything_and_changes_nothing(mixed):
    before = snapshot(mixed.path)
    done = samples(mixed.path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("示例记录共 7 条，将删除：\n")
    for line in ("删除文件 exemplars/units/sample-a.md（先进典型“示例党支部”）",
                 "删除文件 exemplars/figures/f1.yml（数说党建“示例”）",
                 "删除文件 exemplars/sms/s1.yml（红色短信“示例短信一”）",
                 "删除文件 exemplars/sms/s3.yml（红色短信“示例短信三”）",
                 "exemplars/units/real.md:6: members（相关党员）: 去掉“sample-m”（示例党员）",
                 "exemplars/units/real.md:9: videos（相关专题片）: 去掉“sample-v”（示例片）",
                 "exemplars/members/li.md:3: unit（所在单位）: 去掉“sample-a”（示例党支部）",
                 "exemplars/sms/s2.yml:3: unit（作者单位）: 去掉“sample-a”（示例党支部）",
                 "media/sample.jpg",
                 "content/about.md:3: 正文: 链接到示例记录“示例党支部”"):
        assert line in out, out
    assert "以上只是预览，没有改动任何文件" in out
    assert snapshot(mixed.path) == before


def test_yes_removes_samples_and_references_and_keeps_every_other_line(mixed):
    mixed.write("content/about.md", "# 关于\n\n本站介绍。\n")
    done = samples(mixed.path, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已删除 7 条示例记录" in done.stdout and "删除后检查通过" in done.stdout
    p = mixed.path
    for gone in ("exemplars/units/sample-a.md", "exemplars/members/sample-m.md", "exemplars/videos/sample-v.md",
                 "exemplars/sms/s1.yml", "exemplars/sms/s3.yml", "exemplars/figures/f1.yml",
                 "media/sample.jpg"):
        assert not (p / gone).exists(), gone
    assert (p / "media/real.jpg").exists()
    assert (p / "exemplars/units/real.md").read_text(encoding="utf-8") == (
        "---\n# 真实单位（注释保留）\nname: 甲党支部\nsector: 农村\nmembers:   # 党员\n"
        "  - wang\nphoto: media/real.jpg\nphoto_alt: 甲党支部党员开会\n" + REVIEWED
        + "status: published\n---\n\n## 基本情况\n\n正文保留。\n")
    assert (p / "exemplars/members/li.md").read_text(encoding="utf-8") == (
        "---\nname: 李四\nposition: 书记\n" + REVIEWED + "status: published\n---\n\n正文。\n")
    assert (p / "exemplars/videos/film.md").read_text(encoding="utf-8").startswith(
        "---\ntitle: 真实片\nsubjects: [real]\n")
    assert (p / "exemplars/sms/s2.yml").read_text(encoding="utf-8") == (
        "# 红色短信（文件注释保留）\n\ntext: 真实短信\n" + REVIEWED + "status: published\n")
    # Nothing left to remove.
    again = samples(p)
    assert again.returncode == 0 and again.stdout.strip() == "没有示例记录，无需删除。"


def test_line_endings_and_byte_order_mark_are_kept(mixed):
    path = mixed.path / "exemplars/members/li.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    mixed.write("content/about.md", "# 关于\n\n本站介绍。\n")
    done = samples(mixed.path, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\nname: \xe6\x9d\x8e\xe5\x9b\x9b\r\nposition:")
    assert b"sample-a" not in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_a_removal_that_breaks_a_page_link_says_so(mixed):
    done = samples(mixed.path, "--yes")
    assert done.returncode == 1
    assert "需要手工修改" in done.stdout and "还有 1 处需要手工修改" in done.stderr
    assert "content/about.md:3: 正文: 链接到示例记录“示例党支部”" in done.stdout


def test_an_unreadable_record_stops_it_before_any_change(mixed):
    mixed.write("exemplars/members/bad.md", "---\nname: [未闭合\n---\n")
    before = snapshot(mixed.path)
    done = samples(mixed.path, "--yes")
    assert done.returncode == 1
    assert "exemplars/members/bad.md:2" in done.stderr
    assert snapshot(mixed.path) == before


def test_the_shipped_samples_all_go_and_the_rest_passes_check(full_repo):
    done = samples(full_repo.path, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    from scripts.records.loader import load_all
    records, problems = load_all(full_repo.path)
    assert records and not problems
    assert not [r for r in records if r.is_sample]
    # Only sample files went: every real record file is byte for byte the same.
    for rel, data in snapshot(FIXTURE / "exemplars").items():
        target = full_repo.path / "exemplars" / rel
        if b"sample: true" not in data:
            assert target.read_bytes() == data, rel
