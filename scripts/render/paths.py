"""Addresses between the files of the generated site: relative paths for
Markdown, and URLs for raw HTML.

MkDocs rewrites the links and images of Markdown, but not the addresses in
raw HTML (the cards' links and pictures, a film's <video>, the QR code): those
are made relative to the page's URL here. On the web (directory URLs) a page
`exemplars/videos/x.md` is served at `exemplars/videos/x/`; in the offline
bundle (opened from file://) it is the file `exemplars/videos/x.html`. The
build says which with `file_layout()`.

Not posixpath.relpath: it makes both paths absolute, asking the operating
system for the working directory twice a call, and the templates compute
some 75,000 relative paths at 10,000 records. The paths here are already
relative to the docs folder and normal (no `.`, `..` or empty parts), so
the common folders are simply dropped; anything else goes to relpath.
"""
from __future__ import annotations

import contextlib
import contextvars
import posixpath

# Whether the pages being rendered are opened from file:// (the offline bundle).
_FILE_LAYOUT: contextvars.ContextVar[bool] = contextvars.ContextVar("file_layout", default=False)


@contextlib.contextmanager
def file_layout(on: bool = True):
    """Render for file:// (no directory URLs, subtitles as scripts) meanwhile."""
    token = _FILE_LAYOUT.set(on)
    try:
        yield
    finally:
        _FILE_LAYOUT.reset(token)


def offline() -> bool:
    """Whether the pages being rendered are for file:// (file_layout)."""
    return _FILE_LAYOUT.get()


def relative_path(target: str, start: str) -> str:
    """`target` relative to the folder `start`, both relative to the same root."""
    t = target.split("/") if target else []
    s = start.split("/") if start and start != "." else []
    if any(part in ("", ".", "..") for part in (*t, *s)):
        return posixpath.relpath(target, start or ".")
    common = 0
    for a, b in zip(t, s):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(s) - common) + t[common:]) or "."


def page_dir(page_path: str, directory_urls: bool = True) -> str:
    """The folder of the URL MkDocs gives a page."""
    if not directory_urls or posixpath.basename(page_path) in ("index.md", "README.md"):
        return posixpath.dirname(page_path)
    return page_path[: -len(".md")]


def html_relative_url(target: str, page_path: str, directory_urls: bool | None = None) -> str:
    """`target` (a path in the site) relative to the page's URL."""
    if directory_urls is None:
        directory_urls = not offline()
    return relative_path(target, page_dir(page_path, directory_urls) or ".")


def html_page_url(doc_path: str, page_path: str, directory_urls: bool | None = None) -> str:
    """The URL of the page made from `doc_path`, relative to the page made from
    `page_path`, as MkDocs writes a Markdown link between them."""
    if directory_urls is None:
        directory_urls = not offline()
    here = page_dir(page_path, directory_urls) or "."
    if not directory_urls:
        return relative_path(doc_path[: -len(".md")] + ".html", here)
    return relative_path(page_dir(doc_path), here) + "/"
