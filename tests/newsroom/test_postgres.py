"""The same newsroom on PostgreSQL (NEWSROOM_DATABASE_URL): init, accounts
and a submission reviewed through the three stages, in subprocesses with
their own settings (this process's Django is the tests' SQLite one), on a
throwaway cluster (tests/newsroom/pg.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from scripts.check.signatures import signature_problems
from scripts.newsroom import repository
from tests.conftest import ROOT, Repo
from tests.newsroom import pg
from tests.newsroom.helpers import first_commit, git

pytestmark = pytest.mark.slow
PASSWORD = re.compile(r"密码：(\S+)")
ITEM = ("unit", "moguqi-dangwei")

# The review, as the contributor and the three reviewers do it (Django's test
# client, the views and the repository's commits), against the database of the environment.
REVIEW = f"""
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.db import connection
assert connection.vendor == "postgresql", connection.vendor
from scripts.newsroom.models import Account
from tests.newsroom.helpers import review_through
get = lambda name: Account.objects.get(username=name)
review_through({ITEM!r}, get("lisi"), [get("zhao"), get("qian"), get("sun")])
print("reviewed")
"""


def run(env, *args) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def postgres():
    with pg.cluster() as url:
        yield url


def test_newsroom_on_postgresql(tmp_path, postgres):
    root, data = tmp_path / "repo", tmp_path / "data"
    root.mkdir()
    Repo(root, with_content=True)
    first_commit(root)
    rel = repository.find_record(root, *ITEM).path
    text = (root / rel).read_text(encoding="utf-8").replace("status: published", "status: draft")
    (root / rel).write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "改回草稿")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    env.update(NEWSROOM_REPO=str(root), NEWSROOM_DATA=str(data), NEWSROOM_DATABASE_URL=postgres,
               DJANGO_SETTINGS_MODULE="scripts.newsroom.settings", PYTHONDONTWRITEBYTECODE="1")
    newsroom = ("-m", "scripts.newsroom")
    assert PASSWORD.search(run(env, *newsroom, "init"))
    for name, role, units in (("lisi", "撰稿", ITEM[1]), ("zhao", "初审", ""), ("qian", "复审", ""), ("sun", "终审", "")):
        run(env, *newsroom, "user", "add", name, "--roles", role, "--units", units, "--full-name", name)
    assert "reviewed" in run(env, "-c", REVIEW)

    record = repository.find_record(root, *ITEM)
    assert record.status == "published" and signature_problems(root, [record]) == []
    assert [record["review"][s]["account"] for s in ("first", "second", "final")] == ["zhao", "qian", "sun"]
    # The accounts are PostgreSQL's: no SQLite file was made beside them.
    assert not (data / "newsroom.sqlite3").exists()
    import psycopg
    with psycopg.connect(postgres) as conn:
        names = {row[0] for row in conn.execute("SELECT username FROM newsroom_account")}
    assert names == {"admin", "lisi", "zhao", "qian", "sun"}
    assert "lisi" in run(env, *newsroom, "user", "list")
