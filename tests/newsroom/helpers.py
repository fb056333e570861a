"""Helpers of the newsroom's tests: accounts, signed-in clients, actions."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "编辑部", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "编辑部", "GIT_COMMITTER_EMAIL": "editor@example.org"}


def configure_django() -> None:
    """Django set up as the newsroom's tests need it (once per process): the
    settings from the environment, a data folder in tmp, a fixed secret.
    Also for tests elsewhere that import the newsroom's modules."""
    from django.apps import apps
    if apps.ready:
        return
    os.environ["NEWSROOM_DATA"] = tempfile.mkdtemp(prefix="newsroom-test-data-")
    for name in ("NEWSROOM_REPO", "NEWSROOM_DATABASE_URL", "NEWSROOM_LOCAL", "NEWSROOM_DEBUG", "NEWSROOM_URL"):
        os.environ.pop(name, None)
    os.environ["NEWSROOM_SECRET_KEY"] = "newsroom-tests-only-" + "x" * 40
    os.environ["DJANGO_SETTINGS_MODULE"] = "scripts.newsroom.settings"
    import django
    django.setup()


def account(name: str, roles: list[str], units: list[str] = (), full_name: str = ""):
    """An account made as `user add` makes it; its password is never used
    (tests sign in with force_login), so hashed cheaply: argon2 is slow by
    design. Tests that sign in with a password set it with accounts.passwd."""
    from django.test.utils import override_settings

    from scripts.newsroom import accounts
    from scripts.newsroom.models import Account
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        accounts.add(name, list(roles), list(units), full_name)
    return Account.objects.get(username=name)


def client_of(user, **kwargs):
    from django.test import Client
    c = Client(**kwargs)
    c.force_login(user)
    return c


def act(client, rel_or_kind: tuple[str, str], action: str, comment: str = "", stage: str | None = None):
    from django.urls import reverse
    kind, rid = rel_or_kind
    data = {"action": action, "comment": comment}
    if stage:
        data["stage"] = stage
    return client.post(reverse("newsroom:act", args=[kind, rid]), data)


def review_through(item, contributor, reviewers) -> None:
    """Submit as the contributor, then 初审, 复审, 终审 by the three reviewers."""
    assert act(client_of(contributor), item, "submit").status_code == 302
    for user, stage in zip(reviewers, ("first", "second", "final")):
        response = act(client_of(user), item, "approve", "", stage)
        assert response.status_code == 302, response.content.decode()


def git(root: Path, *args: str) -> str:
    """git in a test repository, as the editors' office (the records' drafts)."""
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout


def first_commit(root: Path) -> None:
    """The repository's files as its first commit (a fixture made a git repository)."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始内容")


def hand_reviewed_to_drafts(root: Path) -> list[str]:
    """The fixture's records published with hand-written reviews, made drafts
    again (their review blocks dropped): once `init` writes newsroom.yml,
    check refuses such reviews, and the live preview (scripts/editor/serve.py)
    shows no page while check finds errors. A department's repository is in
    the same state until the newsroom has reviewed those records again."""
    import re
    changed = []
    for path in sorted([*root.glob("exemplars/**/*.*"), *root.glob("content/**/*.*")]):
        if path.suffix not in (".md", ".yml"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?m)^review:", text):
            text = re.sub(r"(?m)^review:.*\n(?:[ \t]+.*\n)*", "", text)
            path.write_text(re.sub(r"(?m)^status: published$", "status: draft", text), encoding="utf-8")
            changed.append(path.relative_to(root).as_posix())
    return changed
