"""The newsroom as a server runs it: the files `deploy-config` generates,
Debian's nginx with the generated server blocks (on free ports of 127.0.0.1,
a self-signed certificate), gunicorn started with the generated unit's own
command and settings on a unix socket, SQLite in a tmp data folder. Checked
over HTTPS on the wire: headers, static files from nginx, a login with its
CSRF token through the proxy, forged origins, unknown hosts, the upload limit."""
from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.dev import nginx_server
from scripts.newsroom import serverconf
from tests.conftest import ROOT, Repo
from tests.newsroom.helpers import first_commit, hand_reviewed_to_drafts

pytestmark = pytest.mark.slow
HOST = "newsroom.test"
PASSWORD = re.compile(r"密码：(\S+)")


def run(env, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "scripts.newsroom", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return done.stdout


def unit_value(unit: str, key: str) -> str:
    values = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(key + "=")]
    assert len(values) == 1, (key, values)
    return values[0]


def env_file(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []


def fetch(port: int, method: str, path: str, headers: dict | None = None, body: bytes = b"",
          sni: str = HOST, host: str | None = None, length: int | None = None) -> Answer:
    """One HTTPS request with the SNI and Host a browser would send (http.client
    sends no SNI for 127.0.0.1, which the configuration refuses)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock = ssl._create_unverified_context().wrap_socket(sock, server_hostname=sni)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host or f'{HOST}:{port}'}", "Connection: close",
                 f"Content-Length: {len(body) if length is None else length}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return Answer(response.status, response.headers, response.read())
    finally:
        sock.close()


def cookie(answer: Answer, name: str) -> tuple[str, str]:
    """(value, the whole Set-Cookie line) of cookie `name`."""
    for line in answer.all("Set-Cookie"):
        if line.startswith(name + "="):
            return line.split(";", 1)[0].split("=", 1)[1], line
    raise AssertionError(f"no cookie {name} in {answer.all('Set-Cookie')}")


@dataclass
class Stack:
    port: int
    http_port: int
    static: Path
    password: str
    generated: dict[str, str]     # what the command line wrote, with the server's defaults


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newsroom-server")
    root, data, static, folder = tmp / "repo", tmp / "data", tmp / "static", tmp / "nginx"
    root.mkdir()
    Repo(root, with_content=True)
    hand_reviewed_to_drafts(root)      # pages in the preview after init (helpers.py)
    first_commit(root)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / name).mkdir(parents=True)
    cert, key = nginx_server.self_signed(folder, HOST)
    sock = tmp / "gunicorn.sock"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}

    # The administrator's command, with the server's ports.
    out = run(base, "deploy-config", "--out", str(tmp / "generated"), "--server-name", HOST, "--data", str(data),
              "--repo", str(root), "--static", str(static), "--socket", str(sock),
              "--certificate", str(cert), "--certificate-key", str(key))
    assert "只经 HTTPS" in out
    generated = {p.name: p.read_text(encoding="utf-8") for p in (tmp / "generated").iterdir()}
    assert ((tmp / "generated" / "zhalantun-newsroom.env").stat().st_mode & 0o777) == 0o600

    # The same deployment on free ports of 127.0.0.1, as scripts/dev/nginx_server.py does for the site.
    http_port, https_port = nginx_server.free_port(), nginx_server.free_port()
    preview_port = nginx_server.free_port()
    dep = serverconf.Deployment(server_name=HOST, data=data, repo=root, static=static, socket=str(sock), workers=2,
                                certificate=str(cert), certificate_key=str(key), http_port=http_port,
                                https_port=https_port, listen="127.0.0.1", ipv6=False,
                                preview=f"127.0.0.1:{preview_port}")
    serverconf.write(dep, folder / "conf.d")
    files = {p.name: p.read_text(encoding="utf-8") for p in (folder / "conf.d").iterdir()}
    env = {**base, **env_file(files["zhalantun-newsroom.env"])}
    # The service's HOME is the data folder; the tests' git needs no more.
    assert env["NEWSROOM_URL"] == f"https://{HOST}:{https_port}/"
    run(env, "init")
    password = PASSWORD.search(run(env, "user", "add", "zhangsan", "--roles", "初审", "--full-name", "张三")).group(1)
    assert (static / "newsroom" / "newsroom.css").is_file() and (static / "admin" / "css" / "base.css").is_file()

    unit = files["zhalantun-newsroom.service"]
    # The live preview with its own unit's command (preview.py): the pages behind /preview/.
    preview_unit = files["zhalantun-newsroom-preview.service"]
    preview = subprocess.Popen(shlex.split(unit_value(preview_unit, "ExecStart")), env=base,
                               cwd=unit_value(preview_unit, "WorkingDirectory"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    gunicorn = subprocess.Popen(shlex.split(unit_value(unit, "ExecStart")), env=env,
                                cwd=unit_value(unit, "WorkingDirectory"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    instance = nginx_server.Instance(folder, http_port, https_port, files["zhalantun-newsroom.conf"])
    (folder / "nginx.conf").write_text(nginx_server.main_config(folder, folder / "conf.d" / "*.conf"),
                                       encoding="utf-8")
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            assert gunicorn.poll() is None and time.monotonic() < deadline, gunicorn.stderr.read()
            time.sleep(0.1)
        while socket.socket().connect_ex(("127.0.0.1", preview_port)) != 0:
            assert preview.poll() is None and time.monotonic() < deadline + 270, "the preview did not start"
            time.sleep(0.2)
        with nginx_server.running(instance):
            yield Stack(https_port, http_port, static, password, generated)
    finally:
        os.killpg(preview.pid, signal.SIGTERM)
        preview.wait(20)
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        gunicorn.stderr.close()
    assert not sock.exists()   # gunicorn gone, its socket with it


def test_generated_files(stack, tmp_path):
    g = stack.generated
    unit = g["zhalantun-newsroom.service"]
    assert unit_value(unit, "User") == "zlt-newsroom"
    for line in ("NoNewPrivileges=true", "ProtectSystem=strict", "PrivateTmp=true", "ProtectHome=true",
                 "EnvironmentFile=/etc/zhalantun-newsroom/zhalantun-newsroom.env", "Requires=zhalantun-newsroom.socket"):
        assert line in unit.splitlines(), line
    writable = unit_value(unit, "ReadWritePaths").split()
    env = env_file(g["zhalantun-newsroom.env"])
    assert {env["NEWSROOM_DATA"], env["NEWSROOM_REPO"], env["NEWSROOM_STATIC"]} <= set(writable)
    command = shlex.split(unit_value(unit, "ExecStart"))
    workers = int(command[command.index("--workers") + 1])
    assert workers == serverconf.default_workers() and 3 <= workers <= serverconf.MAX_WORKERS
    assert command[command.index("--bind") + 1] == "unix:" + unit_value(g["zhalantun-newsroom.socket"], "ListenStream")
    assert env["NEWSROOM_URL"] == f"https://{HOST}/"
    site = g["zhalantun-newsroom.conf"]
    assert not re.search(r"(?m)^\s*listen .*default_server", site) and f"server_name {HOST};" in site
    assert f"client_max_body_size {serverconf.max_body_mb()}m;" in site
    assert "listen 443 ssl http2;" in site and f"return 301 https://{HOST}$request_uri;" in site
    assert re.search(r"(?m)^\s*listen 443 ssl http2 default_server;", g["zhalantun-newsroom-default.conf"])
    # Debian's nginx accepts the files as generated for ports 80 and 443.
    (tmp_path / "conf.d").mkdir()
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / name).mkdir(parents=True)
    for name in ("zhalantun-newsroom.conf", "zhalantun-newsroom-default.conf"):
        (tmp_path / "conf.d" / name).write_text(g[name], encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(nginx_server.main_config(tmp_path, tmp_path / "conf.d" / "*.conf"),
                                         encoding="utf-8")
    checked = subprocess.run([nginx_server.nginx_binary(), "-t", "-p", f"{tmp_path}/", "-e",
                              str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    # systemd parses the units: an unknown or misspelt setting is reported (and ignored by systemd).
    if shutil.which("systemd-analyze"):
        units = tmp_path / "units"
        units.mkdir()
        for name in ("zhalantun-newsroom.service", "zhalantun-newsroom.socket", "zhalantun-newsroom-preview.service"):
            (units / name).write_text(g[name], encoding="utf-8")
        verified = subprocess.run(["systemd-analyze", "verify", *(str(p) for p in sorted(units.iterdir()))],
                                  capture_output=True, text=True, cwd=units, timeout=60)
        assert "zhalantun-newsroom" not in verified.stdout + verified.stderr, verified.stderr


def test_login_page_and_headers(stack):
    page = fetch(stack.port, "GET", "/login/")
    assert page.status == 200 and "登录" in page.body.decode()
    assert page.all("X-Frame-Options") == ["DENY"]          # one, not Django's and nginx's
    assert page.all("X-Content-Type-Options") == ["nosniff"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "nginx/" not in (page.headers["Server"] or "")
    # Plain HTTP is sent to HTTPS.
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/login/", headers={"Host": HOST})
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == f"https://{HOST}:{stack.port}/login/"
    conn.close()


def test_static_files_come_from_nginx(stack):
    for path in ("newsroom/newsroom.css", "admin/css/base.css"):
        answer = fetch(stack.port, "GET", f"/static/{path}")
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/css")
        assert answer.body == (stack.static / path).read_bytes()
        assert answer.headers["Cache-Control"] == "public, max-age=300"   # nginx's, not Django's
        assert answer.headers["Strict-Transport-Security"] and answer.all("X-Frame-Options") == ["DENY"]
    assert fetch(stack.port, "GET", "/static/").status in (403, 404)     # no listing


def _login_form(port):
    page = fetch(port, "GET", "/login/")
    csrf, _ = cookie(page, "newsroom_csrf")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode()).group(1)
    return csrf, token


def _signed_in(stack) -> str:
    """The session cookie of zhangsan (初审), signed in through nginx."""
    csrf, token = _login_form(stack.port)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "zhangsan",
                                   "password": stack.password}).encode()
    answer = fetch(stack.port, "POST", "/login/", {
        "Cookie": f"newsroom_csrf={csrf}", "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"https://{HOST}:{stack.port}", "Referer": f"https://{HOST}:{stack.port}/login/"}, form)
    assert answer.status == 302, answer.body.decode()
    return f"newsroom_session={cookie(answer, 'newsroom_session')[0]}"


def test_the_preview_through_nginx_may_be_framed_by_the_newsroom_only(stack):
    session = _signed_in(stack)
    page = fetch(stack.port, "GET", "/preview/exemplars/units/moguqi-dangwei/", {"Cookie": session})
    assert page.status == 200 and "<h1" in page.body.decode()
    assert page.all("X-Frame-Options") == ["SAMEORIGIN"]          # nginx's, one
    policies = page.all("Content-Security-Policy")
    assert len(policies) == 1 and "frame-ancestors 'self'" in policies[0] and "script-src 'self'" in policies[0]
    assert page.all("X-Content-Type-Options") == ["nosniff"] and page.headers["Strict-Transport-Security"]
    logo = fetch(stack.port, "GET", "/preview/assets/zlt/logo.svg", {"Cookie": session, "Range": "bytes=0-9"})
    assert logo.status == 206 and len(logo.body) == 10
    # Every other page of the newsroom: framed by nobody.
    mine = fetch(stack.port, "GET", "/mine/", {"Cookie": session})
    assert mine.status == 200 and mine.all("X-Frame-Options") == ["DENY"]
    assert "frame-ancestors 'none'" in mine.headers["Content-Security-Policy"]
    assert fetch(stack.port, "GET", "/preview/").status == 302                       # the login first


def test_login_through_the_proxy(stack):
    csrf, token = _login_form(stack.port)
    origin = f"https://{HOST}:{stack.port}"
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "zhangsan",
                                   "password": stack.password}).encode()
    headers = {"Cookie": f"newsroom_csrf={csrf}", "Content-Type": "application/x-www-form-urlencoded",
               "Referer": origin + "/login/"}
    forged = fetch(stack.port, "POST", "/login/", {**headers, "Origin": "https://evil.example"}, form)
    assert forged.status == 403 and not any(c.startswith("newsroom_session=") for c in forged.all("Set-Cookie"))
    # Without Origin, Django checks the Referer of a secure request only: that it
    # does shows the request was known to be HTTPS (X-Forwarded-Proto from nginx).
    forged = fetch(stack.port, "POST", "/login/", {**headers, "Referer": "https://evil.example/login/"}, form)
    assert forged.status == 403
    answer = fetch(stack.port, "POST", "/login/", {**headers, "Origin": origin}, form)
    assert answer.status == 302, answer.body.decode()
    session, line = cookie(answer, "newsroom_session")
    assert "; Secure" in line and "; HttpOnly" in line
    mine = fetch(stack.port, "GET", answer.headers["Location"], {"Cookie": f"newsroom_session={session}"})
    assert mine.status == 200 and "我的稿件" in mine.body.decode()
    assert fetch(stack.port, "GET", answer.headers["Location"]).status == 302     # without it: to the login


def test_unknown_hosts_are_refused(stack):
    with pytest.raises(ssl.SSLError):
        fetch(stack.port, "GET", "/login/", sni="evil.example", host="evil.example")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        fetch(stack.port, "GET", "/login/", host="evil.example")      # right SNI, wrong Host: 444
    assert fetch(stack.port, "GET", "/login/").status == 200


def test_upload_limit(stack):
    limit = serverconf.max_body_mb() * 1024 * 1024
    over = fetch(stack.port, "POST", "/login/", {"Content-Type": "application/octet-stream"}, b"x" * 1024,
                 length=limit + 1)
    assert over.status == 413 and "文件过大" in over.body.decode()
    assert over.all("X-Frame-Options") == ["DENY"] and over.headers["Strict-Transport-Security"]
    # A body well inside the limit reaches the newsroom (which refuses it for its missing CSRF token).
    inside = fetch(stack.port, "POST", "/login/", {"Content-Type": "application/octet-stream"}, b"x" * 1024 * 1024)
    assert inside.status == 403


@pytest.mark.parametrize("args, message", [
    (("--server-name", "_"), "--server-name“_”不可用"),
    (("--server-name", HOST, "--socket", "0.0.0.0:8000"), "只能监听 unix 套接字或 127.0.0.1:端口"),
    (("--server-name", HOST, "--data", "relative/data"), "应为绝对路径"),
    (("--server-name", HOST, "--static", "/var/lib/zhalantun-newsroom/static"), "不能在数据目录"),
    (("--server-name", HOST, "--data", str(ROOT / "data")), "不能放在仓库或网站目录"),
    ((), "请用 --server-name 指定"),
])
def test_bad_deploy_settings_are_said_in_chinese(tmp_path, args, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    done = subprocess.run([sys.executable, "-m", "scripts.newsroom", "deploy-config", "--out", str(tmp_path / "out"),
                           "--repo", str(ROOT), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
