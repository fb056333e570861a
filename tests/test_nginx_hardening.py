"""What the generated nginx configuration (scripts/deploy/nginx.conf.j2) says
to requests that are not a reader's: unknown host names get no answer (444,
TLS refused), malformed requests and server errors get Chinese pages with
their own status, a missing page the site's 404; HSTS covers subdomains.
Checked on the wire against Debian's nginx (scripts/dev/nginx_server.py)."""
from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass

import pytest

from scripts.dev import nginx_server

pytestmark = pytest.mark.slow
HOST = "dangjian.test"
# Test-only locations that make nginx answer with a server error, as a full
# disk or a broken upstream would, so that the error pages can be seen.
ERRORS = "".join(f"    location = /zlt-test/{code} {{ return {code}; }}\n" for code in (500, 502, 503, 504))


def set_config(repo, **values: str) -> None:
    for name in ("mkdocs.yml", "网站设置.yml"):    # site_name in the one, site_url in the other
        path = repo.path / name
        text = path.read_text(encoding="utf-8")
        for key, value in values.items():
            text = re.sub(rf"(?m)^{key}:.*$", lambda _: f"{key}: {value}", text)
        path.write_text(text, encoding="utf-8")


def tiny_site(folder):
    """A built site as nginx sees it: a home page and the site's Chinese 404 page."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text('<!doctype html><html lang="zh-CN"><title>首页</title><h1>首页</h1>',
                                       encoding="utf-8")
    (folder / "404.html").write_text('<!doctype html><html lang="zh-CN"><title>页面不存在</title>'
                                     "<h1>页面不存在</h1>", encoding="utf-8")
    (folder / "empty-folder").mkdir()
    return folder


def start(repo, tmp, errors: bool = True):
    instance = nginx_server.prepare(repo.path, tiny_site(tmp / "site"), tmp / "nginx")
    if errors:
        conf = tmp / "nginx" / "zhalantun-dangjian.conf"
        text = conf.read_text(encoding="utf-8")
        anchor = "    location / {\n        try_files"
        assert text.count(anchor) == 1
        conf.write_text(text.replace(anchor, ERRORS + anchor), encoding="utf-8")
    return instance


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import Repo
    tmp = tmp_path_factory.mktemp("hardening")
    (tmp / "repo").mkdir()
    repo = Repo(tmp / "repo", with_content=False)
    set_config(repo, site_url=f"https://{HOST}/")
    instance = start(repo, tmp)
    with nginx_server.running(instance):
        yield instance


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, request: bytes, sni: str | None = HOST, tls: bool = True) -> bytes:
    """Every byte nginx sends back to `request` before it closes the connection."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        if tls:
            sock = ssl._create_unverified_context().wrap_socket(sock, server_hostname=sni)
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data
    finally:
        sock.close()


def answer(data: bytes) -> Answer:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return Answer(int(lines[0].split()[1]), headers, body)


def request(path: str = "/", host: str = HOST, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode("latin-1")


def chinese_page(a: Answer, words: str) -> None:
    assert a.headers["content-type"] == "text/html; charset=utf-8"
    text = a.body.decode("utf-8")
    assert '<html lang="zh-CN">' in text and words in text
    assert "nginx" not in text.lower()


def test_unknown_host_names_get_no_answer(server):
    # The control: the site's own name is answered on both ports.
    assert answer(exchange(server.http_port, request(), tls=False)).status == 301
    assert answer(exchange(server.https_port, request())).status == 200
    # Plain HTTP: another name, or none (HTTP/1.0), is closed without a byte (444).
    assert exchange(server.http_port, request(host="evil.test"), tls=False) == b""
    assert exchange(server.http_port, b"GET / HTTP/1.0\r\n\r\n", tls=False) == b""
    # HTTPS: the handshake is refused without showing the certificate, whether
    # the name is another's or missing (an address: no SNI).
    for sni in ("evil.test", None):
        with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
            exchange(server.https_port, request(), sni=sni)
    # The site's name in the handshake but another in Host: closed too.
    assert exchange(server.https_port, request(host="evil.test")) == b""


@pytest.mark.parametrize("raw", [
    request(extra="Not a header line\r\n"),
    request(extra="Host: another.test\r\n"),         # two Host headers
    request("/%zz"),                                  # a broken escape in the request line
    b"GARBAGE\r\n\r\n",
], ids=["header", "two hosts", "escape", "garbage"])
def test_malformed_requests_get_the_chinese_400_page(server, raw):
    a = answer(exchange(server.https_port, raw))
    assert a.status == 400
    chinese_page(a, "请求有误")
    assert a.headers["content-security-policy"].startswith("default-src 'self'")
    assert a.headers["x-content-type-options"] == "nosniff"
    # On plain HTTP, before any name is known too.
    a = answer(exchange(server.http_port, raw, tls=False))
    assert a.status == 400
    chinese_page(a, "请求有误")


def test_plain_http_sent_to_the_https_port_is_redirected(server):
    a = answer(exchange(server.https_port, request("/news/?page=2"), tls=False))
    assert a.status == 301
    assert a.headers["location"] == f"https://{HOST}:{server.https_port}/news/?page=2"


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_get_the_chinese_page_and_keep_their_status(server, code):
    a = answer(exchange(server.https_port, request(f"/zlt-test/{code}")))
    assert a.status == code
    chinese_page(a, "服务器暂时出错")
    assert a.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_missing_pages_and_folders_get_the_sites_404(server):
    site_404 = (server.folder.parent / "site" / "404.html").read_bytes()
    for path in ("/no/such/page/", "/empty-folder/", "/zlt-errors/400.html", "/zlt-errors/500.html"):
        a = answer(exchange(server.https_port, request(path)))
        assert (a.status, a.body) == (404, site_404), path
        assert a.headers["content-type"] == "text/html; charset=utf-8"
        assert a.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_a_site_name_nginx_would_read_as_code_is_shown_as_written(repo, tmp_path):
    # ' and " end strings, $host is a variable, \ an escape: all must stay text.
    set_config(repo, site_url=f"https://{HOST}/", site_name="'党建''网\"$host\\y<b>'")
    instance = start(repo, tmp_path, errors=False)
    with nginx_server.running(instance):
        a = answer(exchange(instance.https_port, request(extra="Bad line\r\n")))
    assert a.status == 400
    chinese_page(a, "请求有误")
    assert "返回党建&#39;网&#34;&#36;host&#92;y&lt;b&gt;首页" in a.body.decode("utf-8")
