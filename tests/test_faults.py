"""Every fault class of tests/broken/: one `check` run reports them all, and a
build with any one of them stops with file, line and message, site/ untouched."""
from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.__main__ import main
from scripts.records.yaml_reader import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yml").read_text(encoding="utf-8"))
VALID = {"exemplars/units/bom-crlf.md", "exemplars/members/zhang-san.md", "content/news/index.md"}


# Files too large to keep in git are written by the tests themselves.
GENERATED = {
    "exemplars/units/too-big.md":
        lambda: "---\nname: 甲党支部\nsector: 农村\n---\n" + "正文。\n" * (MAX_FILE_BYTES // 10 + 1),
}


def _write_generated(dest: Path, rels=GENERATED) -> None:
    for rel in rels:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(GENERATED[rel](), encoding="utf-8")


def _scaffold(dest: Path) -> None:
    for name in ("mkdocs.yml", "网站设置.yml", "templates"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, dest / name)


def _copy(rel: str, dest: Path) -> None:
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    src = BROKEN / rel
    if rel in GENERATED:
        _write_generated(dest, [rel])
    elif src.is_symlink():
        target.symlink_to(os.readlink(src))
    else:
        shutil.copyfile(src, target)


def test_every_broken_file_is_in_the_manifest():
    files = {p.relative_to(BROKEN).as_posix() for p in BROKEN.rglob("*")
             if (p.is_file() or p.is_symlink()) and p.name != "expected.yml"} | set(GENERATED)
    named = {e["path"] for e in EXPECTED} | {n for e in EXPECTED for n in e.get("needs", [])}
    assert files - VALID == named - VALID
    assert len({e["class"] for e in EXPECTED}) == len(EXPECTED)


def test_one_check_run_reports_every_fault(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(BROKEN, repo, symlinks=True)
    _write_generated(repo)
    _scaffold(repo)
    run = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo), "check"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode == 1
    assert "Traceback" not in out
    lines = out.splitlines()
    for e in EXPECTED:
        where = f"{e['path']}:{e['line']}: "
        assert any(l.startswith(where) and e["word"] in l for l in lines), (e, out)
    for valid in VALID:
        assert not any(l.startswith(valid + ":") for l in lines), out


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A small valid repository with its site built."""
    repo = tmp_path_factory.mktemp("published")
    _scaffold(repo)
    shutil.copytree(ROOT / "content" / "sandong", repo / "content" / "sandong")
    for rel in ("exemplars/members/zhang-san.md", "exemplars/units/bom-crlf.md", "content/news/index.md"):
        _copy(rel, repo)
    assert main(["--root", str(repo), "build"]) == 0
    return repo


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


@pytest.mark.parametrize("fault", EXPECTED, ids=[e["class"] for e in EXPECTED])
def test_a_build_with_the_fault_stops_before_site(fault, published, tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(published, repo, symlinks=True)
    for rel in (fault["path"], *fault.get("needs", [])):
        _copy(rel, repo)
    assert main(["--root", str(repo), "build"]) == 1
    err = capsys.readouterr().err
    line = next(l for l in err.splitlines() if l.startswith(f"{fault['path']}:{fault['line']}: "))
    assert fault["word"] in line
    assert "网站未更新" in err and "Traceback" not in err
    assert _same_tree(published / "site", repo / "site")


def test_unexpected_errors_get_a_chinese_message_not_a_traceback(tmp_path, capsys, monkeypatch):
    """The last resort: a bug in the tool still ends in a message and exit 2."""
    import scripts.__main__ as cli
    import scripts.check

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(scripts.check, "check_repository", broken)
    _scaffold(tmp_path)
    assert cli.main(["--root", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err
    assert "程序内部错误" in err and "boom" in err and "Traceback" not in err


def test_a_folder_that_is_not_a_content_repository(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "check"]) == 1
    assert "找不到 mkdocs.yml" in capsys.readouterr().err
