"""Django for the newsroom's tests, without pytest-django: the settings from
the environment (config.py) with a data folder in tmp, one in-memory test
database for the session, each test in a transaction rolled back after it;
and a content repository per test: a git copy of tests/fixtures/site with the
newsroom's key pair made by `init`'s own code."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.newsroom.helpers import configure_django, first_commit, git

# In one pytest run with the browser tests, Playwright's sync API keeps an
# event loop in this thread, and Django refuses database calls where a loop
# runs; nothing here is async, the loop only belongs to Playwright.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
configure_django()

from django.db import connections, transaction  # noqa: E402
from django.test.utils import override_settings, setup_databases, setup_test_environment, \
    teardown_databases, teardown_test_environment  # noqa: E402

from scripts.editor.record_file import record_text  # noqa: E402
from scripts.records.schema import schema_for  # noqa: E402

from tests.conftest import Repo  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _django_test_db():
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    yield
    teardown_databases(old, verbosity=0)
    teardown_test_environment()
    shutil.rmtree(os.environ["NEWSROOM_DATA"], ignore_errors=True)


@pytest.fixture
def db():
    """Each test's database changes rolled back after it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    for conn in connections.all():
        conn.close_if_unusable_or_obsolete()


class Newsroom:
    """A content repository under git, its data folder, and helpers."""

    def __init__(self, root: Path, data: Path):
        self.root, self.data = root, data

    def draft(self, kind_name: str, rid: str, data: dict, body: str = "正文第一段。\n\n正文第二段。") -> str:
        """A draft record written and committed as an editor would (make save)."""
        kind = schema_for(self.root).kinds[kind_name]
        path = self.root / kind.path.replace("*", rid)
        assert not path.exists(), f"{path} exists: pick another id"
        path.write_text(record_text(kind, {**data, "status": "draft"}, body), encoding="utf-8")
        git(self.root, "add", "--", str(path))
        git(self.root, "commit", "-q", "-m", f"新建草稿 {rid}")
        return path.relative_to(self.root).as_posix()

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def log(self) -> list[tuple[str, str, str]]:
        """(author name, author email, subject) of every commit, newest first."""
        out = git(self.root, "log", "--format=%an%x09%ae%x09%s")
        return [tuple(line.split("\t")) for line in out.splitlines()]


@pytest.fixture
def newsroom(tmp_path, db) -> Newsroom:
    from scripts.newsroom import config as cfg
    from scripts.newsroom.__main__ import _signing_key

    root, data = tmp_path / "repo", tmp_path / "data"
    root.mkdir()
    Repo(root, with_content=True)
    first_commit(root)
    conf = cfg.load({"NEWSROOM_REPO": str(root), "NEWSROOM_DATA": str(data)})
    cfg.make_data_folder(conf)
    _signing_key(conf, new_key=False)   # init's own code: key pair, newsroom.yml committed
    with override_settings(NEWSROOM_REPO=root, NEWSROOM_DATA=data):
        yield Newsroom(root, data)

