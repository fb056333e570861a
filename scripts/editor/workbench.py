"""`make edit`: the editors' workbench, one command, on 127.0.0.1 only.

It starts three things and stops them together on Ctrl+C:
- decap-server (npm, pinned in tools/decap/) in its file mode: it reads and
  writes the working tree and runs no git (its git mode would `git add .`
  and switch branches under the editor's feet);
- the live preview (serve.py), which shows every record's real page;
- this server: Decap CMS's page, its script (from tools/decap/node_modules,
  never a CDN), the forms generated from the model (decap.py), the
  workbench's own widgets and preview pane (cms/workbench.js), and the API:
  Decap's calls pass through bridge.py on their way to decap-server, and
  /api/record answers, for the preview pane, a record's problems from the
  project's own check and the address of its page in the live preview.

Only requests from the workbench's own page are served (Host and Origin
checked): another site open in the same browser cannot write into the
repository through it.
"""
from __future__ import annotations

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
from ..records.schema import ID_RE, schema_for
from .bridge import Bridge, Refused
from .decap import CMS_DIR, config_text
from .new import pinyin_id, unique_id
from .serve import STATE_FILE, address_free, caught_up

log = logging.getLogger("zlt")
PROJECT = Path(__file__).resolve().parents[2]
DECAP_DIR = PROJECT / "tools" / "decap"
DECAP_DIST = DECAP_DIR / "node_modules" / "decap-cms" / "dist"
DECAP_SERVER = DECAP_DIR / "node_modules" / "decap-server" / "dist" / "index.js"
CMS_FILES = {"/": "index.html", "/workbench.js": "workbench.js", "/workbench.css": "workbench.css"}
DIST_FILE = re.compile(r"/((?:\d+\.)?decap-cms\.js)")
MAX_BODY = 64 * 1024 * 1024      # a photo or a film, base64-encoded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


class Workbench:
    """The state the request handlers share."""

    def __init__(self, root: Path, decap_port: int, preview_url: str):
        self.root, self.decap_port, self.preview_url = root, decap_port, preview_url
        self.schema = schema_for(root)
        self.bridge = Bridge(root, self.schema)
        self.config = config_text(root)
        self.origin = ""                       # set once the server has its port
        self._checked: tuple[float, list] = (-1.0, [])
        self._check_lock = threading.Lock()

    # --- Decap's API, through the bridge --------------------------------------

    def decap(self, body: dict) -> tuple[int, object]:
        try:
            body = self.bridge.request_to_disk(body)
        except Refused as e:
            return 409, {"error": str(e)}
        conn = http.client.HTTPConnection("127.0.0.1", self.decap_port, timeout=120)
        try:
            conn.request("POST", "/api/v1", json.dumps(body), {"Content-Type": "application/json"})
            reply = conn.getresponse()
            status, data = reply.status, json.loads(reply.read() or b"null")
        finally:
            conn.close()
        if status == 200:
            data = self.bridge.response_to_browser(body.get("action"), data)
        return status, data

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
        from ..render.pagination import page_paths
        from ..records.loader import read_repository

        kind, rid = self.schema.kind_for_path(rel), PurePosixPath(rel).stem
        if not kind.is_list_file:
            doc = kind.doc_path(rid)
            return self.preview_url + doc[: -len(".md")].removesuffix("index") + ("" if doc.endswith("index.md") else "/")
        items = sorted((r for r in read_repository(self.root, self.schema).records if r.kind is kind),
                       key=kind.listing.sort_key)
        size = kind.listing.page_size or max(1, len(items))
        index = next((i for i, r in enumerate(items) if r.id == rid), 0)
        paths = page_paths(kind.list_path, index // size + 1)
        doc = paths[-1]
        folder = doc[: -len("index.md")] if doc.endswith("index.md") else doc[: -len(".md")] + "/"
        return f"{self.preview_url}{folder}#{rid}"

    def new_id(self, kind: str, name: str) -> str:
        records = self.bridge.records([])
        return unique_id(pinyin_id(name), {r["id"] for r in records}) if name.strip() else ""


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "zlt-workbench"
    bench: Workbench

    def log_message(self, fmt, *args):
        log.debug(fmt, *args)

    def _ours(self) -> bool:
        """Only the workbench's own page: its Host (no DNS rebinding) and, on
        writes, its Origin (no other site posting into the repository)."""
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
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def do_GET(self):
        if not self._ours():
            return self._send(403, "只接受本机编辑工作台页面的请求".encode(), "text/plain; charset=utf-8")
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        bench = self.bench
        if url.path in CMS_FILES:
            path = CMS_DIR / CMS_FILES[url.path]
            kind = mimetypes.guess_type(path.name)[0] or "text/html"
            return self._send(200, path.read_bytes(), f"{kind}; charset=utf-8")
        if url.path == "/config.yml":
            return self._send(200, bench.config.encode("utf-8"), "text/yaml; charset=utf-8")
        m = DIST_FILE.fullmatch(url.path)
        if m and (DECAP_DIST / m[1]).is_file():
            return self._send(200, (DECAP_DIST / m[1]).read_bytes(), "text/javascript; charset=utf-8",
                              {"Cache-Control": "max-age=3600"})
        if url.path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        if url.path == "/api/info":
            return self._json(200, {"preview": bench.preview_url, "kinds": list(bench.schema.kinds)})
        if url.path == "/api/record":
            rel = query.get("path", "")
            if not rel or bench.schema.kind_for_path(rel) is None:
                return self._json(404, {"error": "不是记录文件"})
            return self._json(200, bench.record(rel))
        if url.path == "/api/records":
            kinds = [k for k in query.get("kinds", "").split(",") if k]
            return self._json(200, bench.bridge.records(kinds))
        if url.path == "/api/new-id":
            return self._json(200, {"id": bench.new_id(query.get("kind", ""), query.get("name", ""))})
        self._send(404, "找不到".encode(), "text/plain; charset=utf-8")

    def do_POST(self):
        if not self._ours() or not self.headers.get("Content-Type", "").startswith("application/json"):
            return self._send(403, "只接受本机编辑工作台页面的请求".encode(), "text/plain; charset=utf-8")
        if urllib.parse.urlsplit(self.path).path != "/api/v1":
            return self._send(404, b"", "text/plain")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._json(413, {"error": f"文件过大（超过 {MAX_BODY // 1024 // 1024} MB）"})
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._json(400, {"error": "请求无法识别"})
        try:
            status, data = self.bench.decap(body)
        except (OSError, http.client.HTTPException) as e:
            status, data = 502, {"error": f"文件服务没有响应（{e}）"}
        self._json(status, data)


def _interrupt(signum, frame):
    """SIGTERM (a service manager, a test) stops the workbench as Ctrl+C does."""
    raise KeyboardInterrupt


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
    if not DECAP_SERVER.is_file() or not (DECAP_DIST / "decap-cms.js").is_file():
        log.error("找不到 Decap CMS（tools/decap/node_modules）：请用 make edit 启动，它会先安装。")
        return 1
    (root / ".build").mkdir(exist_ok=True)
    decap_port, preview_port = free_port(), free_port()
    preview_url = f"http://127.0.0.1:{preview_port}/"
    origin = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORT": str(decap_port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(root), "LOG_LEVEL": "warn", "ORIGIN": origin}
    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        procs.append(subprocess.Popen(["node", str(DECAP_SERVER)], cwd=DECAP_DIR, env=env))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "scripts", "--root", str(root), "serve", "--address", f"127.0.0.1:{preview_port}"],
            cwd=PROJECT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}))
        if not wait_for_port(decap_port, procs[0], 30):
            log.error("文件服务（decap-server）没有启动：请检查 Node.js 是否已安装（node --version）。")
            return 1
        if not wait_for_port(preview_port, procs[1], 300):
            log.error("预览没有启动，见上面的提示。")
            return 1
        bench = Workbench(root, decap_port, preview_url)
        handler = type("BoundHandler", (Handler,), {"bench": bench})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        log.info("编辑工作台：http://127.0.0.1:%d/ （网站预览：%s；按 Ctrl+C 结束）", port, preview_url)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        log.error("工作台的一个部分意外结束了，工作台已关闭；请再运行一次 make edit。")
        return 1
    except KeyboardInterrupt:
        log.info("已关闭编辑工作台。")
        return 0
    finally:
        _stop(procs)
