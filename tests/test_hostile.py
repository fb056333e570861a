"""Hostile or careless markup: fields are text everywhere they are shown;
check refuses Markdown bodies that would run code or load from another host
(read as browsers read HTML), and files in content/ and exemplars/ other than
Markdown and the model's media, known by their bytes."""
from __future__ import annotations

import json
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

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


def _executable(page: str) -> list[str]:
    """Markup from the payloads that a browser would run, in the tree a
    browser builds (Lexbor follows the WHATWG parser; html.parser does not)."""
    found = []
    for node in LexborHTMLParser(page, scripting=True).root.traverse():
        if not node.is_element_node:
            continue
        attrs = node.attributes
        for name, value in attrs.items():
            value = value or ""
            if "__pwned" in value and (name.startswith("on") or
                                       name in ("href", "src", "action") and "javascript:" in value):
                found.append(f"<{node.tag} {name}={value}>")
        if node.tag in ("img", "svg", "iframe") and attrs.get("src") == "x":
            found.append(f"<{node.tag} src=x>")
        if node.tag == "script" and "__pwned" in node.text(deep=True):
            found.append(f"<script>{node.text(deep=True)}")
    return found


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
    assert _executable(html) == []
    assert "&lt;script&gt;__pwned=1&lt;/script&gt;" in html   # shown, as text


def test_nothing_runs_anywhere_in_the_site(hostile_site):
    for page in hostile_site.rglob("*.html"):
        assert _executable(page.read_text(encoding="utf-8")) == [], page


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
    ('<img src="\\\\example.com/a.png">', 6, "其他网站"),   # browsers read \\ as //
    ("<!-- 备注 <b>粗</b> -->", 6, "注释"),
    ("<!---->", 6, "注释"),
    ("<?php echo 1; ?>", 6, "处理指令"),
    ("<svg><script>alert(1)</script></svg>", 6, "<svg>"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", 6, "<math>"),
    ('<p style="color: red">红字</p>', 6, "style"),
    ("段落\n{: style=\"background: url(a.png)\" }", 7, "style"),
    ("[点](&#x6A;ava&#x09;script&colon;alert(1))", 6, "javascript:"),
    ('<a href=" &#10;java&#13;script:alert(1)">点</a>', 6, "javascript:"),
    ("[点](ftp://example.com/a)", 6, "ftp:"),
    ("<body onload=alert(1)>", 6, "<body>"),
    ("<input autofocus onfocus=alert(1)>", 6, "<input>"),
    ('<a href="a.html" target="_blank">点</a>', 6, "target"),
    ("# 标题 {#__config}", 6, "__config"),
    ("<my-widget>文字</my-widget>", 6, "<my-widget>"),
]


@pytest.mark.parametrize("body, line, word", BODIES)
def test_unsafe_markup_in_a_body_is_refused_with_its_line(repo, body, line, word):
    repo.write("content/news/posts/a.md", "---\ntitle: 题\ndate: 2024-01-01\n---\n\n" + body + "\n")
    problems = check(repo.path)
    assert problems, body
    (p,) = problems
    assert (p.path, p.line, p.field) == ("content/news/posts/a.md", line, "正文")
    assert word in p.message


# html.parser read each of these as one comment: a browser ends the comment
# at once, and the <img> is an element whose handler runs.
PARSER_DIFFERENCES = ["<!--><img src=x onerror=alert(1)>-->", "<![CDATA[><img src=x onerror=alert(1)>]]>"]


@pytest.mark.parametrize("payload", PARSER_DIFFERENCES)
def test_markup_is_read_as_browsers_read_it(repo, payload):
    repo.write("content/news/posts/a.md", "---\ntitle: 题\ndate: 2024-01-01\n---\n\n正文\n\n" + payload + "\n")
    problems = check(repo.path)
    assert {(p.path, p.line, p.field) for p in problems} == {("content/news/posts/a.md", 8, "正文")}
    assert any("onerror" in p.message for p in problems), problems


@pytest.mark.parametrize("payload", PARSER_DIFFERENCES)
def test_the_built_site_scanner_sees_what_browsers_run(payload):
    page = "<p>" + payload.replace("alert(1)", "__pwned=1") + "</p>"
    assert _executable(page) == ["<img onerror=__pwned=1>", "<img src=x>"]


@pytest.mark.parametrize("body", [
    "```\n<script>alert(1)</script>\n```",
    "`<script>` 这是代码",
    "[扎兰屯](https://www.zhalantun.gov.cn/) 的链接",
    "![图](../../media/a.png)",
    "![图](data:image/png;base64,iVBORw0KGgo=)",
    "on=1, onerror 这些只是文字，javascript: 也是",
    "&lt;script&gt; 已转义",
    "摘要\n\n<!-- more -->\n\n正文",
    "<!-- 在这里写正文，可以分段，可以用“## 小标题”。 -->",   # make new's hint
    "| 左 | 中 | 右 |\n|:--|:-:|--:|\n| 1 | 2 | 3 |",
    '!!! note "注意"\n    提示的内容',
    "[下载](a.md){ .md-button } [信箱](mailto:a@b.cn) [电话](tel:0470-1234567) [节](#a)",
    "<user@example.com> 和 <https://www.zhalantun.gov.cn/>",
    '<figure><img src="a.png" alt="图" width="300"><figcaption>说明</figcaption></figure>',
    '<div class="note" markdown>**粗体**<br>换行</div>',
    '<table><tr><td colspan="2">甲</td></tr></table>',
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
    assert (p.path, p.line, "<svg>" in p.message) == ("exemplars/units/a.md", 8, True)


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


def _image(fmt: str) -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, fmt)
    return out.getvalue()


MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 16


@pytest.mark.parametrize("rel, data", [
    ("content/assets/a.png", lambda: _image("PNG")),
    ("content/assets/a.JPG", lambda: _image("JPEG")),
    ("content/assets/a.jpg", lambda: _image("WEBP")),       # WeChat names WebP .jpg: still a photo
    ("content/assets/a.webp", lambda: _image("WEBP")),
    ("exemplars/media/a.mp4", lambda: MP4_HEAD),
    ("exemplars/media/a.webm", lambda: WEBM_HEAD),
    ("exemplars/media/a.vtt", lambda: "\ufeffWEBVTT\n\n00:00.000 --> 00:01.000\n字幕\n".encode()),
    ("content/.DS_Store", lambda: b"\x00\x00\x00\x01Bud1"),  # hidden: mkdocs never publishes it
])
def test_media_of_the_models_types_may_be_published(repo, rel, data):
    repo.write(rel, data())
    assert check(repo.path) == []


@pytest.mark.parametrize("rel, data, word", [
    ("content/tongzhi.html", b"<script>alert(1)</script>", "不能发布此类文件（.html）"),
    ("content/assets/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "（.svg）"),
    ("content/assets/a.gif", b"GIF89a", "（.gif）"),
    ("content/data.yml", b"a: 1", "（.yml）"),   # not a record: it would be copied as it is
    ("content/assets/a.png", b"\xef\xbb\xbf  <html><script>alert(1)</script>", "内容是网页"),
    ("content/assets/a.jpg", MP4_HEAD, "内容是视频"),
    ("content/assets/a.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "内容是 HEIC/HEIF 格式"),
    ("exemplars/media/a.mp4", b"<!--ftyp--><script>alert(1)</script>", "不是视频"),
    ("exemplars/media/a.vtt", b"WEBVTTX\n", "不是字幕"),
    ("exemplars/units/notes.txt", b"x", "exemplars/ 中只能放记录"),
])
def test_other_files_are_refused_by_their_bytes_or_type(repo, rel, data, word):
    repo.write(rel, data)
    problems = check(repo.path)
    assert {p.path for p in problems} == {rel}   # the photo checks may name the file too
    (p,) = [p for p in problems if word in p.message]
    assert (p.line, p.level) == (1, "error")


@pytest.mark.slow
def test_a_build_despite_errors_leaves_the_refused_files_out(repo, tmp_path):
    repo.write("content/tongzhi.html", "<script>alert(1)</script><script src=\"/assets/x.js\"></script>")
    repo.write("content/assets/x.js", "alert(1)")
    repo.write("content/assets/fake.png", "<html><script>alert(1)</script></html>")
    repo.write("content/assets/ok.png", _image("PNG"))
    assert {p.path for p in check(repo.path)} == {"content/tongzhi.html", "content/assets/x.js",
                                                   "content/assets/fake.png"}
    site = build_site(repo.path, tmp_path / "site", allow_errors=True)
    assert [f for f in ("tongzhi.html", "assets/x.js", "assets/fake.png") if (site / f).exists()] == []
    assert (site / "assets/ok.png").read_bytes() == (repo.path / "content/assets/ok.png").read_bytes()
