"""Publishing: a killed build leaves the previous site/ whole, two builds of
the same input are byte-identical, and concurrent builds do not collide."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.build import swap as publish

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(repo: Path, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(repo), "build"],
                            cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped content with its site built once, and a snapshot of it."""
    from tests.conftest import Repo
    from scripts.build.pipeline import build_site
    work = tmp_path_factory.mktemp("atomic")
    repo = Repo(work, with_content=True)
    build_site(repo.path)
    return repo.path, _snapshot(repo.path / "site")


def _changed(repo: Path) -> None:
    """An edit, so that a completed build would change site/."""
    p = repo / "exemplars" / "members" / "liu-tingjiang.md"
    p.write_text(p.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")


def _kill_when(proc, ready, timeout=180):
    """SIGKILL the build as soon as ready() is true (it must still be running)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("point", ["render", "mkdocs", "swap"])
def test_kill_at_each_point_keeps_the_previous_site(shipped, point, tmp_path):
    repo, before = shipped
    _changed(repo)
    marker = tmp_path / "reached"
    proc = _build(repo, {"ZLT_BUILD_PAUSE": point, "ZLT_BUILD_PAUSE_FILE": str(marker)})
    _kill_when(proc, marker.exists)
    assert _snapshot(repo / "site") == before


def test_kill_while_mkdocs_writes_keeps_the_previous_site(shipped):
    """Killed as soon as mkdocs has begun writing the new site's files."""
    repo, before = shipped
    _changed(repo)
    proc = _build(repo)
    _kill_when(proc, lambda: any(p.is_file() for p in repo.glob(publish.TEMP_PREFIX + "site-*/site/**/*")))
    assert _snapshot(repo / "site") == before


def test_build_date_comes_from_the_last_commit(tmp_path):
    env = {**os.environ, "GIT_AUTHOR_DATE": "2023-05-06T07:08:09Z", "GIT_COMMITTER_DATE": "2023-05-06T07:08:09Z"}
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(git + ["init", "-q"], check=True)
    (tmp_path / "a").write_text("a")
    subprocess.run(git + ["add", "a"], check=True)
    subprocess.run(git + ["commit", "-qm", "a"], check=True, env=env)
    assert publish._epoch(tmp_path) == "1683356889"
    assert publish._epoch(tmp_path / "not-a-repo") == str(publish.FALLBACK_EPOCH)


@pytest.mark.parametrize("delay", [1.0, 3.0])
def test_kill_at_any_moment_keeps_a_whole_site(shipped, delay):
    """Killed at a moment chosen by the clock: site/ is the old one or, if the
    build got that far, the complete new one; never a mix."""
    repo, before = shipped
    proc = _build(repo)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = _snapshot(repo / "site")
    if after != before:  # the swap happened: the new site must be complete
        # The number of search shards follows the size of the text (the edits
        # of other tests change it): compare the rest, and that an index is there.
        def pages(snapshot):
            return {k for k in snapshot if not k.startswith("search/s/")}
        assert pages(after) == pages(before)
        assert "search/meta.js" in after and "search/s/0.js" in after
    # the next build cleans up and succeeds
    assert _build(repo).wait() == 0
    # Only the previous site, kept for the next incremental build (build.swap.spare_of).
    assert [p.name for p in repo.glob(publish.TEMP_PREFIX + "*")] in ([], [publish.spare_of(repo / "site").name])
    assert not list((repo / ".build").glob(publish.TEMP_PREFIX + "*"))


def test_leftover_site_old_is_recovered(tmp_path):
    site = tmp_path / "site"
    (tmp_path / "site.old").mkdir()
    (tmp_path / "site.old" / "index.html").write_text("old")
    publish.recover(site)   # interrupted between the two renames: put it back
    assert (site / "index.html").read_text() == "old" and not (tmp_path / "site.old").exists()


def test_swap_exchanges_atomically(tmp_path):
    site, new = tmp_path / "site", tmp_path / "new"
    for folder, text in ((site, "old"), (new, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    assert publish._exchange(new, site)  # renameat2 on Linux
    assert (site / "index.html").read_text() == "new" and (new / "index.html").read_text() == "old"


@pytest.mark.timeout(1500)   # two builds, each allowed 600 s below
def test_two_builds_of_the_same_input_are_identical(shipped, tmp_path):
    repo, _ = shipped
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        run = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo), "build",
                              "--site", str(out)], cwd=ROOT, env=env, capture_output=True, timeout=600)
        assert run.returncode == 0, run.stderr.decode()
        time.sleep(1.1)   # a time stamp taken from the clock would now differ
    assert _snapshot(a) == _snapshot(b)


@pytest.mark.timeout(1500)   # two rounds of builds, each allowed 600 s below
def test_concurrent_builds_do_not_corrupt_each_other(shipped, tmp_path):
    repo, _ = shipped
    procs = [_build(repo) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
    site = _snapshot(repo / "site")
    assert "index.html" in site and "exemplars/units/index.html" in site
    alone = tmp_path / "alone"
    run = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo), "build", "--site", str(alone)],
                         cwd=ROOT, capture_output=True, timeout=600)
    assert run.returncode == 0
    assert _snapshot(alone) == site
