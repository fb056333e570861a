"""The render's memo (scripts/render/memo.py, render_changes): after any
change, the docs folder it keeps up to date is the folder a render from
scratch writes, file for file, byte for byte; what it says it wrote and
removed is what changed; anything it cannot follow renders again; a memo it
cannot trust renders everything, saying why."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.records.loader import read_repository
from scripts.render import render_changes, render_site
from scripts.render.memo import MEMO_FILE

from tests.conftest import Repo
from tests.test_incremental import Edits, _small_pages


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _from_scratch(root: Path) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "docs"
        out.mkdir()
        render_site(read_repository(root), out)
        return _tree(out)


def _assert_same(got: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(expected), sorted(set(got) ^ set(expected))[:10]
    differ = [rel for rel in got if got[rel] != expected[rel]]
    assert not differ, differ[:10]


class MoreEdits(Edits):
    """test_incremental's steps, and those that move records in other ways."""

    def featured(self, k: int) -> None:
        units = sorted((self.repo.path / "exemplars/units").glob("*.md"))
        unit = units[k % len(units)]
        text = unit.read_text(encoding="utf-8")
        text = re.sub(r"^featured: .*\n", "", text, flags=re.M)
        unit.write_text(text.replace("\nstatus:", "\nfeatured: true\nstatus:", 1), encoding="utf-8")

    def category(self, k: int) -> None:
        self._sub(k, r"^  - .*$", f"  - 新分类{k % 3}")

    def unit_title(self, k: int) -> None:
        units = sorted((self.repo.path / "exemplars/units").glob("*.md"))
        unit = units[k % len(units)]
        unit.write_text(re.sub(r"^name: .*$", f"name: 改名的单位{k}", unit.read_text(encoding="utf-8"),
                               count=1, flags=re.M), encoding="utf-8")

    def delete_member(self, k: int) -> None:
        members = sorted((self.repo.path / "exemplars/members").glob("*.md"))
        if len(members) > 1:
            members[k % len(members)].unlink()


STEPS = ["add", "title", "body", "date", "unpublish", "delete", "photo", "ref",
         "featured", "category", "unit_title", "delete_member"]


def _repo(tmp: Path) -> tuple[Repo, MoreEdits]:
    tmp.mkdir(parents=True)
    repo = Repo(tmp, with_content=True)
    _small_pages(repo)
    edits = MoreEdits(repo)
    for k in range(5):
        edits.add(k * 5)
    return repo, edits


@pytest.mark.slow
@pytest.mark.timeout(900)
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 50)), min_size=3, max_size=6))
def test_after_any_edits_the_kept_docs_are_a_render_from_scratch(steps):
    with tempfile.TemporaryDirectory() as tmp:
        repo, edits = _repo(Path(tmp) / "repo")
        docs, memo = Path(tmp) / "docs", Path(tmp) / "memo"
        first = render_changes(read_repository(repo.path), docs, memo)
        assert first.reason == "没有上次生成页面的记录"
        _assert_same(_tree(docs), _from_scratch(repo.path))
        for name, k in steps:
            before = _tree(docs)
            getattr(edits, name)(k)
            result = render_changes(read_repository(repo.path), docs, memo)
            assert result.reason == "", name
            after = _tree(docs)
            _assert_same(after, _from_scratch(repo.path))
            changed = {rel for rel in after if before.get(rel) != after[rel]}
            assert changed <= result.written, (name, sorted(changed - result.written)[:5])
            assert result.removed == set(before) - set(after), name
            assert result.written <= set(after)
            # Proportional: a step rewrites a part of the site, not all of it.
            assert len(result.written) < len(after) / 2, (name, len(result.written))


def test_nothing_changed_nothing_written(tmp_path):
    repo, _ = _repo(tmp_path / "repo")
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    again = render_changes(read_repository(repo.path), docs, memo)
    assert (again.reason, again.written, again.removed) == ("", set(), set())
    assert again.pages > 20


def test_a_page_reading_what_the_memo_does_not_follow_renders_every_time(tmp_path):
    """Soundness: `site.records` is no recorded call, so the page that reads
    it is rendered on every build, and stays right."""
    repo, edits = _repo(tmp_path / "repo")
    repo.write("templates/pages/tally.md.j2", "# 统计\n\n共 {{ site.records | length }} 条记录。\n")
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    edits.add(3)
    result = render_changes(read_repository(repo.path), docs, memo)
    assert result.reason == ""
    assert "tally.md" in result.written
    _assert_same(_tree(docs), _from_scratch(repo.path))
    assert (docs / "tally.md").read_text(encoding="utf-8") == \
        f"# 统计\n\n共 {len(read_repository(repo.path).records)} 条记录。\n"


def test_a_changed_photo_file_renders_the_pages_showing_it(tmp_path):
    """A filter reads the photo's size: a new file under the same name is a change."""
    from tests.test_incremental import _jpeg
    from PIL import Image
    import io

    repo, edits = _repo(tmp_path / "repo")
    edits.photo(1)
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    out = io.BytesIO()
    Image.new("RGB", (96, 40), (10, 200, 30)).save(out, "JPEG")
    repo.write("media/photos/t-1.jpg", out.getvalue())
    result = render_changes(read_repository(repo.path), docs, memo)
    assert result.reason == "" and "media/photos/t-1.jpg" in result.written
    assert any(rel.endswith(".md") for rel in result.written)
    _assert_same(_tree(docs), _from_scratch(repo.path))
    assert _jpeg  # the same photos as test_incremental's


@pytest.mark.parametrize("spoil, reason", [
    (lambda memo, repo: (memo / MEMO_FILE).write_text('{"format": 1, "pages": [', encoding="utf-8"),
     "上次生成页面的记录已损坏或格式不同"),
    (lambda memo, repo: (memo / MEMO_FILE).write_text('{"format": 99}', encoding="utf-8"),
     "上次生成页面的记录已损坏或格式不同"),
    (lambda memo, repo: (memo / MEMO_FILE).unlink(), "没有上次生成页面的记录"),
    (lambda memo, repo: repo.write("templates/news/single.md.j2", (
        repo.path / "templates/news/single.md.j2").read_text(encoding="utf-8") + "\n尾注\n"),
     "模板、模型（schema.yaml）或程序变了"),
])
def test_a_memo_it_cannot_trust_renders_everything(tmp_path, spoil, reason):
    repo, edits = _repo(tmp_path / "repo")
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    (docs / "stray.md").write_text("not of this build", encoding="utf-8")
    edits.title(2)
    spoil(memo, repo)
    result = render_changes(read_repository(repo.path), docs, memo)
    assert result.reason == reason
    after = _tree(docs)
    _assert_same(after, _from_scratch(repo.path))   # the stray file is gone too
    assert result.written == set(after)
    # And the memo written then serves the next build.
    assert render_changes(read_repository(repo.path), docs, memo).reason == ""


def test_a_render_stopped_halfway_leaves_no_memo(tmp_path):
    """Pages written by a render that did not finish are not described by
    the last memo: the next render does not trust it."""
    import jinja2

    repo, edits = _repo(tmp_path / "repo")
    # Rendered after the news pages; fails once there is one post more.
    posts = sum(r.kind.name == "news" and r.is_published for r in read_repository(repo.path).records)
    repo.write("templates/pages/zz.md.j2",
               '# 末页\n{% if site.count("news")[0] > ' + str(posts) + ' %}{{ no_such_function() }}{% endif %}\n')
    docs, memo = tmp_path / "docs", tmp_path / "memo"
    render_changes(read_repository(repo.path), docs, memo)
    edits.add(7)
    with pytest.raises(jinja2.UndefinedError):
        render_changes(read_repository(repo.path), docs, memo)
    assert not (memo / MEMO_FILE).exists()
    (repo.path / "templates/pages/zz.md.j2").write_text("# 末页\n", encoding="utf-8")
    result = render_changes(read_repository(repo.path), docs, memo)
    assert result.reason == "没有上次生成页面的记录"
    _assert_same(_tree(docs), _from_scratch(repo.path))
