"""Incremental builds (scripts/build/incremental.py): after any change, the
site is the same tree, byte for byte, as a full build of the same repository
from scratch; when the state cannot be trusted, a full build, said in one line."""
from __future__ import annotations

import io
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.build import incremental
from scripts.build.pipeline import build_site

from tests.conftest import ROOT, Repo

POSTS = "content/news/posts"
SCHEMA = "scripts/records/schema.yaml"


def _small_pages(repo: Repo) -> None:
    """The repository's own model with two news posts and three units a list
    page, so that a date moves a post across pages."""
    text = (ROOT / SCHEMA).read_text(encoding="utf-8")
    text = text.replace("order: [-date, id], page_size: 20", "order: [-date, id], page_size: 2")
    text = text.replace("list: {order: [-featured, path], page_size: 50, group_by: sector",
                        "list: {order: [-featured, path], page_size: 3, group_by: sector")
    assert "page_size: 2" in text and "page_size: 3" in text
    repo.write(SCHEMA, text)


def _post(n: int, day: int, title: str = "", body: str = "", photo: str = "") -> str:
    picture = f"photo: {photo}\nphoto_alt: 示例题图（{n}）\n" if photo else ""
    return (f"---\ntitle: {title or f'示例工作动态第{n}篇'}\ndate: 2026-10-{day:02d}\n"
            f"categories:\n  - {'党建动态' if n % 2 else '组织工作'}\n{picture}"
            f"summary: 示例记录：第{n}篇的摘要。\nsample: true\nstatus: published\n---\n\n"
            f"{body or f'这是第{n}篇示例动态的正文。'}\n")


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _full_build_of(repo: Path) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(repo, copy, ignore=lambda d, names: {"site", ".build"} if Path(d) == repo else set())
        return _tree(build_site(copy, copy / "site", full=True))


def _assert_same(site: Path, expected: dict[str, bytes]) -> None:
    got = _tree(site)
    assert sorted(got) == sorted(expected), (sorted(set(got) ^ set(expected)))[:10]
    differ = [rel for rel in got if got[rel] != expected[rel]]
    assert not differ, differ[:10]


def _jpeg(seed: int) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 37 % 256, 80, 120)).save(out, "JPEG")
    return out.getvalue()


class Edits:
    """The steps of the property test, on news posts (dated, listed, on the
    home page and in the feed) and members (a reference to a unit)."""

    def __init__(self, repo: Repo):
        self.repo = repo
        self.next = 1

    def posts(self) -> list[Path]:
        return sorted((self.repo.path / POSTS).glob("t-*.md"))

    def pick(self, k: int) -> Path | None:
        posts = self.posts()
        return posts[k % len(posts)] if posts else None

    def add(self, k: int) -> None:
        self.repo.write(f"{POSTS}/t-{self.next:03d}.md", _post(self.next, 1 + k % 28))
        self.next += 1

    def _sub(self, k: int, pattern: str, repl: str) -> None:
        post = self.pick(k)
        if post is None:
            return self.add(k)
        post.write_text(re.sub(pattern, repl, post.read_text(encoding="utf-8"), count=1, flags=re.M),
                        encoding="utf-8")

    def title(self, k: int) -> None:
        self._sub(k, r"^title: .*$", f"title: 改过的标题{k}")

    def body(self, k: int) -> None:
        post = self.pick(k)
        if post is None:
            return self.add(k)
        post.write_text(post.read_text(encoding="utf-8") + f"\n又一段正文，第{k}段。\n", encoding="utf-8")

    def date(self, k: int) -> None:
        self._sub(k, r"^date: .*$", f"date: 2026-09-{1 + k % 28:02d}")

    def unpublish(self, k: int) -> None:
        self._sub(k, r"^status: .*$", "status: draft")

    def delete(self, k: int) -> None:
        post = self.pick(k)
        if post is not None:
            post.unlink()

    def photo(self, k: int) -> None:
        self.repo.write(f"media/photos/t-{k}.jpg", _jpeg(k))
        self._sub(k, r"^summary: ", f"photo: media/photos/t-{k}.jpg\nphoto_alt: 示例题图{k}\nsummary: ")

    def ref(self, k: int) -> None:
        units = sorted(p.stem for p in (self.repo.path / "exemplars/units").glob("*.md"))
        members = sorted((self.repo.path / "exemplars/members").glob("*.md"))
        member = members[k % len(members)]
        member.write_text(re.sub(r"^unit: .*$", f"unit: {units[k % len(units)]}",
                                 member.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")


STEPS = ["add", "title", "body", "date", "unpublish", "delete", "photo", "ref"]


@pytest.mark.slow
@pytest.mark.timeout(1200)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 50)), min_size=2, max_size=4))
def test_after_any_edits_the_incremental_site_is_the_full_build(steps, caplog):
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp), with_content=True)
        _small_pages(repo)
        edits = Edits(repo)
        for k in range(5):
            edits.add(k * 5)
        site = repo.path / "site"
        build_site(repo.path, site)
        for name, k in steps:
            getattr(edits, name)(k)
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="zlt"):
                build_site(repo.path, site)
            # Incremental indeed: no step changes the configuration or the nav.
            assert not [r for r in caplog.records if r.getMessage().startswith("完整构建")], name
            _assert_same(site, _full_build_of(repo.path))


def _built(tmp_path) -> tuple[Repo, Path]:
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    site = repo.path / "site"
    build_site(repo.path, site)
    return repo, site


def _rebuild(repo: Repo, site: Path, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="zlt"):
        build_site(repo.path, site)
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("完整构建")]


@pytest.mark.slow
def test_an_edit_rebuilds_few_pages_and_leaves_the_others_as_they_were(tmp_path, caplog):
    repo, site = _built(tmp_path)
    untouched = site / "exemplars/videos/sample-video-01/index.html"
    before = untouched.stat().st_ino
    member = repo.path / "exemplars/members/sample-member-02.md"
    member.write_text(member.read_text(encoding="utf-8").replace("name: 示例党员（02）", "name: 示例党员（二）"),
                      encoding="utf-8")
    assert _rebuild(repo, site, caplog) == []
    # The same file (a hard link kept from the last build), not a rewrite.
    assert untouched.stat().st_ino == before
    assert "示例党员（二）" in (site / "exemplars/members/sample-member-02/index.html").read_text(encoding="utf-8")
    _assert_same(site, _full_build_of(repo.path))


def _template(repo):
    main = repo.path / "templates/overrides/main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{# changed #}\n", encoding="utf-8")


def _schema(repo):
    text = (ROOT / SCHEMA).read_text(encoding="utf-8").replace("label: 工作动态\n", "label: 工作新闻\n", 1)
    repo.write(SCHEMA, text)


def _state_deleted(repo):
    shutil.rmtree(repo.path / ".build" / incremental.STATE_DIR)


def _state_corrupted(repo):
    incremental.state_path(repo.path).write_text('{"format": 1, "docs": [', encoding="utf-8")


def _other_mkdocs(repo):
    path = incremental.state_path(repo.path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["versions"]["mkdocs"] = "1.5.3"
    path.write_text(json.dumps(data), encoding="utf-8")


def _site_touched(repo):
    (repo.path / "site" / "index.html").write_text("changed by hand", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("change, reason", [
    (_template, "配置、模板、模型（schema.yaml）或程序变了"),
    (_schema, "配置、模板、模型（schema.yaml）或程序变了"),
    (_state_deleted, "没有上次构建的记录"),
    (_state_corrupted, "上次构建的记录已损坏"),
    (_other_mkdocs, "软件版本变了（mkdocs 1.5.3 → "),
    (_site_touched, "网站目录与上次构建的记录不符"),
])
def test_any_doubt_is_a_full_build_said_in_one_line(tmp_path, caplog, change, reason):
    repo, site = _built(tmp_path)
    change(repo)
    said = _rebuild(repo, site, caplog)
    assert len(said) == 1 and said[0].startswith("完整构建：" + reason), said
    _assert_same(site, _full_build_of(repo.path))
    # …after which the next build is incremental again.
    assert _rebuild(repo, site, caplog) == []


@pytest.mark.slow
def test_full_is_asked_for(tmp_path, caplog):
    repo, site = _built(tmp_path)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="zlt"):
        build_site(repo.path, site, full=True)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("完整构建")] == \
        ["完整构建：按要求（--full）。"]


def _rename_member(repo: Repo, name: str) -> None:
    member = repo.path / "exemplars/members/sample-member-02.md"
    member.write_text(re.sub(r"^name: .*$", f"name: {name}", member.read_text(encoding="utf-8"),
                             count=1, flags=re.M), encoding="utf-8")


def _spare_stray(spare: Path) -> None:
    (spare / "exemplars/stray.html").write_text("<script>alert(1)</script>", encoding="utf-8")


def _spare_replaced(spare: Path) -> None:
    page = spare / "exemplars/videos/sample-video-01/index.html"
    text = page.read_text(encoding="utf-8")
    page.unlink()
    page.write_text(text.replace("</body>", "<script>alert(1)</script></body>"), encoding="utf-8")


def _spare_removed(spare: Path) -> None:
    (spare / "exemplars/videos/sample-video-01/index.html").unlink()


@pytest.mark.slow
@pytest.mark.parametrize("tamper, said", [
    (_spare_stray, ["完整构建：保留的上一版网站与记录不符。"]),
    (_spare_replaced, ["完整构建：保留的上一版网站与记录不符。"]),
    (_spare_removed, None),   # mkdocs writes the missing page again, as a full build would
])
def test_a_kept_site_changed_by_hand_never_reaches_the_site(tmp_path, caplog, tamper, said):
    """The site kept beside site/ is brought up to date only where the last
    build said it differs; anything else done to it is found after the build
    and the build is done again whole."""
    from scripts.build.swap import spare_of
    repo, site = _built(tmp_path)
    _rename_member(repo, "示例党员（二）")
    assert _rebuild(repo, site, caplog) == []   # the kept site now differs from site/ where recorded
    tamper(spare_of(site))
    _rename_member(repo, "示例党员（三）")
    got = _rebuild(repo, site, caplog)
    if said is not None:
        assert got == said
    _assert_same(site, _full_build_of(repo.path))
    assert _rebuild(repo, site, caplog) == []
