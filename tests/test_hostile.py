"""Hostile or careless markup: fields are text everywhere they are shown, and
check refuses Markdown bodies that would run code or load from another host."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.build.pipeline import build_site
from scripts.check import check

# Short enough for the shortest fields (a member's name: 30 characters).
XSS_NAME = "<script>__pwned=1</script>"
XSS_TEXT = '</li><img src=x onerror=__pwned=2>"\'><svg onload=__pwned=3>[链](javascript:__pwned=4)'
Q = json.dumps  # a JSON string is a YAML string: any quotes inside stay literal


def write_hostile(repo) -> None:
    """Records whose fields try to inject markup into their page and into the
    lists and the home page that show them."""
    repo.write("exemplars/units/evil-unit.md", f"""
    ---
    name: "{XSS_NAME}甲"
    sector: 农村
    town: "<b onmouseover=__pwned=5>镇</b>"
    summary: {Q(XSS_TEXT)}
    featured: true
    status: published
    review: {{first: {{by: 编辑部, date: 2024-01-01}}, second: {{by: 编辑部, date: 2024-01-01}}, final: {{by: 编辑部, date: 2024-01-01}}}}
    honours:
      - title: "{XSS_NAME}"
        body: "<iframe src=javascript:__pwned=6>"
    ---

    正文是安全的。
    """)
    repo.write("exemplars/members/evil-member.md", f"""
    ---
    name: "{XSS_NAME}"
    unit: evil-unit
    position: "<img src=x onerror=__pwned=7>"
    summary: {Q(XSS_TEXT)}
    featured: true
    status: published
    review: {{first: {{by: 编辑部, date: 2024-01-01}}, second: {{by: 编辑部, date: 2024-01-01}}, final: {{by: 编辑部, date: 2024-01-01}}}}
    ---
    """)
    repo.write("exemplars/sms/evil-sms.yml", f"""
    text: {Q(XSS_TEXT)}
    author: "{XSS_NAME}"
    status: published
    review: {{first: {{by: 编辑部, date: 2024-01-01}}, second: {{by: 编辑部, date: 2024-01-01}}, final: {{by: 编辑部, date: 2024-01-01}}}}
    """)
    repo.write("content/news/posts/evil-news.md", f"""
    ---
    title: "{XSS_NAME}新闻<img src=x onerror=__pwned=8>"
    date: 2024-01-01
    summary: {Q(XSS_TEXT)}
    status: published
    review: {{first: {{by: 编辑部, date: 2024-01-01}}, second: {{by: 编辑部, date: 2024-01-01}}, final: {{by: 编辑部, date: 2024-01-01}}}}
    ---

    正文。
    """)


class _Executable(HTMLParser):
    """Markup from the payloads that a browser would run."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if "__pwned" in value and (name.startswith("on") or
                                       name in ("href", "src", "action") and "javascript:" in value):
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("img", "svg", "iframe") and dict(attrs).get("src") == "x":
            self.found.append(f"<{tag} src=x>")

    def handle_data(self, data):
        if self._in_script and "__pwned" in data:
            self.found.append(f"<script>{data}")

    def handle_endtag(self, tag):
        self._in_script = False


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from tests.conftest import Repo
    repo = Repo(tmp_path_factory.mktemp("hostile"), with_content=True)
    write_hostile(repo)
    assert check(repo.path) == []   # markup in a field is allowed: it is shown as text
    return build_site(repo.path)


PAGES = ["index.html", "exemplars/units/index.html", "exemplars/units/evil-unit/index.html",
         "exemplars/members/index.html", "exemplars/members/evil-member/index.html",
         "exemplars/sms/index.html", "news/index.html", "news/evil-news/index.html", "honours/index.html"]


@pytest.mark.parametrize("rel", PAGES)
def test_fields_are_text_on_pages_lists_and_home(hostile_site, rel):
    html = (hostile_site / rel).read_text(encoding="utf-8")
    scanner = _Executable()
    scanner.feed(html)
    assert scanner.found == []
    assert "&lt;script&gt;__pwned=1&lt;/script&gt;" in html   # shown, as text


def test_nothing_runs_anywhere_in_the_site(hostile_site):
    for page in hostile_site.rglob("*.html"):
        scanner = _Executable()
        scanner.feed(page.read_text(encoding="utf-8"))
        assert scanner.found == [], page


def test_a_summary_cannot_close_the_list_it_is_in(hostile_site):
    html = (hostile_site / "exemplars/units/index.html").read_text(encoding="utf-8")
    # The card (one <li>) that links to the record holds the summary as text.
    item = next(li for li in re.findall(r"<li>.*?</li>", html, re.S) if "evil-unit/" in li)
    assert "&lt;/li&gt;&lt;img src=x onerror=__pwned=2&gt;" in item


BODIES = [
    ("<script>alert(1)</script>", 6, "<script>"),
    ("<ScRiPt src=a.js></ScRiPt>", 6, "<script>"),
    ('<iframe src="a.html"></iframe>', 6, "<iframe>"),
    ('<object data="a.swf"></object>', 6, "<object>"),
    ('<embed src="a.swf">', 6, "<embed>"),
    ("<style>body{display:none}</style>", 6, "<style>"),
    ('<img src="a.png" onerror="alert(1)">', 6, "onerror"),
    ('<div ONCLICK="alert(1)">文字</div>', 6, "onclick"),
    ('<a href="javascript:alert(1)">点</a>', 6, "javascript:"),
    ("[点](javascript:alert(1))", 6, "javascript:"),
    ("[点](JAVASCRIPT:alert(1))", 6, "javascript:"),
    ("[点](&#106;&#97;vascript:alert(1))", 6, "javascript:"),
    ("[点](&#x6A;avascript&#x3A;alert(1))", 6, "javascript:"),
    ("[点](java\tscript:alert(1))", 6, "javascript:"),
    ("[点][r]\n\n[r]: javascript:alert(1)", 8, "javascript:"),
    ("[点][r]\n\n[r]: VBScript:msgbox(1)", 8, "vbscript:"),
    ("[点](data:text/html;base64,PHNjcmlwdD4=)", 6, "data:"),
    ("段落\n{: onclick=\"alert(1)\" }", 7, "onclick"),
    ("![图](https://example.com/a.png)", 6, "其他网站"),
    ("![图](//example.com/a.png)", 6, "其他网站"),
]


@pytest.mark.parametrize("body, line, word", BODIES)
def test_unsafe_markup_in_a_body_is_refused_with_its_line(repo, body, line, word):
    repo.write("content/news/posts/a.md", "---\ntitle: 题\ndate: 2024-01-01\n---\n\n" + body + "\n")
    problems = check(repo.path)
    assert problems, body
    (p,) = problems
    assert (p.path, p.line, p.field) == ("content/news/posts/a.md", line, "正文")
    assert word in p.message


@pytest.mark.parametrize("body", [
    "```\n<script>alert(1)</script>\n```",
    "`<script>` 这是代码",
    "[扎兰屯](https://www.zhalantun.gov.cn/) 的链接",
    "![图](../../media/a.png)",
    "![图](data:image/png;base64,iVBORw0KGgo=)",
    "on=1, onerror 这些只是文字，javascript: 也是",
    "&lt;script&gt; 已转义",
])
def test_safe_bodies_pass(repo, body):
    repo.write("content/news/posts/a.md", "---\ntitle: 题\ndate: 2024-01-01\n---\n\n" + body + "\n")
    assert check(repo.path) == []


def test_hand_written_pages_are_checked_too(repo):
    repo.write("content/about.md", "# 关于\n\n<script>alert(1)</script>\n")
    (p,) = check(repo.path)
    assert (p.path, p.line) == ("content/about.md", 3)


def test_unit_bodies_are_checked(repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲\nsector: 农村\n---\n\n正文\n\n<svg onload=alert(1)>\n")
    (p,) = check(repo.path)
    assert (p.path, p.line, "onload" in p.message) == ("exemplars/units/a.md", 8, True)


def test_category_names_must_be_plain(repo):
    """A category becomes a page whose title MkDocs takes unescaped."""
    repo.write("content/news/posts/a.md", "---\ntitle: 题\ndate: 2024-01-01\ncategories:\n  - 正常\n  - <svg onload=x>\n---\n")
    (p,) = check(repo.path)
    assert (p.line, p.field.startswith("categories[2]"), "分类名" in p.message) == (6, True, True)


def test_a_page_title_taken_from_its_heading_must_be_plain(repo):
    """MkDocs prints a heading-derived title unescaped into <title>."""
    repo.write("content/about.md", "引言\n\n# 关于 &lt;/title&gt;&lt;script&gt;x\n\n正文\n")
    (p,) = check(repo.path)
    assert (p.path, p.line, p.field) == ("content/about.md", 3, "标题")
    repo.write("content/about.md", "---\ntitle: 关于\n---\n# 关于 &lt;script&gt;\n")
    assert check(repo.path) == []
