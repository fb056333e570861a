"""The newsroom's doors: nothing without a session, no POST from another
origin or without the CSRF token, an account locked after 5 bad passwords,
the headers and cookies that keep a page out of frames and scripts, and a
data folder that can never end up in the repository or on the web."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from scripts.newsroom import config as cfg
from tests.newsroom.helpers import account, act, client_of

ITEM = ("unit", "newsroom-test-a")


@pytest.fixture
def setup(newsroom):
    newsroom.draft("unit", ITEM[1], {"name": "测试甲党支部", "sector": "农村"})
    return newsroom


def test_nothing_without_a_session(setup):
    anonymous = Client()
    login = reverse("newsroom:login")
    for url in (reverse("newsroom:home"), reverse("newsroom:mine"), reverse("newsroom:queue", args=["first"]),
                reverse("newsroom:item", args=ITEM)):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login + "?next="), url
    before = setup.log()
    response = act(anonymous, ITEM, "submit")
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert setup.log() == before
    for url in ("/admin/", "/admin/newsroom/account/", "/admin/newsroom/account/add/", "/admin/auth/group/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    # No way in but an account made by an administrator.
    assert Client().get("/register/").status_code == 404
    from django.urls import NoReverseMatch
    for name in ("admin_password_reset", "password_reset", "signup"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


def test_admin_only_for_administrators(setup):
    user = account("zhao", ["初审"], [], "赵一")
    assert client_of(user).get("/admin/newsroom/account/").status_code == 302
    boss = account("boss", ["管理员"], [], "管理员甲")
    boss.refresh_from_db()
    assert boss.is_staff
    page = client_of(boss).get("/admin/newsroom/account/")
    assert page.status_code == 200 and "赵一" in page.content.decode() and "账号" in page.content.decode()


def test_forged_origin_and_missing_token_are_refused(setup):
    user = account("lisi", ["撰稿"], [ITEM[1]], "李四")
    c = client_of(user, enforce_csrf_checks=True)
    page = c.get(reverse("newsroom:item", args=ITEM))
    token = page.context["csrf_token"]
    url = reverse("newsroom:act", args=ITEM)
    before = setup.log()
    assert c.post(url, {"action": "submit"}).status_code == 403
    forged = c.post(url, {"action": "submit", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403 and "安全校验" in forged.content.decode()
    assert setup.log() == before
    # The same request from the newsroom's own page goes through.
    own = c.post(url, {"action": "submit", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver")
    assert own.status_code == 302 and len(setup.log()) == len(before) + 1


def test_lockout_after_five_bad_passwords(setup):
    from scripts.newsroom import accounts
    account("lisi", ["撰稿"], [], "李四")
    password = accounts.passwd("lisi")
    url = reverse("newsroom:login")
    for _ in range(4):
        assert Client().post(url, {"username": "lisi", "password": "wrong-password"}).status_code == 200
    # Four failures: the right password still works (and clears them).
    assert Client().post(url, {"username": "lisi", "password": password}).status_code == 302
    for _ in range(5):
        Client().post(url, {"username": "lisi", "password": "wrong-password"})
    locked = Client().post(url, {"username": "lisi", "password": password})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    # From another address too: the lock is on the account.
    again = Client(REMOTE_ADDR="10.1.2.3").post(url, {"username": "lisi", "password": password})
    assert again.status_code == 429
    # The administrator's new password lifts the lock.
    password = accounts.passwd("lisi")
    assert Client().post(url, {"username": "lisi", "password": password}).status_code == 302


def test_disabled_account_is_out_at_once(setup):
    from scripts.newsroom import accounts
    user = account("lisi", ["撰稿"], [ITEM[1]], "李四")
    c = client_of(user)
    assert c.get(reverse("newsroom:mine")).status_code == 200
    accounts.disable("lisi")
    assert c.get(reverse("newsroom:mine")).status_code == 302


def test_headers_cookies_and_hashes(setup):
    from scripts.newsroom import accounts
    account("lisi", ["撰稿"], [], "李四")
    password = accounts.passwd("lisi")
    c = Client()
    page = c.get(reverse("newsroom:login"))
    csp = page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp and "form-action 'self'" in csp
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    response = c.post(reverse("newsroom:login"), {"username": "lisi", "password": password})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""   # ends with the browser
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    csrf = c.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Strict"
    from scripts.newsroom.models import Account
    assert Account.objects.get(username="lisi").password.startswith("argon2")


def test_data_folder_outside_the_repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "mkdocs.yml").write_text("site_name: 测试\nsite_url: https://dangjian.example.cn/\n", encoding="utf-8")
    for inside in (repo, repo / "site" / "newsroom", repo / ".newsroom"):
        with pytest.raises(cfg.ConfigError, match="仓库"):
            cfg.load({"NEWSROOM_REPO": str(repo), "NEWSROOM_DATA": str(inside)})
    link = tmp_path / "link"
    link.symlink_to(repo / "site", target_is_directory=True)
    with pytest.raises(cfg.ConfigError):
        cfg.load({"NEWSROOM_REPO": str(repo), "NEWSROOM_DATA": str(link)})
    conf = cfg.load({"NEWSROOM_REPO": str(repo), "NEWSROOM_DATA": str(tmp_path / "data")})
    assert conf.database["ENGINE"].endswith("sqlite3") and conf.database["NAME"].startswith(str(tmp_path / "data"))
    assert conf.trusted_origins == ["https://dangjian.example.cn"]
    assert "dangjian.example.cn" in conf.allowed_hosts and "127.0.0.1" not in conf.allowed_hosts
    cfg.make_data_folder(conf)
    assert (conf.secret_file.stat().st_mode & 0o777) == 0o600
    assert (conf.data.stat().st_mode & 0o777) == 0o700


def test_database_and_address_settings(tmp_path):
    env = {"NEWSROOM_REPO": str(cfg.PROJECT_ROOT), "NEWSROOM_DATA": str(tmp_path / "data")}
    pg = cfg.load({**env, "NEWSROOM_DATABASE_URL": "postgres://news:p%40ss@db.local:5433/newsroom"}).database
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == \
        ("django.db.backends.postgresql", "news", "p@ss", "db.local", "5433", "newsroom")
    for bad in ("mysql://x@y/z", "postgres://x@y/", "postgres://x@y:port/z"):
        with pytest.raises(cfg.ConfigError, match="NEWSROOM_DATABASE_URL"):
            cfg.load({**env, "NEWSROOM_DATABASE_URL": bad})
    conf = cfg.load({**env, "NEWSROOM_URL": "https://dangjian.example.cn/newsroom/"})
    assert conf.script_name == "/newsroom" and conf.trusted_origins == ["https://dangjian.example.cn"]
    with pytest.raises(cfg.ConfigError, match="127.0.0.1"):
        cfg.load({**env, "NEWSROOM_URL": "https://dangjian.example.cn/", "NEWSROOM_LOCAL": "1"})


def test_admin_makes_accounts_with_roles_and_units(setup):
    from django.contrib.auth.models import Group

    from scripts.newsroom.models import Account
    boss = account("boss", ["管理员"], [], "管理员甲")
    c = client_of(boss)
    form = {"username": "wangwu", "full_name": "王五", "usable_password": "true",
            "password1": "Qz7-correct-horse-battery", "password2": "Qz7-correct-horse-battery",
            "unit_ties-TOTAL_FORMS": "1", "unit_ties-INITIAL_FORMS": "0",
            "unit_ties-MIN_NUM_FORMS": "0", "unit_ties-MAX_NUM_FORMS": "1000",
            "unit_ties-0-unit_id": "no-such-unit"}
    page = c.post("/admin/newsroom/account/add/", form)
    assert page.status_code == 200 and "仓库中没有编号为“no-such-unit”" in page.content.decode()
    assert not Account.objects.filter(username="wangwu").exists()
    page = c.post("/admin/newsroom/account/add/", {**form, "unit_ties-0-unit_id": ITEM[1]})
    assert page.status_code == 302, page.content.decode()[:3000]
    made = Account.objects.get(username="wangwu")
    assert made.password.startswith("argon2") and list(made.unit_ties.values_list("unit_id", flat=True)) == [ITEM[1]]
    # Roles are given on the change page; the 管理员 role opens the admin pages.
    made.groups.add(Group.objects.get(name="管理员"))
    made.refresh_from_db()
    assert made.is_staff
    made.groups.clear()
    made.refresh_from_db()
    assert not made.is_staff
    page = c.post("/admin/newsroom/account/add/", {**form, "username": "Wang Wu", "unit_ties-0-unit_id": ""})
    assert page.status_code == 200 and "小写英文字母" in page.content.decode()


def test_django_deploy_checks_and_migrations(monkeypatch):
    """Django's own deployment checks pass, and the migrations match the models
    (without conftest.py's DJANGO_ALLOW_ASYNC_UNSAFE, which no server sets)."""
    from django.core.management import call_command
    with monkeypatch.context() as server:
        server.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
        call_command("check", deploy=True, fail_level="WARNING", verbosity=0)
    call_command("makemigrations", "newsroom", check=True, dry_run=True, verbosity=0)
