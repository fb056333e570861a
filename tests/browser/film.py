"""A real short film for the tests, made by ffmpeg: two seconds of VP8 in
WebM (an open codec that Debian's ffmpeg and Chromium always have), a poster
and a WebVTT subtitle, given to one of the shipped films."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

FILM = "exemplars/videos/siyi-shun-minxin.md"
CUE = "扎兰屯党建网测试字幕"


def make_media(media: Path, cue: str = CUE) -> None:
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "需要 ffmpeg 来制作测试视频：请运行 make system-deps"
    media.mkdir(parents=True, exist_ok=True)
    source = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=2"]
    subprocess.run([ffmpeg, "-v", "error", "-y", *source, "-c:v", "libvpx", "-b:v", "100k",
                    "-pix_fmt", "yuv420p", str(media / "test-film.webm")], check=True)
    subprocess.run([ffmpeg, "-v", "error", "-y", *source, "-frames:v", "1", str(media / "test-poster.png")],
                   check=True)
    (media / "test-film.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:02.000\n{cue}\n", encoding="utf-8")


def give_film(repo: Path, film: str = FILM) -> Path:
    """Make the media in `repo` and name them in the film's record; returns the record."""
    make_media(repo / "exemplars" / "media")
    path = repo / film
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nvideo: exemplars/media/test-film.webm\n"
                                 "poster: exemplars/media/test-poster.png\n"
                                 "subtitles: exemplars/media/test-film.vtt\n", 1), encoding="utf-8")
    return path


REVIEWED = ("review:\n  first: {by: 编辑部, date: 2026-11-25}\n  second: {by: 办公室, date: 2026-11-26}\n"
            "  final: {by: 分管领导, date: 2026-11-27}\n")
FILM_ID = "ceshi-yingpian"


def add_test_film(repo: Path, rid: str = FILM_ID) -> str:
    """A film record of the test's own with a real film, poster and
    subtitles (whatever films the content has); returns its id."""
    make_media(repo / "media" / "films")
    (repo / "exemplars" / "videos").mkdir(parents=True, exist_ok=True)
    (repo / "exemplars" / "videos" / f"{rid}.md").write_text(
        "---\ntitle: 测试影片\nyear: 2026\nduration: '0:02'\nvideo: media/films/test-film.webm\n"
        "poster: media/films/test-poster.png\nsubtitles: media/films/test-film.vtt\n"
        "summary: 测试用的影片。\n" + REVIEWED + "status: published\n---\n\n测试影片的内容介绍。\n",
        encoding="utf-8")
    return rid
