"""The compressing static server Lighthouse measures the site through."""
from __future__ import annotations

import gzip
import threading
import urllib.request

from scripts.dev.gzip_server import make_server


def fetch(url: str, encoding: str | None):
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


def test_text_is_gzipped_for_browsers_that_ask_and_plain_otherwise(tmp_path):
    page = "<p>扎兰屯党建网</p>" * 200
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG fake")
    server = make_server(tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        headers, body = fetch(base + "news/", "gzip, deflate, br")
        assert headers["Content-Encoding"] == "gzip"
        assert len(body) < len(page.encode()) / 10
        assert gzip.decompress(body).decode("utf-8") == page

        headers, body = fetch(base + "news/", None)
        assert headers["Content-Encoding"] is None and body.decode("utf-8") == page

        headers, body = fetch(base + "logo.png", "gzip")
        assert headers["Content-Encoding"] is None and body == b"\x89PNG fake"
    finally:
        server.shutdown()
