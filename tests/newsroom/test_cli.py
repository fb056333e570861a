"""python -m scripts.newsroom: init, user add/list/disable/enable/passwd and
serve, as an administrator runs them (subprocesses, their own data folder
and SQLite file); and the database as a disposable thing: deleted and made
again by init, it takes no record and no review with it."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.test.utils import override_settings

from scripts.check.signatures import signature_problems
from scripts.newsroom import repository
from tests.conftest import ROOT, Repo
from tests.newsroom.helpers import account, first_commit, git, review_through

pytestmark = pytest.mark.slow
PASSWORD = re.compile(r"密码：(\S+)")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    Repo(root, with_content=True)
    first_commit(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    env.update(NEWSROOM_REPO=str(root), NEWSROOM_DATA=str(tmp_path / "data"), PYTHONDONTWRITEBYTECODE="1")
    return root, tmp_path / "data", env


def run(env, *args, ok=True):
    done = subprocess.run([sys.executable, "-m", "scripts.newsroom", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert "Traceback" not in done.stderr + done.stdout
    assert (done.returncode == 0) == ok, done.stderr + done.stdout
    return done


def check_password(env, name: str, password: str) -> bool:
    code = ("import django, sys; django.setup(); from scripts.newsroom.models import Account; "
            f"a = Account.objects.get(username={name!r}); print(a.is_active and a.check_password({password!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**env, "DJANGO_SETTINGS_MODULE": "scripts.newsroom.settings"})
    return out.stdout.strip() == "True"


def test_init_and_accounts(site):
    root, data, env = site
    done = run(env, "init")
    admin_password = PASSWORD.search(done.stdout).group(1)
    assert check_password(env, "admin", admin_password)
    for name in ("secret_key", "newsroom_private_key.pem"):
        assert ((data / name).stat().st_mode & 0o777) == 0o600
    assert git(root, "log", "-1", "--format=%an|%s", "--", "newsroom.yml").strip() == \
        "审稿系统|审稿系统：写入签名公钥（newsroom.yml）"
    head = git(root, "rev-parse", "HEAD")
    assert "已有管理员账号" in run(env, "init").stdout
    assert git(root, "rev-parse", "HEAD") == head

    done = run(env, "user", "add", "zhangsan", "--roles", "初审，复审", "--full-name", "张三")
    password = PASSWORD.search(done.stdout).group(1)
    assert check_password(env, "zhangsan", password)
    run(env, "user", "add", "lisi", "--roles", "撰稿", "--units", "moguqi-dangwei", "--full-name", "李四")
    listing = run(env, "user", "list").stdout
    assert re.search(r"zhangsan\t张三\t角色：初审、复审\t单位：无\t启用", listing)
    assert re.search(r"lisi\t李四\t角色：撰稿\t单位：moguqi-dangwei\t启用", listing)
    assert password not in listing

    for args, message in ((("张三", "--roles", "初审"), "账号“张三”不可用"),
                          (("wangwu", "--roles", "社长"), "没有“社长”这个角色"),
                          (("wangwu", "--roles", "撰稿", "--units", "no-such-unit"), "no-such-unit"),
                          (("zhangsan", "--roles", "初审"), "已经存在"),
                          (("wangwu",), "命令有误")):
        done = run(env, "user", "add", *args, ok=False)
        assert message in done.stderr
    assert "wangwu" not in run(env, "user", "list").stdout
    assert "没有账号“nobody”" in run(env, "user", "disable", "nobody", ok=False).stderr

    run(env, "user", "disable", "zhangsan")
    assert "zhangsan\t张三\t角色：初审、复审\t单位：无\t已停用" in run(env, "user", "list").stdout
    assert not check_password(env, "zhangsan", password)
    run(env, "user", "enable", "zhangsan")
    new = PASSWORD.search(run(env, "user", "passwd", "zhangsan").stdout).group(1)
    assert new != password and check_password(env, "zhangsan", new) and not check_password(env, "zhangsan", password)


def test_bad_settings_are_said_in_chinese(site, tmp_path):
    root, data, env = site
    done = run({**env, "NEWSROOM_DATA": str(root / "site" / "data")}, "init", ok=False)
    assert "不能放在仓库或网站目录" in done.stderr and not (root / "site").exists()
    assert "请先运行" in run(env, "user", "list", ok=False).stderr
    assert "不是网站内容仓库" in run({**env, "NEWSROOM_REPO": str(tmp_path)}, "init", ok=False).stderr
    assert "只能监听 127.0.0.1" in run(env, "serve", "--address", "0.0.0.0:8090", ok=False).stderr


def test_deleting_the_database_loses_no_review(site, db):
    root, data, env = site
    run(env, "init")
    item = ("unit", "moguqi-dangwei")
    rel = repository.find_record(root, *item).path
    text = (root / rel).read_text(encoding="utf-8").replace("status: published", "status: draft")
    (root / rel).write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "改回草稿")
    with override_settings(NEWSROOM_REPO=root, NEWSROOM_DATA=data):
        review_through(item, account("lisi", ["撰稿"], [item[1]], "李四"),
                       [account(n, [role], [], "") for n, role in (("zhao", "初审"), ("qian", "复审"), ("sun", "终审"))])
    reviewed, head = (root / rel).read_bytes(), git(root, "rev-parse", "HEAD")
    record = repository.find_record(root, *item)
    assert record.status == "published" and signature_problems(root, [record]) == []

    (data / "newsroom.sqlite3").unlink()
    done = run(env, "init")
    assert "与仓库的 newsroom.yml 相符" in done.stdout and "已建立管理员账号" in done.stdout
    assert (root / rel).read_bytes() == reviewed and git(root, "rev-parse", "HEAD") == head
    record = repository.find_record(root, *item)
    assert [record["review"][s]["account"] for s in ("first", "second", "final")] == ["zhao", "qian", "sun"]
    assert signature_problems(root, [record]) == []
    assert "lisi" not in run(env, "user", "list").stdout   # accounts are the database's, made again


def test_serve_locally(site):
    root, data, env = site
    run(env, "init")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "scripts.newsroom", "serve", "--address", f"127.0.0.1:{port}"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    page = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "审稿系统没有启动"
                time.sleep(0.2)
        assert "登录" in page and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        # The local try-out serves the admin's own files (no nginx in front).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/newsroom/newsroom.css", timeout=5) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_trying_it_leaves_the_repository_as_it_was(site, tmp_path):
    """`make newsroom` (try): init and serve on a clone, with an admin's
    password printed; the repository itself gets no newsroom.yml, no commit."""
    root, _, env = site
    env = {k: v for k, v in env.items() if k not in ("NEWSROOM_REPO", "NEWSROOM_DATA")}
    env.update(HOME=str(tmp_path / "home"))
    head = git(root, "rev-parse", "HEAD")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "try.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(root), "newsroom", "try",
                                   "--address", f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    assert "登录" in response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.2)
        assert PASSWORD.search(log.read_text(encoding="utf-8"))
        clone = root / ".build" / "newsroom-try" / "repo"
        assert (clone / "newsroom.yml").is_file()
        assert not (root / "newsroom.yml").exists() and git(root, "rev-parse", "HEAD") == head
        assert not git(root, "status", "--porcelain", "--untracked-files=no")
        assert any((tmp_path / "home").rglob("*.pem")) and not any(clone.rglob("*.pem"))   # keys outside any repository
    finally:
        server.terminate()
        server.wait(timeout=30)
