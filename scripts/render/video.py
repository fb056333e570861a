"""Helpers for the films' player: URLs for raw HTML, file type and size.

MkDocs rewrites the links of Markdown, but not the src and poster of raw HTML
such as <video>; with directory URLs a page `exemplars/videos/x.md` is served
at `exemplars/videos/x/`, so those addresses are made relative to that URL here.
"""
from __future__ import annotations

import posixpath
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

VIDEO_TYPES = {".webm": ("video/webm", "WebM"), ".mp4": ("video/mp4", "MP4")}


def page_dir(page_path: str) -> str:
    """The folder of the URL MkDocs gives a page (use_directory_urls)."""
    if posixpath.basename(page_path) in ("index.md", "README.md"):
        return posixpath.dirname(page_path)
    return page_path[: -len(".md")]


def html_relative_url(target: str, page_path: str) -> str:
    """`target` (a path in the site) relative to the page's URL."""
    return posixpath.relpath(target, page_dir(page_path) or ".")


def size_text(n: int) -> str:
    """A file size as readers know it: 850 KB, 1.2 MB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def filters(root: Path) -> dict:
    """Jinja filters for templates/video/*; `root` is the repository."""
    @jinja2.pass_context
    def html_url(ctx, target: str) -> Markup:
        return Markup(escape(html_relative_url(target, ctx["page_path"])))

    def video_type(path: str) -> Markup:
        return Markup(VIDEO_TYPES.get(Path(path).suffix.lower(), ("", ""))[0])

    def video_format(path: str) -> str:
        return VIDEO_TYPES.get(Path(path).suffix.lower(), ("", Path(path).suffix[1:].upper()))[1]

    def file_size(path: str) -> str:
        return size_text((root / path).stat().st_size)

    return {"html_url": html_url, "video_type": video_type, "video_format": video_format,
            "file_size": file_size}
