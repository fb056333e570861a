"""Helpers for the films' player: URLs for raw HTML, file type and size, and
the subtitles of the offline bundle.

MkDocs rewrites the links of Markdown, but not the src and poster of raw HTML
such as <video>: those addresses are made relative to the page's URL here.
On the web (directory URLs) a page `exemplars/videos/x.md` is served at
`exemplars/videos/x/`; in the offline bundle (opened from file://) it is the
file `exemplars/videos/x.html`. The build says which with `file_layout()`.

From file:// Chromium refuses to read a <track>'s WebVTT file ("'file:' URLs
are treated as unique security origins"), so the offline bundle ships each
subtitles file a second time as a script (`<name>.vtt.js`, written by the
build) that hands the same text to the player as a blob: URL, which the page
may read.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import posixpath
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

VIDEO_TYPES = {".webm": ("video/webm", "WebM"), ".mp4": ("video/mp4", "MP4")}
SUBTITLES_SCRIPT_SUFFIX = ".js"    # test-film.vtt → test-film.vtt.js

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


def page_dir(page_path: str, directory_urls: bool = True) -> str:
    """The folder of the URL MkDocs gives a page."""
    if not directory_urls or posixpath.basename(page_path) in ("index.md", "README.md"):
        return posixpath.dirname(page_path)
    return page_path[: -len(".md")]


def html_relative_url(target: str, page_path: str, directory_urls: bool | None = None) -> str:
    """`target` (a path in the site) relative to the page's URL."""
    if directory_urls is None:
        directory_urls = not _FILE_LAYOUT.get()
    return posixpath.relpath(target, page_dir(page_path, directory_urls) or ".")


def size_text(n: int) -> str:
    """A file size as readers know it: 850 KB, 1.2 MB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def subtitles_script(vtt: str, key: str) -> str:
    """The script that gives a WebVTT text to the <track> marked with `key`."""
    return ("/* 中文字幕（离线版）：从 file:// 打开时浏览器不读取 .vtt 文件，字幕随本脚本送达。 */\n"
            "(function () {\n"
            f"  var text = {json.dumps(vtt)};\n"
            "  var url = URL.createObjectURL(new Blob([text], {type: \"text/vtt\"}));\n"
            f"  var tracks = document.querySelectorAll(\"track[data-zlt-subtitles='\" + {json.dumps(key)} + \"']\");\n"
            "  for (var i = 0; i < tracks.length; i++) tracks[i].src = url;\n"
            "})();\n")


def write_subtitles_scripts(site: Path) -> int:
    """`<name>.vtt.js` beside every subtitles file of a site built for file://."""
    n = 0
    for vtt in sorted(site.rglob("*.vtt")):
        key = vtt.relative_to(site).as_posix()
        script = vtt.with_name(vtt.name + SUBTITLES_SCRIPT_SUFFIX)
        script.write_text(subtitles_script(vtt.read_text(encoding="utf-8-sig"), key), encoding="utf-8")
        n += 1
    return n


def filters(root: Path) -> dict:
    """Jinja filters for templates/video/*; `root` is the repository."""
    @jinja2.pass_context
    def html_url(ctx, target: str) -> Markup:
        return Markup(escape(html_relative_url(target, ctx["page_path"])))

    @jinja2.pass_context
    def subtitles_script_url(ctx, target: str) -> Markup:
        """The URL of the subtitles' script, or empty on the web."""
        if not _FILE_LAYOUT.get():
            return Markup("")
        return Markup(escape(html_relative_url(target + SUBTITLES_SCRIPT_SUFFIX, ctx["page_path"])))

    def video_type(path: str) -> Markup:
        return Markup(VIDEO_TYPES.get(Path(path).suffix.lower(), ("", ""))[0])

    def video_format(path: str) -> str:
        return VIDEO_TYPES.get(Path(path).suffix.lower(), ("", Path(path).suffix[1:].upper()))[1]

    def file_size(path: str) -> str:
        return size_text((root / path).stat().st_size)

    return {"html_url": html_url, "subtitles_script_url": subtitles_script_url, "video_type": video_type,
            "video_format": video_format, "file_size": file_size}
