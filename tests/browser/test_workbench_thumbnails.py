"""A record reopened in the workbench shows the photos it already has: in
real Chromium, the workbench (`python -m scripts edit`, as `make edit` runs
it) on a copy of the fixture's content with a unit whose 照片 and 更多照片
name photos as the model says (media/photos/x.jpg); its form's thumbnails
are those photos, byte for byte as the workbench's backend sent them, and
the photo library lists them with their thumbnails. The same in the
newsroom's /edit/ (scripts/newsroom/editing.py serves the same page over
the same backend), for an editor signed in.

Before, Decap's image control asked for its thumbnail once, got its blank
placeholder (empty.svg) while the photo was loading, and never asked again
(scripts/editor/cms/workbench.js, ImageControl)."""
from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60_000
UNIT_ID = "suolun-shequ-dangwei"
# Two photos of different shapes: each thumbnail is known by its size too.
PHOTOS = {"media/photos/suolun-1.jpg": ((240, 160), (200, 40, 40)),
          "media/photos/suolun-huodong.jpg": ((150, 225), (30, 90, 170))}
MAIN, MORE = PHOTOS


def photo(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    im = Image.new("RGB", size, colour)
    im.putdata([(colour[0], (x * 7) % 256, (y * 5) % 256) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def repository(repo: Path) -> dict[str, bytes]:
    """A copy of the fixture content plus the unit and its photos; {photo path: bytes}."""
    from tests.conftest import Repo

    repo.mkdir()
    Repo(repo, with_content=True)
    files = {}
    for rel, (size, colour) in PHOTOS.items():
        files[rel] = photo(size, colour)
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(files[rel])
    (repo / f"exemplars/units/{UNIT_ID}.md").write_text(
        "---\nname: 索伦社区党委（样例）\nsector: 社区\n"
        f"photo: {MAIN}\nphoto_alt: 党员在活动室学习\n"
        f"photos:\n  - file: {MORE}\n    alt: 党员入户走访\n---\n\n样例记录。\n", encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def workbench(tmp_path_factory):
    """The workbench on repository(); (address, {path: bytes}); stopped with
    Ctrl+C (SIGINT to its process group)."""
    repo = tmp_path_factory.mktemp("thumbnails") / "repo"
    files = repository(repo)
    log = repo.parent / "edit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(repo), "edit",
                                 "--address", "127.0.0.1:0"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        address, end = None, time.monotonic() + 300
        while address is None:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < end, log.read_text(encoding="utf-8")
            m = re.search(r"编辑工作台：(http://127\.0\.0\.1:\d+/)", log.read_text(encoding="utf-8"))
            address = m and m[1]
            time.sleep(0.2)
        yield address, files
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def image_bytes(img) -> dict:
    """What an <img> shows: its size as decoded and the bytes behind its src."""
    return img.evaluate("""async (e) => {
        const data = new Uint8Array(await (await fetch(e.src)).arrayBuffer());
        const hash = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data)))
            .map(b => b.toString(16).padStart(2, '0')).join('');
        return {src: e.src, size: [e.naturalWidth, e.naturalHeight], sha256: hash};
    }""")


def shown_as(img, expected: tuple, within: float = 30) -> dict:
    """What img shows once it shows the expected (size, sha256), or at the
    end of the wait (Decap's blank placeholder first, while the photo loads)."""
    img.wait_for()
    end = time.monotonic() + within
    while True:
        seen = image_bytes(img)
        if (tuple(seen["size"]), seen["sha256"]) == expected or time.monotonic() > end:
            return seen
        time.sleep(0.25)


def photos_shown(browser, entered, files: dict[str, bytes], shots: str) -> None:
    """entered(page): the page at the CMS's start, after its login; then the
    unit's form and the photo library, as in this module's docstring."""
    sha = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    actions, errors = [], []
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: actions.append(r.request.post_data_json.get("action"))
            if r.url.endswith("/api/v1") and r.request.method == "POST" else None)
    try:
        cms = entered(page)
        ours = urllib.parse.urlsplit(cms).netloc
        page.get_by_role("button", name="进入编辑工作台").click()
        page.get_by_role("link", name="先进典型").first.wait_for()
        opened = time.monotonic()
        page.goto(f"{cms}#/collections/unit/entries/{UNIT_ID}")

        # The form: 照片 first, then 更多照片's one item, in the model's order;
        # each thumbnail decoded, its bytes the photo's on disk.
        thumbnails = page.locator('img[role="presentation"]')
        expected = [(PHOTOS[rel][0], sha[rel]) for rel in (MAIN, MORE)]
        shown = [shown_as(thumbnails.nth(i), e) for i, e in enumerate(expected)]
        assert [(tuple(s["size"]), s["sha256"]) for s in shown] == expected, shown
        assert thumbnails.count() == len(expected)
        print(f"\n{shots}: form opened to both thumbnails shown in {time.monotonic() - opened:.1f} s")
        # From the backend (getMedia's base64, as a blob of this page), not a guessed URL.
        assert all(s["src"].startswith(f"blob:http://{ours}/") for s in shown), shown
        assert "getMedia" in actions, actions
        (ROOT / ".build" / "screenshots").mkdir(parents=True, exist_ok=True)
        thumbnails.first.scroll_into_view_if_needed()
        page.screenshot(path=str(ROOT / ".build" / "screenshots" / f"{shots}.png"))

        # The photo library, opened from 照片: both photos, each with its thumbnail.
        page.get_by_role("button", name="选择其他图片").first.click()
        for rel in (MAIN, MORE):
            name = rel.rsplit("/", 1)[1]
            card = page.locator("div", has=page.get_by_text(name, exact=True)).filter(
                has=page.locator("img")).last
            seen = shown_as(card.locator("img").first, (PHOTOS[rel][0], sha[rel]))
            assert (tuple(seen["size"]), seen["sha256"]) == (PHOTOS[rel][0], sha[rel]), (rel, seen)
            assert seen["src"].startswith(f"blob:http://{ours}/"), seen
        page.screenshot(path=str(ROOT / ".build" / "screenshots" / f"{shots}-library.png"))
    finally:
        context.close()
    assert not errors, errors


def test_a_reopened_record_shows_its_photos_in_the_form_and_the_library(workbench, browser):
    address, files = workbench

    def entered(page):
        page.goto(address)
        return address

    photos_shown(browser, entered, files, "workbench-thumbnails")


def test_the_newsroom_shows_them_too(tmp_path_factory, browser):
    """The same page at the newsroom's /edit/, for an editor (编辑) signed in."""
    from tests.browser.newsroom_server import add_user, newsroom, newsroom_env, serving
    from tests.newsroom.helpers import first_commit

    base = tmp_path_factory.mktemp("thumbnails-newsroom")
    files = repository(base / "repo")
    first_commit(base / "repo")
    env = newsroom_env(base / "repo", base / "data")
    newsroom(env, "init")
    password = add_user(env, "wangwu", "编辑", "王五")
    with serving(env, base / "serve.log") as address:
        def entered(page):
            page.goto(address + "edit/")
            page.get_by_label("账号").fill("wangwu")
            page.get_by_label("密码").fill(password)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(re.compile(r"/edit/"))
            return address + "edit/"

        photos_shown(browser, entered, files, "newsroom-thumbnails")
