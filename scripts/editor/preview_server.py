"""mkdocs' development server, run the preview's way (editor.serve decides
what is built and when; this module serves it).

`serve_site` stands in for mkdocs.commands.serve.serve (mkdocs 1.6.1): load
the configuration, build, watch, serve, shut down, as it does, plus what the
preview needs of it: the project's plugin (build.plugin: nav, compiled
templates) on every configuration, a dirty build (only the pages whose
Markdown changed are rendered again), and a step after every build, even one
that failed (mkdocs' loop would hold every request until a build succeeds).

`PreviewServer` is mkdocs' LiveReloadServer with, on every request, the Host
check (only the preview's own address: a page of another site that made its
name point here, "DNS rebinding", must not read the drafts and notes it
shows) and the extra headers, and on every page the banner of problems and
the reload poller as a file (the pages' Content-Security-Policy allows no
inline script, and mkdocs writes its poller inline).
"""
from __future__ import annotations

import ipaddress
import logging
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import _SCRIPT_TEMPLATE_STR, LiveReloadServer, _timestamp

from ..build.plugin import register

log = logging.getLogger("zlt")
LIVERELOAD_PATH = "/_zlt/livereload.js"
FORBIDDEN = "只接受本机预览地址的请求，请用 http://127.0.0.1:端口/ 打开预览。".encode("utf-8")


def allowed_host(host: str, port: int) -> bool:
    """Whether a request's Host names this server: localhost or an IP address
    (127.0.0.1, or the computer's own on the local network when the preview
    is bound there), at its port. A page of another site that made its name
    point here (DNS rebinding) sends that name: refused, so it cannot read
    the drafts and notes the preview shows."""
    name, sep, given_port = host.rpartition(":")
    if not sep or given_port != str(port):
        return False
    name = name.lower()
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


def livereload_script() -> bytes:
    """mkdocs' reload poller as a file (mkdocs is pinned: tests/test_serve.py
    and tests/browser/test_preview_truth.py notice a change). The page's
    epoch and request id travel as data- attributes of the script element."""
    code = _SCRIPT_TEMPLATE_STR.rstrip().rsplit("\n", 1)[0]   # without its call
    return (code + "\nvar s = document.currentScript;\n"
            "livereload(+s.dataset.epoch, +s.dataset.request);\n").encode("utf-8")


class PreviewServer(LiveReloadServer):
    """LiveReloadServer answering only its own address, with `headers` on
    every answer and `banner()` (HTML) at the top of every page; `reload`:
    whether pages poll for changes and reload themselves."""

    def __init__(self, *args, banner: Callable[[], str], reload: bool,
                 headers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.banner, self.reload, self.headers = banner, reload, headers
        self.error_handler = self.error_page

    def handle_error(self, request, client_address):
        """A browser that closed the page mid-answer (the workbench's preview
        pane reloads it on every save) is no error: no traceback in the
        editor's terminal. Anything else: socketserver's report."""
        import sys
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def error_page(self, code: int) -> bytes | None:
        page = Path(self.root) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    def serve_request(self, environ, start_response):
        if not allowed_host(environ.get("HTTP_HOST", ""), self.server_address[1]):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8"),
                                             ("Content-Length", str(len(FORBIDDEN)))])
            return [FORBIDDEN]

        if environ.get("PATH_INFO") == LIVERELOAD_PATH:
            code = livereload_script()
            start_response("200 OK", [("Content-Type", "text/javascript; charset=utf-8"),
                                      ("Content-Length", str(len(code))), ("Cache-Control", "no-store"),
                                      *self.headers])
            return [code]

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, *self.headers], exc_info)

        return super().serve_request(environ, start)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        # At response time, so that every page shows the current problems
        # without being built again.
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        if self.reload:
            script = (f'<script src="{LIVERELOAD_PATH}" data-epoch="{int(epoch)}" '
                      f'data-request="{int(_timestamp())}"></script>').encode()
            content = content[:end] + script + content[end:]
        shown = self.banner().encode("utf-8")
        if shown:
            at = content.find(b"<body")
            at = content.find(b">", at) + 1 if at >= 0 else 0
            content = content[:at] + shown + content[at:]
        return content


def _quiet_dirty_warning(record: logging.LogRecord) -> bool:
    # The dirty build is intended here: mkdocs' English warning about it would only confuse.
    return "'dirty' build" not in record.getMessage()


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve_site(config_file: Path, docs: Path, address: str, *, after_build: Callable[[Path, Exception | None], None],
               banner: Callable[[], str], reload: bool = True, headers: list[tuple[str, str]] | None = None,
               watch: Iterable[Path] = ()) -> None:
    """Build `docs` with the configuration in `config_file` and serve the
    site at `address` until Ctrl+C (or SIGTERM), building again whenever a
    file in `docs`, the configuration or `watch` changes. After every
    build, `after_build(site folder, the exception that stopped the build
    or None)`."""
    site_dir = tempfile.mkdtemp(prefix="zlt-preview-")

    def get_config():
        config = load_config(str(config_file), docs_dir=str(docs), site_dir=site_dir, dev_addr=address)
        register(config)
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path

    def builder(config=None):
        failure = None
        try:
            if config is None:
                config = get_config()
            config.site_url = serve_url
            build(config, serve_url=serve_url, dirty=True)
        except Exception as e:
            failure = e
        after_build(Path(site_dir), failure)

    server = PreviewServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path,
                           banner=banner, reload=reload, headers=headers or [])
    serve_url = server.url

    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(_quiet_dirty_warning)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if in_main else None
    try:
        builder(config)
        server.watch(config.docs_dir)
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in [*config.watch, *map(str, watch)]:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("预览已停止。")
        finally:
            server.shutdown()
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        build_log.removeFilter(_quiet_dirty_warning)
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
