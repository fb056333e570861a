"""The Content-Security-Policy of a built site.

Only the site's own origin may supply scripts, styles, images, films and
connections; no other host, no plugin, no framing, no 'unsafe-inline'. The
pages do carry a few small inline scripts (the theme's: its base URL and
colour scheme; the project's: the reading aids applied before the first
paint), so they are allowed one by one by the sha256 of their text, read from
the built pages. The same goes for inline styles: <style> elements by hash;
style attributes (the SVG charts, the film player) by hash under
'unsafe-hashes', which allows exactly those values and nothing injected.
Inline event handlers (onclick=…) are never allowed: `scan_site` reports them.

Why hashes and not nonces: the site is static, one file per page for any
number of readers; a nonce must change on every response.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# <script type=…> values that browsers execute (others are data, such as the
# theme's JSON config, which CSP does not govern).
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@dataclass
class InlineCode:
    """What the pages of a site run or style inline, as CSP hash sources."""
    scripts: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)              # <style> elements
    style_attributes: set[str] = field(default_factory=set)    # style="…"
    handlers: list[tuple[str, str]] = field(default_factory=list)  # (page, attribute): refused
    pages: int = 0

    def update(self, other: "InlineCode") -> None:
        self.scripts |= other.scripts
        self.styles |= other.styles
        self.style_attributes |= other.style_attributes
        self.handlers += other.handlers
        self.pages += other.pages


class _Scanner(HTMLParser):
    def __init__(self, page: str, found: InlineCode):
        super().__init__(convert_charrefs=True)
        self.page, self.found = page, found
        self.inline: str | None = None      # "script" or "style" while inside one
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name == "style" and value is not None:
                self.found.style_attributes.add(sha256_source(value))
            elif name.startswith("on"):
                self.found.handlers.append((self.page, f"<{tag} {name}>"))
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.handlers.append((self.page, f"<{tag} {name}=javascript:>"))
        if tag == "script" and "src" not in a and (a.get("type") or "").strip().lower() in SCRIPT_TYPES:
            self.inline, self.text = "script", []
        elif tag == "style":
            self.inline, self.text = "style", []

    def handle_data(self, data):
        if self.inline:
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.inline and tag == self.inline:
            target = self.found.scripts if tag == "script" else self.found.styles
            target.add(sha256_source("".join(self.text)))
            self.inline = None


def scan_page(html: str, page: str = "") -> InlineCode:
    found = InlineCode(pages=1)
    scanner = _Scanner(page, found)
    scanner.feed(html)
    scanner.close()
    return found


def scan_site(site: Path) -> InlineCode:
    """The inline code of every page of a built site."""
    found = InlineCode()
    for path in sorted(site.rglob("*.html")):
        found.update(scan_page(path.read_text(encoding="utf-8", errors="replace"),
                               path.relative_to(site).as_posix()))
    return found


def policy(inline: InlineCode, https: bool = True) -> str:
    """The policy that lets exactly this site's pages work."""
    styles = ["'self'", *sorted(inline.styles)]
    if inline.style_attributes:
        styles += ["'unsafe-hashes'", *sorted(inline.style_attributes)]
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *sorted(inline.scripts)]),
        "style-src " + " ".join(styles),
        # data: for the theme's icons, which its stylesheet carries as data: SVG.
        "img-src 'self' data:",
        "font-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


_DIRECTIVE_RE = re.compile(r"\s*([a-z-]+)\s+([^;]*)")


def allowed_sources(policy_text: str) -> dict[str, set[str]]:
    """A policy's directives: {name: set of sources}."""
    return {m.group(1): set(m.group(2).split()) for m in map(_DIRECTIVE_RE.match, policy_text.split(";")) if m}


def missing_from(policy_text: str, inline: InlineCode) -> list[str]:
    """What of `inline` the policy would block (for publishing: a site whose
    pages changed their inline code needs the server's policy renewed)."""
    sources = allowed_sources(policy_text)
    missing = [f"script-src {h}" for h in sorted(inline.scripts - sources.get("script-src", set()))]
    style = sources.get("style-src", set())
    missing += [f"style-src {h}" for h in sorted(inline.styles - style)]
    attrs = inline.style_attributes - style if "'unsafe-hashes'" in style else inline.style_attributes
    missing += [f"style-src 'unsafe-hashes' {h}" for h in sorted(attrs)]
    return missing
