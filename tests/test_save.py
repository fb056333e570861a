"""`make save`: the check first, then a commit of the changed records and
media only, with a message in the editors' words."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.slow   # git and the command line, as subprocesses

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "e@example.org",
       "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.org"}


def git(repo, *args) -> str:
    return subprocess.run(["git", *args], cwd=repo.path, env=ENV, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def tracked(full_repo):
    git(full_repo, "init", "-q")
    git(full_repo, "add", "-A")
    git(full_repo, "commit", "-qm", "start")
    return full_repo


def save(repo, *args, env=ENV):
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "save", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def photo(gps: bool = False) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    Image.new("RGB", (40, 30), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_changed_records_and_media_are_committed_with_a_chinese_message(tracked):
    tracked.write("exemplars/units/moumou-shequ-dangwei.md",
                  "---\nname: 某某社区党委\nsector: 社区\nphoto: media/photos/zoufang.jpg\n"
                  "photo_alt: 党员入户走访\nstatus: draft\n---\n正文。\n")
    tracked.write("media/photos/zoufang.jpg", photo())
    video = tracked.path / "exemplars/videos/sample-video-02.md"
    video.write_text(video.read_text(encoding="utf-8").replace("示例记录：", "示例记录（改）："), encoding="utf-8")
    (tracked.path / "exemplars/sms/sample-sms-03.yml").unlink()
    mkdocs = tracked.path / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8") + "\n# 开发者的修改\n", encoding="utf-8")

    done = save(tracked)
    assert done.returncode == 0, done.stderr
    subject = git(tracked, "log", "-1", "--format=%s").strip()
    assert subject == ("新增先进典型：某某社区党委；修改专题片：示例专题片（02）；"
                       "删除红色短信：示例短信：学理论常补精神之钙，办实事多解群众之忧……；新增照片：zoufang.jpg（某某社区党委）")
    assert subject in done.stdout
    committed = set(git(tracked, "show", "--name-only", "--format=", "HEAD").split())
    assert committed == {"exemplars/units/moumou-shequ-dangwei.md", "media/photos/zoufang.jpg",
                         "exemplars/videos/sample-video-02.md", "exemplars/sms/sample-sms-03.yml"}
    left = git(tracked, "status", "--porcelain").splitlines()
    assert left == [" M mkdocs.yml", "?? .build/"]   # the developers' file (and the tools' scratch) stay

    again = save(tracked)
    assert again.returncode == 0 and "没有需要保存的修改" in again.stdout


def test_content_with_errors_is_not_committed_and_the_errors_are_named(tracked):
    tracked.write("exemplars/units/moumou.md", "---\nname: 某某党支部\nsector: 农林\n---\n")
    head = git(tracked, "rev-parse", "HEAD")
    done = save(tracked)
    assert done.returncode == 1
    assert "exemplars/units/moumou.md:3: sector（领域）" in done.stderr and "没有保存" in done.stderr
    assert git(tracked, "rev-parse", "HEAD") == head


def test_a_photo_with_its_location_is_refused_with_the_command_that_cleans_it(tracked):
    tracked.write("media/photos/zoufang.jpg", photo(gps=True))
    done = save(tracked)
    assert done.returncode == 1 and "make clean-photos" in done.stderr
    assert subprocess.run([sys.executable, "-m", "scripts", "--root", str(tracked.path), "clean-photos"],
                          cwd=ROOT, env=ENV).returncode == 0
    done = save(tracked)
    assert done.returncode == 0 and "新增照片：zoufang.jpg" in done.stdout


def test_a_changed_or_removed_photo_is_named_with_every_record_that_uses_it(tracked):
    tracked.write("media/photos/zhibu.jpg", photo())
    tracked.write("exemplars/units/hongxing-gacha.md", "---\nname: 红星嘎查党支部\nsector: 农村\n"
                  "photo: media/photos/zhibu.jpg\nphoto_alt: 支部活动\n---\n")
    member = tracked.path / "exemplars/members/jiang-tianyou.md"
    text = member.read_text(encoding="utf-8")
    assert "\nphoto:" not in text.split("\n---", 1)[0]
    member.write_text(text.replace("---\n", "---\nphoto: media/photos/zhibu.jpg\nphoto_alt: 支部活动\n", 1),
                      encoding="utf-8")
    assert save(tracked).returncode == 0
    member_title = git(tracked, "log", "-1", "--format=%s").split("修改优秀共产党员：")[1].split("；")[0]

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    tracked.write("media/photos/zhibu.jpg", out.getvalue())           # another picture, the same name
    assert save(tracked).returncode == 0
    assert git(tracked, "log", "-1", "--format=%s").strip() == f"修改照片：zhibu.jpg（红星嘎查党支部、{member_title}）"

    (tracked.path / "media/photos/zhibu.jpg").unlink()
    (tracked.path / "exemplars/units/hongxing-gacha.md").unlink()
    member.write_text(text, encoding="utf-8")
    assert save(tracked).returncode == 0
    subject = git(tracked, "log", "-1", "--format=%s").strip()
    assert subject.endswith(f"删除照片：zhibu.jpg（红星嘎查党支部、{member_title}）"), subject


def test_many_changes_get_a_short_subject_and_every_change_in_the_body(tracked):
    for n in range(12):
        tracked.write(f"exemplars/sms/xin-{n:02d}.yml", f"text: 第{n}条新短信，内容较长用来测试提交说明的长度。\n")
    assert save(tracked).returncode == 0
    subject, _, body = git(tracked, "log", "-1", "--format=%B").partition("\n\n")
    assert "等（共 12 个文件）" in subject and len(subject) < 130
    assert body.count("第") == 12


def test_without_a_git_identity_it_says_how_to_set_one(tracked, tmp_path):
    tracked.write("exemplars/sms/xin.yml", "text: 新短信。\n")
    env = {k: v for k, v in ENV.items() if not k.startswith("GIT_")}
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(tmp_path / "none"))
    done = save(tracked, env=env)
    assert done.returncode == 1 and "git config user.name" in done.stderr and "Traceback" not in done.stderr


def test_outside_git_it_says_so(repo):
    done = save(repo)
    assert done.returncode == 1 and "不是 git 仓库" in done.stderr


def test_make_save_runs_it(tracked):
    tracked.write("exemplars/sms/xin.yml", "text: 新短信。\n")
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "save", f"REPO={tracked.path}"],
                          env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert git(tracked, "log", "-1", "--format=%s").strip() == "新增红色短信：新短信。"


def test_the_department_s_settings_are_saved_too(tracked):
    settings = tracked.path / "网站设置.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('contact: ""', "contact: 电话 0470-0000000"),
                        encoding="utf-8")
    done = save(tracked)
    assert done.returncode == 0, done.stderr
    assert git(tracked, "log", "-1", "--format=%s").strip() == "修改网站设置：网站设置.yml"
    assert git(tracked, "-c", "core.quotepath=false", "show", "--name-only", "--format=", "HEAD").split() == ["网站设置.yml"]
