"""Shared fixtures: the repository, a scratch copy of it, and the built site."""
from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The inspection's clock (scripts/audit/clock.py): the fixtures' newest items
# are dated late November 2026, and the release gate counts how long a column
# has been idle. Subprocesses inherit it; a test of the clock sets its own.
os.environ.setdefault("ZLT_TODAY", "2026-12-01")
# Known content for the tests (the department replaces the live records).
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


# The marks (browser, slow) are declared in pytest.ini.
def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


class Repo:
    """A scratch content repository: the project's config, templates and
    hand-written pages, the fixture's records (with_content), and whatever
    records a test writes."""

    def __init__(self, path: Path, with_content: bool):
        self.path = path
        for name in ("mkdocs.yml", "网站设置.yml", "templates"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copyfile)(src, path / name)
        # The hand-written pages go with mkdocs.yml's menu and the templates:
        # the project's own, with none of its records.
        shutil.copytree(ROOT / "content", path / "content",
                        ignore=lambda d, names: names if Path(d).name == "posts" else [])
        (path / "content" / "news" / "posts").mkdir(parents=True, exist_ok=True)
        for name in ("units", "members", "videos"):
            (path / "exemplars" / name).mkdir(parents=True, exist_ok=True)
        if with_content:
            shutil.copytree(FIXTURE / "content", path / "content", dirs_exist_ok=True)
            shutil.copytree(FIXTURE / "exemplars", path / "exemplars", dirs_exist_ok=True)

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    def write_items(self, folder: str, items: str) -> list[Path]:
        """YAML records given as one list (each with its `id`), written one
        file per record into folder/<id>.yml, keys in the order given."""
        import yaml

        written = []
        for item in yaml.safe_load(textwrap.dedent(items)):
            rid = item.pop("id")
            text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False, width=1 << 20)
            written.append(self.write(f"{folder}/{rid}.yml", text))
        return written


@pytest.fixture
def repo(tmp_path) -> Repo:
    """An empty content repository."""
    return Repo(tmp_path, with_content=False)


@pytest.fixture
def full_repo(tmp_path) -> Repo:
    """A copy of the fixture content (tests/fixtures/site)."""
    return Repo(tmp_path, with_content=True)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The fixture content, built once (strict) for the whole session."""
    from scripts.build.pipeline import build_site

    work = tmp_path_factory.mktemp("shipped")
    repo = Repo(work, with_content=True)
    return build_site(repo.path, work / "site")


@pytest.fixture(autouse=True, scope="session")
def _signing_key(tmp_path_factory):
    """Publishing signs a manifest with a key made on first use: the tests'
    key lives in their own folder, never in the user's home."""
    import os
    os.environ["ZLT_SIGNING_KEY"] = str(tmp_path_factory.mktemp("signing") / "key.pem")
