"""Markup that Python's html.parser and browsers read differently: Chromium
builds the same tree as the check's parser (Lexbor), and a build that goes on
despite errors publishes none of it."""
from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scripts.build.pipeline import WITHHELD, build_site
from scripts.check import check
from tests.conftest import Repo

BREAKOUTS = {
    "comment-breakout": "<!--><img src=x onerror=window.__pwned=1>-->",
    "cdata-breakout": "<![CDATA[><img src=x onerror=window.__pwned=2>]]>",
}
# Parser corner cases: the tags under the article's <div> must be the same.
PAYLOADS = [*BREAKOUTS.values(),
            "<p>a<!--x--!><img src=x>--></p>",
            "<?x a='b>'<img src=y>?>",
            "<!x><b>c</b>",
            "</ x><i>d</i>",
            "<svg><p>e</p><script>f</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=g>",
            "<table><a href=h>i</a><tr><td>j</td></tr></table>",
            "<select><img src=k></select>",
            "<noscript><img src=l></noscript>"]


def lexbor_tags(html: str) -> list[str]:
    div = LexborHTMLParser(f"<!DOCTYPE html><body><div id=article>{html}</div>",
                           scripting=True).css_first("#article")
    return [n.tag for n in div.traverse() if n.is_element_node][1:]


@pytest.mark.parametrize("html", PAYLOADS)
def test_chromium_builds_the_tree_the_check_sees(page, html):
    page.set_content(f"<!DOCTYPE html><body><div id=article>{html}</div>")
    chromium = page.evaluate("Array.from(document.querySelectorAll('#article *'), e => e.localName)")
    assert chromium == lexbor_tags(html)


def test_the_breakouts_are_live_elements_for_chromium(page):
    """What html.parser missed: the <img> is an element with its handler."""
    for html in BREAKOUTS.values():
        page.set_content(f"<!DOCTYPE html><body><div id=article>{html}</div>")
        assert page.locator("#article img[onerror]").count() == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    repo = Repo(tmp_path_factory.mktemp("parser-difference"), with_content=True)
    for name, body in BREAKOUTS.items():
        repo.write(f"content/news/posts/{name}.md", f"""
            ---
            title: 测试
            date: 2026-01-01
            status: published
            review: {{first: {{by: 编辑部, date: 2026-01-01}}, second: {{by: 编辑部, date: 2026-01-01}}, final: {{by: 编辑部, date: 2026-01-01}}}}
            ---

            正文。

            {body}
            """)
    found = check(repo.path)
    assert {p.path for p in found} == {f"content/news/posts/{n}.md" for n in BREAKOUTS}
    return build_site(repo.path, repo.path / "site", allow_errors=True)


@pytest.mark.parametrize("name", BREAKOUTS)
def test_a_build_despite_errors_publishes_no_live_payload(page, built, name):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((built / "news" / name / "index.html").as_uri())
    page.wait_for_load_state("load")
    assert page.locator("img[src='x'], [onerror]").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
    assert WITHHELD.strip() in page.locator("article").inner_text()


def test_the_offline_bundle_is_not_made_with_them(built, tmp_path):
    """The bundle is opened from file://, where no server sends a policy: it is
    never made from a repository whose check fails (no allow_errors there)."""
    from scripts.build.pipeline import build_offline
    from scripts.problems import InputError

    repo = built.parent
    out = tmp_path / "offline.zip"
    with pytest.raises(InputError) as refused:
        build_offline(repo, out)
    assert {p.path for p in refused.value.problems} >= {f"content/news/posts/{n}.md" for n in BREAKOUTS}
    assert not out.exists()
