"""Helpers for the films' player: URLs for its raw HTML (paths.py), file type
and size, and the subtitles of the offline bundle.

From file:// Chromium refuses to read a <track>'s WebVTT file ("'file:' URLs
are treated as unique security origins"), so the offline bundle ships each
subtitles file a second time as a script (`<name>.vtt.js`, written by the
build) that hands the same text to the player as a blob: URL, which the page
may read.
"""
from __future__ import annotations

import json
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .paths import html_relative_url, offline

VIDEO_TYPES = {".webm": ("video/webm", "WebM"), ".mp4": ("video/mp4", "MP4")}
SUBTITLES_SCRIPT_SUFFIX = ".js"    # test-film.vtt → test-film.vtt.js

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
        if not offline():
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
