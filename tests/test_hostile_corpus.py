"""The hostile corpus, tests/hostile/content/<case>/ (the format is in
tests/hostile/README.md): each case's files laid on a scratch copy of the
fixture repository. `check` must report every problem the case lists, as an
error; and a build told to go on despite errors (the release gate's trial
build) must still publish none of the files check refuses and no live
`__pwned` markup from a body."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import MkDocsException
from selectolax.lexbor import LexborHTMLParser

from scripts.build.pipeline import build_site
from scripts.check import check, errors
from tests.conftest import Repo

CORPUS = Path(__file__).resolve().parent / "hostile" / "content"
CASES = sorted(d.name for d in CORPUS.iterdir() if d.is_dir())
TEXT = (".md", ".yml", ".yaml")


def expectation(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expect.yml").read_text(encoding="utf-8"))


def laid(case: str, path: Path) -> Repo:
    """The fixture repository with the case's files on it."""
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path, with_content=True)
    for src in sorted((CORPUS / case).rglob("*")):
        rel = src.relative_to(CORPUS / case)
        if src.is_file() and rel.as_posix() != "expect.yml":
            (repo.path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, repo.path / rel)
    return repo


def missing(expected: list[dict], found) -> list[dict]:
    return [want for want in expected
            if not any(p.path == want["path"] and want.get("line") in (None, p.line)
                       and want["message"] in p.message for p in found)]


def test_the_corpus_has_cases_in_the_agreed_format():
    assert CASES
    for case in CASES:
        expect = expectation(case)
        assert set(expect) == {"why", "problems"} and expect["why"].strip(), case
        assert expect["problems"] and all({"path", "message"} <= set(p) for p in expect["problems"]), case


def test_without_a_case_the_fixture_has_no_errors(tmp_path):
    assert errors(check(Repo(tmp_path, with_content=True).path)) == []


@pytest.mark.parametrize("case", CASES)
def test_check_reports_what_the_case_lists(case, tmp_path):
    repo = laid(case, tmp_path)
    found = errors(check(repo.path))
    assert missing(expectation(case)["problems"], found) == [], "\n".join(map(str, found))


def live_payloads(page: str) -> list[str]:
    """Markup of the corpus's payloads (`__pwned`) that a browser would run."""
    found = []
    for node in LexborHTMLParser(page, scripting=True).root.traverse():
        if not node.is_element_node:
            continue
        for name, value in node.attributes.items():
            value = value or ""
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()   # as browsers read a URL
            if "__pwned" in value and (name.startswith("on") or squeezed.startswith("javascript:")):
                found.append(f"<{node.tag} {name}>")
        if node.tag == "script" and "__pwned" in node.text(deep=True):
            found.append("<script>")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_a_build_despite_errors_publishes_nothing_check_refuses(case, tmp_path):
    repo = laid(case, tmp_path / "repo")
    found = errors(check(repo.path))
    refused = {p.path for p in found if "不能发布" in p.message and not p.path.endswith(TEXT)}
    try:
        site = build_site(repo.path, tmp_path / "site", allow_errors=True)
    except MkDocsException:
        # mkdocs (strict) stopped at a link to a file that was left out: no
        # site at all, which publishes nothing either.
        assert not (tmp_path / "site").exists()
        return
    for rel in refused:
        for copy in (site / rel, site / rel.removeprefix("content/")):
            assert not copy.exists(), copy
    for page in site.rglob("*.html"):
        assert live_payloads(page.read_text(encoding="utf-8")) == [], page


def test_the_payload_finder_sees_what_browsers_run():
    """live_payloads must not read like html.parser, or the build test above could not fail."""
    assert live_payloads("<p><!--><img src=x onerror=window.__pwned=1>--></p>") == ["<img onerror>"]
    assert live_payloads("<p><![CDATA[><a href=' java\tscript:__pwned=1'>]]></p>") == ["<a href>"]
    assert live_payloads("<p>&lt;img onerror=__pwned&gt;</p>") == []
