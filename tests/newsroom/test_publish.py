"""Publishing from the newsroom (publishing.py): 终审 runs the release gate and
publishes to a local folder target (real build, real rsync, the target's
`current` read back); a gate that refuses leaves `current` as it was and the
item page shows its messages; the 发布网站 page publishes and rolls back,
for 终审 and 管理员 only."""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.urls import reverse

from scripts.newsroom import config as cfg
from scripts.newsroom import publishing, repository

from tests.conftest import Repo
from tests.newsroom.helpers import account, client_of, first_commit, git, review_through
from tests.test_release import clean_repo

UNIT = ("unit", "a")
UNIT_NAME = "甲党支部"


def page_of(target: Path, kind_url: str) -> str:
    return (target / "current" / kind_url / "index.html").read_text(encoding="utf-8")


def live(target: Path) -> str | None:
    link = target / "current"
    return os.readlink(link) if link.is_symlink() else None


@pytest.fixture
def site(tmp_path, db):
    """A repository that passes the release gate but for one draft unit
    waiting for 三审 (no member: published records need the newsroom's
    signatures), under git with the newsroom's key; a folder target."""
    from scripts.newsroom.__main__ import _signing_key

    root, data, target = tmp_path / "repo", tmp_path / "data", tmp_path / "www"
    root.mkdir()
    repo = clean_repo(Repo(root, with_content=False))
    (root / "exemplars/members/zhang.md").unlink()
    repo.write("exemplars/units/a.md", f"---\nname: {UNIT_NAME}\nsector: 农村\nsummary: 发布测试用的支部。\n"
                                       "photo: media/a.jpg\nphoto_alt: 党员开会\nstatus: draft\n---\n\n支部简介正文。\n")
    (root / ".gitignore").write_text(".build/\n", encoding="utf-8")
    first_commit(root)
    conf = cfg.load({"NEWSROOM_REPO": str(root), "NEWSROOM_DATA": str(data), "NEWSROOM_DEPLOY_TARGET": str(target)})
    cfg.make_data_folder(conf)
    _signing_key(conf, new_key=False)
    with override_settings(NEWSROOM_REPO=root, NEWSROOM_DATA=data,
                           NEWSROOM=dataclasses.replace(settings.NEWSROOM, deploy_target=str(target))):
        yield repo, data, target
    publishing.wait()


@pytest.fixture
def people(site):
    return {"lisi": account("lisi", ["撰稿"], [UNIT[1]], "李四"),
            "zhao": account("zhao", ["初审"], [], "赵一"),
            "qian": account("qian", ["复审"], [], "钱二"),
            "sun": account("sun", ["终审"], [], "孙三"),
            "admin": account("boss", ["管理员"], [], "管理员甲")}


def approve_all(people) -> None:
    review_through(UNIT, people["lisi"], [people["zhao"], people["qian"], people["sun"]])
    publishing.wait()


def item_page(people, who: str = "sun") -> str:
    return client_of(people[who]).get(reverse("newsroom:item", args=UNIT)).content.decode()


@pytest.mark.slow
def test_final_approval_publishes_the_site(site, people):
    repo, data, target = site
    assert live(target) is None
    approve_all(people)
    link = live(target)
    assert link and re.fullmatch(r"releases/\d{8}-\d{6}-\d{6}", link)
    served = page_of(target, "exemplars/units/a")
    assert UNIT_NAME in served and "支部简介正文" in served
    page = item_page(people)
    release = link.split("/")[1]
    assert re.search(rf"已发布（\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d，版本 {release}）", page), page
    # The target's history has the switch; the newsroom's log names the 终审 account.
    assert (target / "history.log").read_text(encoding="utf-8").split()[1:] == ["publish", "-", release]
    assert re.search(rf"sun 发布（unit/a）：版本 {release} 正在使用", (data / publishing.JOURNAL).read_text())
    # The repository stays clean: the trial build went to the data folder.
    assert git(repo.path, "status", "--porcelain") == ""


@pytest.mark.slow
def test_a_refusing_gate_leaves_the_site_as_it_was_and_the_item_shows_why(site, people):
    repo, data, target = site
    sun = client_of(people["sun"])
    assert sun.post(reverse("newsroom:publish_act"), {"action": "publish"}).status_code == 302
    publishing.wait()
    before = live(target)
    assert before is not None
    releases = sorted(p.name for p in (target / "releases").iterdir())
    # A sample record left in: the gate refuses the go-live.
    repo.write("exemplars/units/s.md", "---\nname: 示例党支部\nsector: 农村\nsample: true\n---\n")
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "示例")
    approve_all(people)
    assert live(target) == before
    assert sorted(p.name for p in (target / "releases").iterdir()) == releases
    assert not (target / "current/exemplars/units/a/index.html").exists()
    page = item_page(people)
    assert "发布前检查未通过，网站未更新" in page
    assert "exemplars/units/s.md:4: sample（示例记录）" in page
    assert "已发布（" not in page
    # The record itself is published in the repository all the same.
    assert repository.find_record(repo.path, *UNIT).status == "published"


def test_without_a_target_the_item_says_the_next_publish_updates_the_site(newsroom):
    newsroom.draft("unit", "newsroom-pub-a", {"name": "测试发布党支部", "sector": "农村", "summary": "草稿。"})
    people = [account("lisi", ["撰稿"], ["newsroom-pub-a"], "李四"), account("zhao", ["初审"], [], "赵一"),
              account("qian", ["复审"], [], "钱二"), account("sun", ["终审"], [], "孙三")]
    assert not settings.NEWSROOM.deploy_target
    item = ("unit", "newsroom-pub-a")
    review_through(item, people[0], people[1:])
    page = client_of(people[3]).get(reverse("newsroom:item", args=item)).content.decode()
    assert "终审通过，网站将在管理员下次发布时更新" in page
    assert not (newsroom.data / publishing.OUTCOMES).exists()
    # Nor is there a 发布网站 page to use.
    response = client_of(people[3]).get(reverse("newsroom:publish"))
    assert response.status_code == 409 and "NEWSROOM_DEPLOY_TARGET" in response.content.decode()
    assert "发布网站" not in page


def test_the_publish_page_is_for_final_reviewers_and_administrators(site, people):
    url = reverse("newsroom:publish")
    from django.test import Client
    anonymous = Client()
    assert anonymous.get(url).status_code == 302
    assert anonymous.post(reverse("newsroom:publish_act"), {"action": "publish"}).status_code == 302
    for who in ("lisi", "zhao"):
        response = client_of(people[who]).get(url)
        assert response.status_code == 403 and "才能发布网站或回退" in response.content.decode()
        response = client_of(people[who]).post(reverse("newsroom:publish_act"), {"action": "rollback"})
        assert response.status_code == 403
        assert "发布网站" not in client_of(people[who]).get(reverse("newsroom:mine")).content.decode()
    for who in ("sun", "admin"):
        page = client_of(people[who]).get(url).content.decode()
        assert "发布整个网站" in page and "还没有发布过网站" in page
        assert reverse("newsroom:publish") in client_of(people[who]).get(reverse("newsroom:mine")).content.decode()
    # Without the form's CSRF token, nothing happens.
    strict = client_of(people["sun"], enforce_csrf_checks=True)
    assert strict.post(reverse("newsroom:publish_act"), {"action": "publish"}).status_code == 403
    assert not (site[2] / "current").exists()


@pytest.mark.slow
def test_publish_and_rollback_from_the_publish_page(site, people):
    repo, data, target = site
    admin = client_of(people["admin"])
    act_url = reverse("newsroom:publish_act")
    response = admin.post(act_url, {"action": "publish"}, follow=True)
    first = live(target).split("/")[1]
    assert f"已发布：版本 {first} 正在使用" in response.content.decode()
    approve_all(people)                       # the unit goes live with a second release
    second = live(target).split("/")[1]
    assert second > first and UNIT_NAME in page_of(target, "exemplars/units/a")
    page = admin.get(reverse("newsroom:publish")).content.decode()
    assert f"{second} ← 正在使用" in page and f"{first} ← 回退将回到此版本" in page
    assert f"发布 {first} → {second}" in page

    response = admin.post(act_url, {"action": "rollback"}, follow=True)
    assert f"已回退：正在使用的版本由 {second} 改为 {first}" in response.content.decode()
    assert live(target) == f"releases/{first}"
    assert not (target / "current/exemplars/units/a/index.html").exists()
    response = admin.post(act_url, {"action": "rollback"}, follow=True)
    assert "未回退：没有更早的版本可以回退" in response.content.decode()
    assert live(target) == f"releases/{first}"

    switches = [line.split()[1:] for line in (target / "history.log").read_text(encoding="utf-8").splitlines()]
    assert switches == [["publish", "-", first], ["publish", first, second], ["rollback", second, first]]
    journal = (data / publishing.JOURNAL).read_text(encoding="utf-8")
    assert re.search(rf"boss 发布（site）：版本 {first}", journal)
    assert re.search(rf"boss 回退：正在使用的版本由 {second} 改为 {first}", journal)
    assert "boss 回退失败：没有更早的版本" in journal
    assert admin.post(act_url, {"action": "delete"}).status_code == 400


def test_a_publish_cut_off_with_its_process_reads_as_interrupted(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    publishing._record(data, "unit/x", state=publishing.RUNNING, account="sun", started="2026-12-06T12:00:00+08:00")
    assert publishing.outcome(data, "unit/x")["state"] == publishing.RUNNING
    # The same entry written by a process that is gone.
    text = (data / publishing.OUTCOMES).read_text(encoding="utf-8")
    (data / publishing.OUTCOMES).write_text(text.replace(f'"pid": {os.getpid()}', '"pid": 999999999'))
    found = publishing.outcome(data, "unit/x")
    assert found["state"] == publishing.FAILED and "发布被中断" in found["message"]


def test_a_bad_deploy_target_is_refused_at_start(tmp_path, newsroom):
    with pytest.raises(cfg.ConfigError, match="NEWSROOM_DEPLOY_TARGET"):
        cfg.load({"NEWSROOM_REPO": str(newsroom.root), "NEWSROOM_DATA": str(tmp_path / "d"),
                  "NEWSROOM_DEPLOY_TARGET": "relative/www"})
