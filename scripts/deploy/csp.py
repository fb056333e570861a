"""The Content-Security-Policy of the site, and the pages it would not cover.

The policy is a constant: only the site's own files may supply scripts,
styles, images, films and connections; no other host, no plugin, no framing,
no 'unsafe-inline', no hash. It is not computed from the built pages: a page
that carries an inline script (a raw content/*.html, a template changed by
mistake) must not get it allowed, it must be refused. The project's own pages
carry none: the theme's and the project's scripts before the first paint are
files (templates/overrides/partials/javascripts/, assets/zlt/head.js), and
the charts and the film player are laid out by classes, not style="…".

Every page carries the policy itself, as <meta http-equiv> near the top of
<head> (templates/overrides/main.html: keep the two equal, tests/test_csp.py
compares them), so that `make serve`, the preview, the workbench and the
offline bundle opened from file:// have it with no server. nginx sends it as
a header too, with what a <meta> cannot carry (frame-ancestors).

`inline_script_pages` finds the pages the policy would have to be weakened
for, with an HTML5 parser (Lexbor, through selectolax) so that markup hidden
from a naive reader by comments or CDATA is seen as browsers see it;
`make nginx-conf` and `make publish` refuse a site with any.
"""
from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

# The policy of every page (the <meta> form). In Chromium 'self' also covers
# file:// pages loading the bundle's own files (scripts, the search index,
# styles, pictures, films).
DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    # data: for the theme's icons, which its stylesheet carries as data: SVG.
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("media-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)
# Opened from file:// the bundle's films get their subtitles as blob: URLs
# made by the bundle's own script (scripts/render/video.py).
OFFLINE_MEDIA = "'self' blob:"


def meta_policy(offline: bool = False) -> str:
    """The policy the pages carry in <meta http-equiv> (offline: the bundle's)."""
    return "; ".join(f"{name} {OFFLINE_MEDIA if offline and name == 'media-src' else value}"
                     for name, value in DIRECTIVES)


def policy(https: bool = True) -> str:
    """The policy nginx sends as a header: the pages' own, and what only a
    header can carry."""
    text = meta_policy() + "; frame-ancestors 'none'"
    return text + "; upgrade-insecure-requests" if https else text


_DIRECTIVE_RE = re.compile(r"\s*([a-z-]+)\s+([^;]*)")


def allowed_sources(policy_text: str) -> dict[str, set[str]]:
    """A policy's directives: {name: set of sources}."""
    return {m.group(1): set(m.group(2).split()) for m in map(_DIRECTIVE_RE.match, policy_text.split(";")) if m}


def missing_from(policy_text: str) -> list[str]:
    """What the site's pages need that `policy_text` (a server's) does not
    grant: for publishing, a server still sending an outdated policy."""
    have = allowed_sources(policy_text)
    missing = []
    for name, sources in allowed_sources(policy()).items():
        # A fetch directive the server leaves out falls back to its default-src.
        granted = have.get(name, have.get("default-src", set()) if name.endswith("-src") else set())
        missing += [f"{name} {source}" for source in sorted(sources - granted - {"'none'"})]
    return missing


# --- pages that carry inline script -----------------------------------------

# <script type> values that are data, not code (the theme's JSON config).
# Any other type is taken as code: unknown types do not run, but refusing
# them costs nothing and no list of script types can then be out of date.
DATA_TYPES = {"application/json", "application/ld+json"}

# Cheap tests first, on the page's bytes, so that only suspicious pages are
# parsed (10,000 pages in well under a second). Together they match every
# page that has what the parser looks for, whatever the markup's tricks:
#   a <script> tag other than the two forms the templates write (an empty
#   element loading a file; the theme's JSON config), in a plain grammar that
#   the HTML tokenizer reads the same way;
#   an attribute name starting with "on" (names cannot be written with
#   character references; they follow white space, a slash or a quote);
#   the scheme javascript:, with tabs and line breaks anywhere (browsers drop
#   them from URLs), or any character reference, which could spell it;
#   an <iframe srcdoc>, a page in an attribute (its markup escaped).
_SCRIPT_TAG = re.compile(rb"<script")
_SAFE_SCRIPT = re.compile(rb'<script(?:[\t\n\f\r ]+src="[^"<>]*"(?:[\t\n\f\r ]+defer)?'
                          rb'|[\t\n\f\r ]+defer[\t\n\f\r ]+src="[^"<>]*")[\t\n\f\r ]*></script>'
                          rb'|<script[\t\n\f\r ]+id="__config"[\t\n\f\r ]+type="application/json"[\t\n\f\r ]*>')
_HANDLER = re.compile(rb"on[a-z]*[\t\n\f\r ]*=")      # a literal start: fast
_BEFORE_NAME = b"\t\n\f\r /\"'"
_JAVASCRIPT = re.compile(b"[\t\n\r]*".join(bytes([c]) for c in b"javascript:"))
_REFERENCE = re.compile(rb"&(?:#|colon|tab|newline)")


def _suspect(html: bytes) -> bool:
    text = html.lower()
    if len(_SCRIPT_TAG.findall(text)) != len(_SAFE_SCRIPT.findall(text)):
        return True
    if any(m.start() and text[m.start() - 1] in _BEFORE_NAME for m in _HANDLER.finditer(text)):
        return True
    return bool(_JAVASCRIPT.search(text) or _REFERENCE.search(text)) or b"srcdoc" in text


# What browsers strip from a URL before reading its scheme.
_URL_EDGES = "".join(chr(i) for i in range(0x21))
_URL_INNER = re.compile(r"[\t\n\r]")
# SVG animation attributes may set an href to a list of values.
_ANIMATION_VALUES = {"to", "from", "by", "values"}


def _javascript_url(name: str, value: str) -> bool:
    text = _URL_INNER.sub("", value.strip(_URL_EDGES)).lower()
    return text.startswith("javascript:") or (name in _ANIMATION_VALUES and "javascript:" in text)


def inline_script(html: str | bytes) -> list[str]:
    """What of `html` (UTF-8) would run as inline script in a browser: inline
    <script> elements, event handler attributes (on…), javascript: URLs."""
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogateescape")
    if not _suspect(html):
        return []
    found = []
    # scripting=True: parsed as a browser that runs scripts does (<noscript>'s
    # content is then text, and what follows its end tag is markup).
    tree = LexborHTMLParser(html, scripting=True)
    for node in tree.root.traverse() if tree.root else ():
        tag = node.tag
        if not tag or tag.startswith("-"):          # text, comments
            continue
        attributes = node.attributes
        if tag == "script":
            kind = (attributes.get("type") or "").strip().lower()
            # Not `src` alone: an SVG <script> ignores src and runs its text.
            if kind not in DATA_TYPES and (node.text(deep=True) or "src" not in attributes and
                                           "href" not in attributes and "xlink:href" not in attributes):
                found.append("<script>")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            elif name == "srcdoc" and value and inline_script(value):
                found.append(f"<{tag} srcdoc>")
            elif value and _javascript_url(name, value):
                found.append(f"<{tag} {name}=javascript:>")
    return found


def inline_script_pages(site: Path) -> list[str]:
    """The pages of a built site (paths relative to it) that carry inline
    script, which the policy blocks and must never be widened for."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        if inline_script(path.read_bytes()):
            pages.append(path.relative_to(site).as_posix())
    return pages


def refusal(pages: list[str], then: str, shown: int = 5) -> str:
    """Why a site with these pages (inline_script_pages) is refused, in
    Chinese; `then`: what to run again once they are fixed."""
    named = "、".join(pages[:shown]) + (f" 等 {len(pages)} 个网页" if len(pages) > shown else "")
    return (f"网站中有 {len(pages)} 个网页含有内联脚本（<script> 代码、on… 事件属性或 javascript: 链接）：{named}。"
            "网站的安全策略不允许运行这类代码，也不会为它们放宽：请删除这些代码（页面功能请改用"
            f" templates/overrides/assets/ 中的脚本文件），重新生成网站（make site）后再{then}")
