"""`make edit`: the editors' workbench, one command, on 127.0.0.1 only.

It starts two things and stops them together on Ctrl+C:
- the live preview (serve.py), which shows every record's real page;
- this server: Decap CMS's page, its script (from tools/decap/node_modules,
  never a CDN), the forms generated from the model (decap.py), the
  workbench's own widgets and preview pane (cms/workbench.js), and the API:
  Decap's file backend (files.py: the record and media files only, written
  atomically) and /api/record, which answers, for the preview pane, a
  record's problems from the project's own check and the address of its
  page in the live preview.

Only requests from the workbench's own page are served (Host and Origin
checked): another site open in the same browser, even through DNS
rebinding, cannot read or write the repository through it; the page cannot
be framed. Every request gets an answer, a bad one a JSON error in Chinese;
a connection that stalls is closed.
"""
from __future__ import annotations

import html
import http.client
import http.server
import json
import logging
import mimetypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path, PurePosixPath

from ..check import check_repository
from ..records.schema import schema_for
from .bridge import Bridge
from ..site_config import site_config
from .decap import CMS_DIR, MAX_FILE, MAX_FILE_MB, WORKBENCH, WORKBENCH_LOGO, config_text
from .files import ApiError, Files
from .new import pinyin_id, unique_id
from .ports import free_port
from .serve import STATE_FILE, address_free, caught_up

log = logging.getLogger("zlt")
PROJECT = Path(__file__).resolve().parents[2]
DECAP_DIR = PROJECT / "tools" / "decap"
DECAP_DIST = DECAP_DIR / "node_modules" / "decap-cms" / "dist"
CMS_FILES = {"/": "index.html", "/init.js": "init.js", "/workbench.js": "workbench.js",
             "/workbench.css": "workbench.css"}
DIST_FILE = re.compile(r"/((?:\d+\.)?decap-cms\.js)")
# A save carries every photo added to the record since the last one (a
# gallery: several), each at most MAX_FILE, base64-encoded (4/3).
FILES_PER_SAVE = 5
MAX_BODY = FILES_PER_SAVE * (MAX_FILE * 4 // 3 + 4) + 1024 * 1024
REQUEST_TIMEOUT = 30            # seconds a connection may stay silent
BODY_DEADLINE = 300             # seconds for a whole request body, however it trickles
# Every answer: not framed (clickjacking), not sniffed, not cached, no referrer.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The CMS page, as tight as Decap runs: its bundle compiles the config's
# JSON schema with `new Function` (ajv) and styles with injected <style>
# (emotion); an upload is read back from its blob: URL to be sent, and shown
# from it; the preview pane frames the live preview (another port of
# 127.0.0.1). Measured in Chromium: without any of these, Decap breaks.
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' blob: data:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self' blob:; "
               "frame-src 'self' {preview}; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")


def page_policy(preview: str = "") -> str:
    """The CMS page's policy; preview: the live preview's origin it frames ("" none)."""
    return PAGE_POLICY.format(preview=preview.rstrip("/")).replace(" ;", ";")


def cms_file(name: str) -> tuple[Path, str] | None:
    """The CMS page's file for a path under the page's own address ("" the
    page itself, "init.js", "decap-cms.js", "12.decap-cms.js"…) and its media
    type; None for any other name. The workbench and the newsroom's editing
    page (scripts/newsroom/editing.py) serve these same files."""
    key = "/" + name
    if key in CMS_FILES:
        path = CMS_DIR / CMS_FILES[key]
        return path, (mimetypes.guess_type(path.name)[0] or "text/html") + "; charset=utf-8"
    m = DIST_FILE.fullmatch(key)
    if m and (DECAP_DIST / m[1]).is_file():
        return DECAP_DIST / m[1], "text/javascript; charset=utf-8"
    return None


STATUS_WORDS = {400: "请求无法识别", 404: "找不到", 408: "请求超时", 411: "请求缺少 Content-Length",
                413: "请求过大", 414: "请求的地址过长", 431: "请求头过大", 501: "不支持这种请求"}


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _site_identity(root: Path) -> tuple[str, Path | None]:
    """The site's name and its logo file (mkdocs.yml theme.logo, in content/
    or the theme's custom_dir), for the workbench's page."""
    try:
        config = site_config(root)
    except Exception:       # a broken mkdocs.yml: the preview names it
        config = {}
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    logo, found = str(theme.get("logo") or ""), None
    for folder in ("content", str(theme.get("custom_dir") or "")):
        path = (root / folder / logo) if folder and logo else None
        if path is not None and path.suffix.lower() in (".svg", ".png", ".jpg", ".jpeg", ".webp") \
                and path.is_file() and not path.is_symlink():
            found = path
            break
    return str(config.get("site_name") or "网站"), found


class Workbench:
    """The state the request handlers share."""

    def __init__(self, root: Path, preview_url: str):
        self.root, self.preview_url = root, preview_url
        self.schema = schema_for(root)
        self.bridge = Bridge(root, self.schema)
        self.files = Files(root, self.schema, self.bridge, settings=True)
        self.config = config_text(root, **WORKBENCH)
        self.site_name, self.logo = _site_identity(root)
        self._checked: tuple[float, list] = (-1.0, [])
        self._check_lock = threading.Lock()

    # --- the preview pane ---------------------------------------------------------

    def preview_state(self) -> dict:
        try:
            return json.loads((self.root / ".build" / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def problems(self, state: dict) -> list:
        """The project's check, once per state of the preview (which follows
        every change of the files)."""
        key = state.get("regenerated", 0.0)
        with self._check_lock:
            if self._checked[0] != key:
                self._checked = (key, check_repository(self.root)[1])
            return self._checked[1]

    def record(self, rel: str) -> dict:
        kind = self.schema.kind_for_path(rel)
        state = self.preview_state()
        ready = caught_up(state, self.bridge.last_write(rel))
        out = {"path": rel, "ready": ready, "url": self.page_url(rel) if kind else "",
               "exists": (self.root / rel).is_file()}
        if ready:
            found = self.problems(state)
            out["problems"] = [{"line": p.line, "field": p.field, "message": p.message, "level": p.level}
                               for p in found if p.path == rel]
            out["elsewhere"] = sum(p.level == "error" and p.path != rel for p in found)
        return out

    def page_url(self, rel: str) -> str:
        """The address of a record's page in the live preview (for a kind
        without pages of its own: its list page, at the record's anchor)."""
        from ..render.pagination import page_holding
        from ..records.loader import read_repository

        kind, rid = self.schema.kind_for_path(rel), PurePosixPath(rel).stem
        if not kind.is_list_file:
            doc = kind.doc_path(rid)
            return self.preview_url + doc[: -len(".md")].removesuffix("index") + ("" if doc.endswith("index.md") else "/")
        items = sorted((r for r in read_repository(self.root, self.schema).records if r.kind is kind),
                       key=kind.listing.sort_key)
        doc = page_holding(items, kind.list_path, kind.listing.page_size, rid)
        folder = doc[: -len("index.md")] if doc.endswith("index.md") else doc[: -len(".md")] + "/"
        return f"{self.preview_url}{folder}#{rid}"

    def new_id(self, kind: str, name: str) -> str:
        records = self.bridge.records([])
        return unique_id(pinyin_id(name), {r["id"] for r in records}) if name.strip() else ""


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that closed its tab mid-request is no error; anything else
        is logged once, without a traceback in the editor's terminal."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            log.error("工作台处理请求时出错：%s", error)
            log.debug("", exc_info=True)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "zlt-workbench"
    sys_version = ""
    timeout = REQUEST_TIMEOUT      # a silent connection is closed (socket timeout)
    bench: Workbench

    def log_message(self, fmt, *args):
        log.debug(fmt, *args)

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _ours(self) -> bool:
        """Only the workbench's own page: its Host (no DNS rebinding) and its
        Origin when the browser sends one (no other site posting into the
        repository)."""
        host = self.headers.get("Host", "")
        port = self.server.server_address[1]
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return False
        origin = self.headers.get("Origin")
        return origin is None or origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}")

    def _send(self, status: int, body: bytes, kind: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": API_POLICY, **(extra or {})}
        for k, v in headers.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def send_error(self, code, message=None, explain=None):
        """The HTTP parser's own refusals (a malformed request line or header),
        in the workbench's words, as JSON."""
        self.close_connection = True
        self.request_version = "HTTP/1.0"      # answered with headers, even a line HTTP/0.9 would allow
        if not hasattr(self, "headers"):
            self.headers = http.client.HTTPMessage()
        self._json(code, {"error": STATUS_WORDS.get(code, "请求无法识别")})

    def _refused(self) -> None:
        self._json(403, {"error": "只接受本机编辑工作台页面的请求"})

    def do_GET(self):
        if not self._ours():
            return self._refused()
        try:
            self._get()
        except ApiError as e:
            self._json(e.status, {"error": str(e)})
        except (ConnectionError, TimeoutError):
            raise
        except Exception as e:                   # never a traceback to the browser
            log.error("工作台处理请求时出错：%s", e)
            log.debug("", exc_info=True)
            self._json(500, {"error": f"工作台出错了（{type(e).__name__}），请把这条消息发给技术人员"})

    def _get(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        bench = self.bench
        found = cms_file(url.path[1:]) if url.path.startswith("/") else None
        if found and url.path in CMS_FILES:
            extra = {"Content-Security-Policy": page_policy(bench.preview_url)}
            body = found[0].read_bytes()
            if url.path == "/":
                # The site's own name in the tab, not the file's stand-in.
                title = f"<title>{html.escape(bench.site_name)} · 编辑工作台</title>".encode("utf-8")
                body = re.sub(rb"<title>[^<]*</title>", lambda _: title, body, count=1)
            return self._send(200, body, found[1], extra)
        if url.path == "/" + WORKBENCH_LOGO:
            if bench.logo is None:
                return self._send(204, b"", "image/svg+xml")
            return self._send(200, bench.logo.read_bytes(),
                              mimetypes.guess_type(bench.logo.name)[0] or "application/octet-stream")
        if url.path == "/config.yml":
            return self._send(200, bench.config.encode("utf-8"), "text/yaml; charset=utf-8")
        if found:
            return self._send(200, found[0].read_bytes(), found[1])
        if url.path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        if url.path == "/api/info":
            return self._json(200, {"preview": bench.preview_url, "kinds": list(bench.schema.kinds),
                                    "max_file_mb": MAX_FILE_MB})
        if url.path == "/api/record":
            return self._json(200, bench.record(bench.files.record(query.get("path", "")).rel))
        if url.path == "/api/records":
            kinds = [k for k in query.get("kinds", "").split(",") if k]
            return self._json(200, bench.bridge.records(kinds))
        if url.path == "/api/new-id":
            return self._json(200, {"id": bench.new_id(query.get("kind", ""), query.get("name", ""))})
        self._json(404, {"error": "找不到"})

    def do_POST(self):
        if not self._ours():
            self.close_connection = True
            return self._refused()
        try:
            if urllib.parse.urlsplit(self.path).path != "/api/v1":
                self.close_connection = True
                raise ApiError(404, "找不到")
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                self.close_connection = True
                raise ApiError(415, "请求格式不对：应为 JSON（Content-Type: application/json）")
            status, data = self.bench.files.handle(self._body())
        except ApiError as e:
            status, data = e.status, {"error": str(e)}
        except (ConnectionError, TimeoutError):
            raise
        except OSError as e:
            log.error("工作台无法读写文件：%s", e)
            status, data = 500, {"error": f"无法读写文件（{e.strerror or e}）"}
        except Exception as e:                   # never a traceback to the browser
            log.error("工作台处理请求时出错：%s", e)
            log.debug("", exc_info=True)
            status, data = 500, {"error": f"工作台出错了（{type(e).__name__}），请把这条消息发给技术人员"}
        self._json(status, data)
        if status == 413:
            self._drain()

    def _body(self):
        """The request's JSON, read within the limits; ApiError otherwise."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(411, "请求缺少 Content-Length（不支持分块传输）")
        text = self.headers.get("Content-Length")
        if text is None:
            self.close_connection = True
            raise ApiError(411, "请求缺少 Content-Length")
        if not re.fullmatch(r"[0-9]{1,15}", text.strip()):
            self.close_connection = True
            raise ApiError(400, "请求无法识别：Content-Length 不是数字")
        length = int(text)
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, f"文件过大（超过 {MAX_FILE_MB} MB），或一次保存的文件合计超过 "
                                f"{FILES_PER_SAVE * MAX_FILE_MB} MB：请分几次上传")
        return decode_json(self._read(length))

    def _read(self, length: int) -> bytes:
        deadline = time.monotonic() + BODY_DEADLINE
        chunks, left = [], length
        try:
            while left:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = self.rfile.read1(min(left, 1 << 20))
                if not chunk:
                    raise ConnectionResetError("the browser closed the connection")
                chunks.append(chunk)
                left -= len(chunk)
        except TimeoutError:
            self.close_connection = True
            raise ApiError(408, f"请求超时：{REQUEST_TIMEOUT} 秒内没有收到数据") from None
        return b"".join(chunks)

    def _drain(self) -> None:
        """Read (and drop) what the browser is still sending of a refused body,
        for a while: closing with it unread would reset the connection before
        the browser reads the answer."""
        end, total = time.monotonic() + 10, 0
        try:
            self.connection.settimeout(2)
            while time.monotonic() < end and total < 2 * MAX_BODY:
                chunk = self.rfile.read1(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
        except OSError:
            pass


def decode_json(raw: bytes):
    """A request body's JSON; ApiError (400, in Chinese) when it is not
    UTF-8 JSON whose every text a file could hold. The newsroom's too."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "请求无法识别：不是 UTF-8 文字") from None
    except (ValueError, RecursionError):
        raise ApiError(400, "请求无法识别：不是有效的 JSON") from None
    if re.search(rb"\\u[dD][89a-fA-F]", raw) and not _encodable(body):
        raise ApiError(400, "请求无法识别：含有无效的字符（单独的代理码位）")
    return body


def _encodable(value, depth: int = 0) -> bool:
    """Whether every text in the request can be written as UTF-8 (JSON allows
    a lone surrogate escape, \\ud800, which no file can hold)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v, depth + 1) for v in value)
    return True


def _interrupt(signum, frame):
    """SIGTERM (a service manager, a test) stops the workbench as Ctrl+C does."""
    raise KeyboardInterrupt


def _ignore_ctrl_c() -> None:
    """In the preview's process, before it starts (Python keeps an ignored
    SIGINT ignored); SIGTERM still stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def edit(root: Path, address: str = "127.0.0.1:8080") -> int:
    """Run the workbench until Ctrl+C (or SIGTERM); the exit status."""
    host, _, port_text = address.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        log.error("工作台只在本机运行：地址须为 127.0.0.1:端口")
        return 1
    port = int(port_text or 0) or free_port()
    if not address_free(f"127.0.0.1:{port}"):
        log.error("工作台地址 127.0.0.1:%d 无法使用（可能已有一个工作台在运行）：请先关闭它，"
                  "或换一个端口，如 make edit ADDRESS=127.0.0.1:8081", port)
        return 1
    if not (DECAP_DIST / "decap-cms.js").is_file():
        log.error("找不到 Decap CMS（tools/decap/node_modules）：请用 make edit 启动，它会先安装。")
        return 1
    (root / ".build").mkdir(exist_ok=True)
    preview_port = free_port()
    preview_url = f"http://127.0.0.1:{preview_port}/"
    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # The terminal's Ctrl+C reaches the whole process group: the preview
        # ignores it and is stopped by this supervisor (_stop), so that under
        # load it cannot end first and be taken for a part that crashed.
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "scripts", "--root", str(root), "serve", "--address", f"127.0.0.1:{preview_port}",
             "--framed-by", f"http://127.0.0.1:{port}"],
            cwd=PROJECT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, preexec_fn=_ignore_ctrl_c))
        if not wait_for_port(preview_port, procs[0], 300):
            log.error("预览没有启动，见上面的提示。")
            return 1
        bench = Workbench(root, preview_url)
        bench.files.remove_leftovers()
        server = Server(("127.0.0.1", port), type("BoundHandler", (Handler,), {"bench": bench}))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        log.info("编辑工作台：http://127.0.0.1:%d/ （网站预览：%s；按 Ctrl+C 结束）", port, preview_url)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        ended = next(p for p in procs if p.poll() is not None)
        if ended.returncode in (0, -signal.SIGINT, -signal.SIGTERM, 130):
            # Stopped from outside (a kill of the process group), not a crash.
            log.info("已关闭编辑工作台。")
            return 0
        log.error("工作台的一个部分意外结束了，工作台已关闭；请再运行一次 make edit。")
        return 1
    except KeyboardInterrupt:
        log.info("已关闭编辑工作台。")
        return 0
    finally:
        _stop(procs)
