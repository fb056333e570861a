"""Body safety: Markdown bodies may only hold the plain markup of an article,
nothing that runs in a reader's browser or loads from another host.

The body is rendered with Python-Markdown and the site's own extensions (as
mkdocs will render it), and the resulting HTML is parsed as a browser parses
it: by Lexbor (selectolax), a parser that follows the WHATWG HTML standard.
Python's html.parser did not: it read `<!--><img onerror=…>-->` as one comment
where a browser ends the comment at once and runs the <img>'s handler. The tree
a browser would build is then walked with an allow-list of elements and
attributes (ALLOWED): anything else is refused, at its line in the body. What
the check sees is what the page will contain, whatever the spelling (raw HTML,
Markdown links, reference links, attribute lists, entities, upper case).
"""
from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import markdown
from selectolax.lexbor import LexborHTMLParser

from ..problems import Problem
from ..site_config import site_config

# What Markdown (with mkdocs.yml's extensions) writes and what an editor may
# reasonably type as raw HTML in an article: element -> its own attributes.
_TEXT = ("p", "div", "span", "blockquote", "pre", "code", "em", "strong", "b", "i", "u", "s",
         "del", "ins", "mark", "small", "sub", "sup", "abbr", "br", "hr", "ul", "li", "dl", "dt",
         "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "table", "caption",
         "thead", "tbody", "tfoot", "tr")
ALLOWED: dict[str, frozenset[str]] = {tag: frozenset() for tag in _TEXT}
ALLOWED |= {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "ol": frozenset({"start", "reversed"}),
    "th": frozenset({"colspan", "rowspan", "style", "align"}),
    "td": frozenset({"colspan", "rowspan", "style", "align"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
GLOBAL_ATTRS = frozenset({"class", "id", "title", "lang"})
# The only style: the tables extension's column alignment (`|:-:|`).
_TABLE_ALIGN = re.compile(r"\s*text-align\s*:\s*(left|center|right)\s*;?\s*", re.I)
# Names the theme's scripts look up (Material's #__config holds its settings,
# #__search its search box; the project's are zlt-*): a body that took one
# could steer those scripts (DOM clobbering).
_THEME_ID = re.compile(r"__|zlt-", re.I)
_THEME_CLASS = re.compile(r"zlt-", re.I)
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript", "data"}
SAFE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
# Browsers drop ASCII tabs and newlines anywhere in a URL and spaces and
# controls around it; counting every one of them as noise errs on the safe side.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
EXCERPT_SEPARATOR = "<!-- more -->"   # news posts: where the excerpt ends, a plain comment
# The body goes into the page inside the article's <div>: parsed there, so
# that a <body onload> or <html> tag lands where a browser puts it (on the
# page's own <body> or <html>, which start with no attribute here).
_PAGE_PREFIX = "<!DOCTYPE html><html><head></head><body><div>"


def _squeezed(value: str) -> str:
    return _URL_NOISE.sub("", value).replace("\\", "/").lower()


def _url_fault(name: str, value: str) -> tuple[str, str] | None:
    """(needle, message) when an href or src may not be used, else None."""
    url = _squeezed(value)
    m = _SCHEME.match(url)
    scheme = m.group(1) if m else ""
    if name == "src":
        if scheme == "data" and SAFE_DATA_URL.match(url):
            return None
        if scheme in SCRIPT_SCHEMES:
            return f"{scheme}:", f"正文中不允许使用 {scheme}: 链接（可执行脚本）"
        if scheme or url.startswith("//"):
            return value, f"正文中的图片、视频等须放在本仓库内，不能引用其他网站的地址：{value}"
        return None
    if not scheme or scheme in LINK_SCHEMES:
        return None
    if scheme in SCRIPT_SCHEMES:
        return f"{scheme}:", f"正文中不允许使用 {scheme}: 链接（可执行脚本）"
    return f"{scheme}:", (f"正文中的链接只能指向本站页面或 http(s)、mailto、tel 地址，"
                          f"不能使用 {scheme}: 链接")


def _attribute_fault(tag: str, name: str, value: str) -> tuple[str, str] | None:
    if name.startswith("on"):
        return name, f"正文中不允许使用 {name} 属性（可执行脚本）"
    if name not in GLOBAL_ATTRS and name not in ALLOWED[tag]:
        if name == "style":
            return name, "正文中不允许使用 style 属性（表格列的对齐方式除外）"
        return name, f"正文中的 <{tag}> 不允许使用 {name} 属性"
    if name in ("href", "src"):
        return _url_fault(name, value)
    if name == "style" and not _TABLE_ALIGN.fullmatch(value):
        return name, "正文中不允许使用 style 属性（表格列的对齐方式除外）"
    if name == "id" and _THEME_ID.match(value):
        return value, f"正文中的 id“{value}”与网站模板自用的名称冲突（__ 或 zlt- 开头），请换一个"
    if name == "class":
        for token in value.split():
            if _THEME_CLASS.match(token):
                return token, f"正文中的 class“{token}”是网站模板自用的名称（zlt- 开头），请换一个"
    return None


def _comment_fault(text: str) -> tuple[str, str] | None:
    """A comment is inert once the HTML is read as browsers read it (what
    follows it is checked as what it is), and `make new` writes one as a hint
    into every new body. Only comments that look like a trick are refused:
    markup inside (a browser and a Markdown reader may end it elsewhere), an
    empty `<!-->`, which ends at once, or a CDATA section outside SVG."""
    if text.startswith("[CDATA["):
        return "<![cdata[", "正文中不允许使用 <![CDATA[ … ]]> 段（浏览器把它当作注释，在第一个 > 处结束）"
    if not text.strip() or "<" in text or ">" in text:
        return "<!--", "正文中的 HTML 注释 <!-- … --> 不能是空的，也不能含 < 或 > 符号（浏览器对注释的结束位置另有规则）"
    return None


def html_faults(page: str) -> list[tuple[str, str]]:
    """(needle to find the line, message) for each thing of the body's HTML
    that is not allowed, in document order; a refused element once, without
    what it holds."""
    doc = LexborHTMLParser(_PAGE_PREFIX + page, scripting=True)   # as browsers that run scripts
    faults = []
    for top in (doc.root, doc.body):   # attributes a body tag moved onto the page's own
        if top is not None and top.attributes:
            faults.append((f"<{top.tag}", f"正文中不允许使用 <{top.tag}> 标记"))
    # Everything from the body on: the article's <div>, anything a `</div>` or
    # `</body>` in the body put beside it, and comments after `</html>`.
    stack = [doc.root.next, doc.body.next if doc.body is not None else None,
             doc.body.child if doc.body is not None else None]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        stack.append(node.next)
        if node.is_text_node:
            continue
        if node.is_comment_node:
            fault = _comment_fault(node.comment_content or "")
            if fault:
                faults.append(fault)
            continue
        if not node.is_element_node:   # Lexbor's node for `<?…>`, a comment in browsers
            faults.append(("<?", "正文中不允许使用 <? … ?> 处理指令（浏览器把它当作注释）"))
            continue
        tag = node.tag
        if tag not in ALLOWED:
            faults.append((f"<{tag}", f"正文中不允许使用 <{tag}> 标记"))
            continue
        for name, value in node.attributes.items():
            fault = _attribute_fault(tag, name, value or "")
            if fault:
                faults.append(fault)
        stack.append(node.child)
    return faults


def _extensions(mkdocs_yml: Path) -> tuple[list, dict]:
    config = site_config(mkdocs_yml.parent)
    names, configs = ["toc", "tables", "fenced_code"], {}   # what mkdocs always adds
    for ext in config.get("markdown_extensions") or []:
        if isinstance(ext, dict):
            (name, options), = ext.items()
            configs[name] = options or {}
        else:
            name = ext
        if name not in names:
            names.append(name)
    return names, configs


@functools.cache
def _converter(mkdocs_yml: Path) -> markdown.Markdown:
    # One per configuration, reset between bodies: setting up the extensions
    # costs more than converting a body (it doubled `check` at 10,000 records).
    names, configs = _extensions(mkdocs_yml)
    return markdown.Markdown(extensions=names, extension_configs=configs)


def rendered_html(body: str, mkdocs_yml: Path) -> str:
    md = _converter(mkdocs_yml)
    try:
        return md.convert(body)
    finally:
        md.reset()


def _line_of(needle: str, lines: list[str], after: int) -> int:
    """1-based line in the body where the fault was most likely written: the
    first one after `after` that shows the needle, raw or entity-decoded."""
    plain = needle.lower()
    squeeze = _URL_NOISE.sub("", plain)
    order = [*range(after, len(lines)), *range(0, after)]
    for i in order:
        for text in (lines[i].lower(), _URL_NOISE.sub("", html.unescape(lines[i])).lower()):
            if plain in text or squeeze in text:
                return i + 1
    return 1


# Every fault needs one of these in the Markdown: raw HTML or an autolink (<),
# an entity (&), an attribute list ({), a link, image or reference ([). Text
# without any of them renders to plain paragraphs, headings and lists, so it
# is not rendered here (most bodies: the check stays fast at 10,000 records).
_MAY_MARK_UP = re.compile(r"[<&{\[]")


def body_problems(body: str, path: str, body_line: int, mkdocs_yml: Path) -> list[Problem]:
    """Markup in a Markdown body that is not allowed, each with its file and line."""
    if not _MAY_MARK_UP.search(body.replace(EXCERPT_SEPARATOR, "")):
        return []
    faults = html_faults(rendered_html(body, mkdocs_yml))
    lines = body.split("\n")
    problems, last = [], {}
    for needle, message in faults:
        line = last[needle] = _line_of(needle, lines, last.get(needle, 0))
        problems.append(Problem(path, body_line + line - 1, "正文", message))
    return problems
