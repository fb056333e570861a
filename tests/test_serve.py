"""The live preview, for real: `python -m scripts serve` on a free port, a
record edited on disk, the page polled until the change is served.

The time from saving to the changed page is recorded (printed, and written to
.build/bench/serve.txt; `make bench` shows it), not asserted: timings on a
shared machine are noisy. The target is 2 s or less at the shipped size.
"""
from __future__ import annotations

import io
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from scripts.editor.ports import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
UNIT = "exemplars/units/moguqi-dangwei.md"


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, text: str, timeout: float) -> float | None:
    """Seconds until `text` is on the page at url, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in fetch(url):
            return time.monotonic() - start
        time.sleep(0.05)
    return None


@pytest.fixture
def server(full_repo):
    port = free_port()
    log = open(full_repo.path / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts", "--root", str(full_repo.path), "serve",
         "--address", f"127.0.0.1:{port}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    base = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(base + UNIT[:-3] + "/", "蘑菇气党委", 120) is not None, \
            (full_repo.path / "serve.log").read_text()
        yield full_repo, base
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_saved_record_is_served_and_a_new_draft_shows_with_its_banner(server):
    repo, base = server
    path = repo.path / UNIT
    original = path.read_text(encoding="utf-8")
    times = []
    for n in range(5):
        marker = f"预览测试第{n}次修改"
        path.write_text(original.replace("## 基本情况", f"## 基本情况\n\n{marker}。"), encoding="utf-8")
        took = wait_for(base + UNIT[:-3] + "/", marker, 30)
        assert took is not None, f"第 {n} 次修改没有出现在预览中：\n" + (repo.path / "serve.log").read_text()
        times.append(took)
        time.sleep(0.3)

    # A draft: shown in the preview, with the banner, and in its section's list.
    repo.write("exemplars/units/xin-dangzhibu.md", "---\nname: 新建测试党支部\nsector: 社区\n---\n正文。\n")
    took = wait_for(base + "exemplars/units/xin-dangzhibu/", "尚未发布", 30)
    assert took is not None, (repo.path / "serve.log").read_text()
    assert wait_for(base + "exemplars/units/", "新建测试党支部", 10) is not None

    note = (f"serve: save → page served, {len(times)} edits of {UNIT} at the shipped size: "
            f"median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
            f"new draft page {took:.2f} s (target ≤ 2 s)\n")
    bench = ROOT / ".build" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    (bench / "serve.txt").write_text(note, encoding="utf-8")
    print("\n" + note)


def test_an_address_in_use_is_a_chinese_message(repo):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "serve",
                               "--address", f"127.0.0.1:{port}"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 1
    assert "无法使用" in done.stderr and "Traceback" not in done.stderr


def request(url: str, host: str | None) -> tuple[int, str]:
    """(status, body) of a GET with the Host header given (None: none at all)."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("GET", parts.path or "/", skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8")
    finally:
        conn.close()


def test_only_the_previews_own_address_is_served_against_dns_rebinding(server):
    """A page of another site that makes its name point at 127.0.0.1 sends its
    own name as Host: it must not read the drafts and notes the preview shows."""
    repo, base = server
    port = base.rsplit(":", 1)[1].strip("/")
    page = base + UNIT[:-3] + "/"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        status, body = request(page, host)
        assert status == 200 and "蘑菇气党委" in body, host
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1:{int(port) + 1}",
                 f"localhost.attacker.example:{port}", "", None):
        status, body = request(page, host)
        assert status == 403 and "只接受本机预览地址的请求" in body and "蘑菇气" not in body, host
    # The live-reload poll too (it tells when a page changed).
    status, _ = request(base + "livereload/1/1", f"attacker.example:{port}")
    assert status == 403


def test_frame_policy_lets_only_the_workbench_frame_the_preview():
    from scripts.editor.preview_server import allowed_host
    from scripts.editor.serve import frame_policy

    assert frame_policy(None) == []
    ((name, value),) = frame_policy("http://127.0.0.1:8080")
    assert name == "Content-Security-Policy"
    assert value == "frame-ancestors http://127.0.0.1:8080 http://localhost:8080"
    assert allowed_host("[::1]:8000", 8000) and allowed_host("192.168.1.5:8000", 8000)
    assert not allowed_host("[::1]:8001", 8000) and not allowed_host("evil.com:8000", 8000)


BOMB = ROOT / "tests" / "hostile" / "content" / "bomb-png" / "media" / "bomb.png"


def test_a_bad_photo_or_a_broken_template_never_stops_the_preview(server):
    """A save that breaks the rebuild (a decompression bomb, a template that
    raises) is shown on every page; the server answers all along, and the
    next good save brings the page back."""
    repo, base = server
    page = base + UNIT[:-3] + "/"
    log = repo.path / "serve.log"
    path = repo.path / UNIT
    original = path.read_text(encoding="utf-8")

    # 1. A record names a photo that claims 60000×60000 pixels.
    repo.write("media/bomb.png", BOMB.read_bytes())
    path.write_text(original.replace("featured: true\n", "featured: true\nphoto: media/bomb.png\n"
                                     "photo_alt: 党员大会\n"), encoding="utf-8")
    assert wait_for(page, "照片过大：60000×60000 像素", 30) is not None, log.read_text()
    assert "Traceback" not in log.read_text() and "DecompressionBomb" not in log.read_text()
    assert "蘑菇气党委" in fetch(page)          # the last good content, under the banner
    # The photo is put right (a real one, small): the page shows it, the banner goes.
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(buf, "PNG")
    repo.write("media/bomb.png", buf.getvalue())
    # (media/ did not exist when the preview started, so it is not watched: save the record too)
    path.write_text(original.replace("featured: true\n", "featured: true\nphoto: media/bomb.png\n"
                                     "photo_alt: 党员大会合影\n"), encoding="utf-8")
    assert wait_for(page, 'alt="党员大会合影"', 30) is not None, log.read_text()
    assert "zlt-preview-problems" not in fetch(page)

    # 2. Any fault of a rebuild (here a template that raises while rendering).
    template = repo.path / "templates" / "unit" / "single.md.j2"
    good = template.read_text(encoding="utf-8")
    template.write_text("{{ 1 // 0 }}\n" + good, encoding="utf-8")
    assert wait_for(page, "预览生成时出错", 30) is not None, log.read_text()
    assert "ZeroDivisionError" in fetch(page)
    template.write_text(good, encoding="utf-8")
    marker = "预览恢复后的修改"
    path.write_text(original.replace("## 基本情况", f"## 基本情况\n\n{marker}。"), encoding="utf-8")
    assert wait_for(page, marker, 30) is not None, log.read_text()
    assert "zlt-preview-problems" not in fetch(page)


def served(url: str, host: str) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET with the Host given."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path, headers={"Host": host})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8")
    finally:
        conn.close()


@pytest.mark.parametrize("reload", [True, False])
def test_pages_load_the_poller_as_a_file_carry_the_frame_policy_and_a_stop_leaves_nothing(
        repo, tmp_path_factory, reload):
    """The poller is a file (the pages' policy forbids inline script), or absent
    with --no-reload; every answer, the 404 page too, carries the frame policy
    of --framed-by; stopping the preview (SIGTERM) removes the site it built."""
    port = free_port()
    scratch = tmp_path_factory.mktemp("scratch")
    log = open(repo.path / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts", "--root", str(repo.path), "serve", "--address", f"127.0.0.1:{port}",
         "--framed-by", "http://127.0.0.1:8080", *([] if reload else ["--no-reload"])],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(scratch)})
    base = f"http://127.0.0.1:{port}/"
    host = f"127.0.0.1:{port}"
    policy = "frame-ancestors http://127.0.0.1:8080 http://localhost:8080"
    try:
        assert wait_for(base, "</html>", 120) is not None, (repo.path / "serve.log").read_text()
        status, headers, page = served(base, host)
        assert status == 200 and headers["content-security-policy"] == policy
        assert "livereload(" not in page                  # no inline copy of mkdocs' poller
        tag = re.search(r'<script src="/_zlt/livereload.js" data-epoch="\d+" data-request="\d+"></script>', page)
        assert bool(tag) == reload, page[-500:]
        status, headers, script = served(base + "_zlt/livereload.js", host)
        assert status == 200 and headers["content-type"].startswith("text/javascript")
        assert "livereload(+s.dataset.epoch, +s.dataset.request)" in script
        assert headers["content-security-policy"] == policy
        status, headers, missing = served(base + "no/such/page/", host)
        assert status == 404 and "</html>" in missing and headers["content-security-policy"] == policy
        assert any(scratch.iterdir())                     # the site being served
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    assert not any(scratch.iterdir()), list(scratch.iterdir())


def test_a_failed_build_of_the_site_is_shown_on_its_pages_until_put_right(server):
    """What breaks mkdocs itself (a theme template, mkdocs.yml) rather than the
    records: the server answers all along, with the fault on every page, and
    the next good build takes it away."""
    repo, base = server
    page = base + UNIT[:-3] + "/"
    log = repo.path / "serve.log"
    path = repo.path / UNIT
    original = path.read_text(encoding="utf-8")

    # 1. A theme override that does not compile, met by the next build.
    main = repo.path / "templates" / "overrides" / "main.html"
    good = main.read_text(encoding="utf-8")
    main.write_text(good + "\n{% if %}\n", encoding="utf-8")
    path.write_text(original.replace("## 基本情况", "## 基本情况\n\n主题出错时的修改。"), encoding="utf-8")
    assert wait_for(page, "网站预览构建时出错", 30) is not None, log.read_text()
    assert "TemplateSyntaxError" in fetch(page) and "蘑菇气党委" in fetch(page)
    main.write_text(good, encoding="utf-8")
    path.write_text(original.replace("## 基本情况", "## 基本情况\n\n主题修好后的修改。"), encoding="utf-8")
    assert wait_for(page, "主题修好后的修改", 30) is not None, log.read_text()
    assert "zlt-preview-problems" not in fetch(page)

    # 2. mkdocs.yml itself, which the server reads again on every build.
    config = repo.path / "mkdocs.yml"
    settings = config.read_text(encoding="utf-8")
    config.write_text(settings.replace("site_name:", "site_name: [", 1), encoding="utf-8")
    assert wait_for(page, "网站预览构建时出错", 30) is not None, log.read_text()
    config.write_text(settings, encoding="utf-8")
    end = time.monotonic() + 30
    while "zlt-preview-problems" in (shown := fetch(page)) and time.monotonic() < end:
        time.sleep(0.1)
    assert "zlt-preview-problems" not in shown and "主题修好后的修改" in shown, log.read_text()
    assert "Traceback" not in log.read_text()
