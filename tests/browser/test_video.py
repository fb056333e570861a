"""A reader plays a film: poster, Chinese subtitles, download; and a film
without a file says so. The film is a real video made here by ffmpeg (VP8 in
WebM, an open codec that Debian's ffmpeg and Chromium always have)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from scripts.build.pipeline import build_site
from tests.browser.conftest import serving
from tests.conftest import Repo

ffmpeg = shutil.which("ffmpeg")

FILM = "exemplars/videos/siyi-shun-minxin.md"
CUE = "扎兰屯党建网测试字幕"


def _make_media(media):
    assert ffmpeg, "需要 ffmpeg 来制作测试视频：请运行 make system-deps"
    media.mkdir(parents=True)
    source = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=2"]
    subprocess.run([ffmpeg, "-v", "error", *source, "-c:v", "libvpx", "-b:v", "100k",
                    "-pix_fmt", "yuv420p", str(media / "test-film.webm")], check=True)
    subprocess.run([ffmpeg, "-v", "error", *source, "-frames:v", "1", str(media / "test-poster.png")],
                   check=True)
    (media / "test-film.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:02.000\n{CUE}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def full_repo(tmp_path_factory):
    """A copy of the shipped content, shared by this module's tests."""
    return Repo(tmp_path_factory.mktemp("films"), with_content=True)


@pytest.fixture(scope="module")
def film_url(full_repo):
    """The shipped content, with one real film given a video, poster and subtitles."""
    _make_media(full_repo.path / "exemplars" / "media")
    film = full_repo.path / FILM
    text = film.read_text(encoding="utf-8")
    film.write_text(text.replace("---\n", "---\nvideo: exemplars/media/test-film.webm\n"
                                 "poster: exemplars/media/test-poster.png\n"
                                 "subtitles: exemplars/media/test-film.vtt\n", 1), encoding="utf-8")
    site = build_site(full_repo.path, full_repo.path / "site")
    with serving(site) as url:
        yield url + "exemplars/videos/siyi-shun-minxin/"


def test_a_film_plays_with_poster_subtitles_and_download(page, film_url, full_repo):
    page.goto(film_url)
    video = page.locator("article video")
    assert video.get_attribute("preload") == "none"

    poster = video.evaluate("v => v.poster")
    response = page.request.get(poster)
    assert response.status == 200 and response.headers["content-type"] == "image/png"

    video.evaluate("v => v.addEventListener('playing', () => window.filmPlaying = true)")
    # The play button of Chromium's own controls, at the left of their bar;
    # the controls live in a closed shadow root, so it is clicked by position.
    video.scroll_into_view_if_needed()   # below the masthead and the facts line
    box = video.bounding_box()
    page.mouse.click(box["x"] + 24, box["y"] + box["height"] - 47)
    page.wait_for_function("() => window.filmPlaying === true", timeout=10000)
    page.wait_for_function("() => document.querySelector('article video').currentTime > 0.3", timeout=10000)
    assert not video.evaluate("v => v.paused")

    tracks = video.evaluate("""v => [...v.textTracks].map(t => ({kind: t.kind, lang: t.language,
        mode: t.mode, cues: t.cues ? [...t.cues].map(c => c.text) : null}))""")
    assert tracks == [{"kind": "subtitles", "lang": "zh", "mode": "showing", "cues": [CUE]}]

    size = (full_repo.path / "exemplars/media/test-film.webm").stat().st_size
    link = page.get_by_role("link", name=re.compile(r"^下载视频（WebM，\d+ KB）$"))
    assert link.inner_text() == f"下载视频（WebM，{round(size / 1024)} KB）"
    assert link.get_attribute("download") is not None
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200 and len(response.body()) == size


def test_the_player_works_from_the_keyboard(page, film_url):
    page.goto(film_url)
    video = page.locator("article video")
    # Tab walks into the player's own controls; the first one is play.
    page.get_by_role("link", name=re.compile("^下载视频")).focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "VIDEO"
    for _ in range(10):  # back out of the controls, before the player
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.tagName") != "VIDEO":
            break
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "VIDEO"
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('article video').currentTime > 0.3", timeout=10000)
    page.keyboard.press("Space")
    assert video.evaluate("v => v.paused")


def test_a_film_without_a_file_says_so(page, site_url):
    page.goto(site_url + "exemplars/videos/xiwang-de-tianye/")
    article = page.locator("article")
    assert article.locator("video").count() == 0
    note = article.locator(".admonition.note")
    assert note.locator(".admonition-title").inner_text() == "暂无视频文件"
    assert "尚未上传" in note.inner_text()
    assert page.get_by_role("link", name=re.compile("下载视频")).count() == 0
