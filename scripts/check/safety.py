"""Body safety: Markdown bodies must not carry markup that runs in a reader's
browser or loads from another host.

The body is rendered with Python-Markdown and the site's own extensions (as
mkdocs will render it), and the resulting HTML is read with html.parser: what
the check sees is what the page will contain, whatever the spelling (raw HTML,
Markdown links, reference links, attribute lists, entities, upper case).
"""
from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown

from ..problems import Problem
from ..site_config import site_config

# Elements that run code, embed other documents or restyle the whole page.
BANNED_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style",
               "base", "meta", "link", "form", "noscript", "template", "portal"}
# Attributes whose value is fetched by the browser when the page loads.
FETCHED_ATTRS = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc"}
BANNED_ATTRS = {"srcdoc", "formaction"}
SAFE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
# Browsers ignore ASCII whitespace and controls inside a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_TAG_RE = re.compile(r"<\s*(%s)\b" % "|".join(sorted(BANNED_TAGS)), re.I)


def _scheme_fault(value: str) -> str | None:
    url = _URL_NOISE.sub("", html.unescape(value)).lower()
    for scheme in ("javascript:", "vbscript:", "livescript:"):
        if url.startswith(scheme):
            return scheme
    if url.startswith("data:") and not SAFE_DATA_URL.match(url):
        return "data:"
    return None


def _is_remote(value: str) -> bool:
    url = _URL_NOISE.sub("", html.unescape(value)).lower()
    return url.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*:", url)) \
        and not url.startswith("data:")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.faults: list[tuple[str, str]] = []   # (needle to find the line, message)

    def handle_starttag(self, tag, attrs):
        if tag in BANNED_TAGS:
            self.faults.append((f"<{tag}", f"正文中不允许使用 <{tag}> 标记"))
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in BANNED_ATTRS:
                self.faults.append((name, f"正文中不允许使用 {name} 属性（可执行脚本）"))
                continue
            scheme = _scheme_fault(value)
            if scheme:
                self.faults.append((scheme, f"正文中不允许使用 {scheme} 链接（可执行脚本）"))
            elif name in FETCHED_ATTRS and _is_remote(value):
                self.faults.append((value, f"正文中的图片、视频等须放在本仓库内，不能引用其他网站的地址：{value}"))
            elif name == "style" and re.search(r"url\s*\(|expression\s*\(|@import", value, re.I):
                self.faults.append(("style", "正文中的 style 属性不能引用外部资源"))

    handle_startendtag = handle_starttag


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
EXCERPT_SEPARATOR = "<!-- more -->"   # the blog's, in news posts: a harmless comment


def body_problems(body: str, path: str, body_line: int, mkdocs_yml: Path) -> list[Problem]:
    """Unsafe markup in a Markdown body, each with its file and line."""
    if not _MAY_MARK_UP.search(body.replace(EXCERPT_SEPARATOR, "")):
        return []
    page = rendered_html(body, mkdocs_yml)
    scanner = _Scanner()
    scanner.feed(page)
    scanner.close()
    # A backstop for markup html.parser reads differently from a browser.
    found = {needle for needle, _ in scanner.faults}
    for tag in dict.fromkeys(m.group(1).lower() for m in _TAG_RE.finditer(page)):
        if f"<{tag}" not in found:
            scanner.faults.append((f"<{tag}", f"正文中不允许使用 <{tag}> 标记"))
    lines = body.split("\n")
    problems, last = [], {}
    for needle, message in scanner.faults:
        line = last[needle] = _line_of(needle, lines, last.get(needle, 0))
        problems.append(Problem(path, body_line + line - 1, "正文", message))
    return problems
