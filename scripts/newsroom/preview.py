"""The real page beside the form and for reviewers: the live preview behind
the newsroom's login (issue #21).

One live preview runs per newsroom, `python -m scripts --root REPO serve
--address NEWSROOM_PREVIEW --no-reload` (scripts/editor/serve.py: drafts
shown, the problems banner on every page, no reload script: the editing
page reloads its frame after each save), on a loopback address nobody else
reaches (config.preview_address), started by `serve`/`try` alongside
gunicorn, on a server by its own systemd unit (serverconf.py). This module
forwards /preview/<path> to it after the login:

- who sees what: reviewers (初审/复审/终审), editors and administrators see
  every page of the preview; anyone else (撰稿) only the pages of the records
  they may read (views.may_read: their units', as in editing.py) and the
  site's files (assets/: styles, scripts, fonts, pictures, covers; media/:
  photos and films). Lists, the home page, the search index, the sitemap
  and other units' records are refused (403): they show other units' drafts.
- only GET and HEAD; Range is forwarded, and answered here (206) when the
  preview sends the whole file (mkdocs' server ignores Range): a film can
  be sought; the Host is the preview's own (its Host check refuses others).
- framing: the preview's answers may be framed by the newsroom's own pages
  (frame-ancestors 'self', X-Frame-Options SAMEORIGIN) and nothing else, and
  keep the site's own policy otherwise (scripts/deploy/csp.py); every other
  answer of the newsroom keeps frame-ancestors 'none' (middleware.py).
- a preview that does not answer (stopped, still building) is a 503 page
  in Chinese, not an error of gunicorn's.
"""
from __future__ import annotations

import functools
import http.client
import json
import re
import socket
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..deploy.csp import meta_policy
from ..editor.serve import STATE_FILE, caught_up
from ..records.loader import read_repository
from ..records.schema import Kind, schema_for
from ..render.pagination import page_holding
from . import repository
from .access import may_read, person_of
from .review import Person
from .roles import ADMIN, EDITOR, STAGE_ROLE

CONNECT_TIMEOUT = 3           # seconds: a preview on this machine answers at once, or is down
READ_TIMEOUT = 30             # seconds: a request waits while the preview rebuilds
CHUNK = 256 * 1024
SEES_ALL = frozenset({EDITOR, ADMIN, *STAGE_ROLE.values()})
# The site's files every signed-in person may load: the theme's and the
# project's styles, scripts, fonts, pictures and covers, and the records'
# photos and films. Not search/ (the index holds every draft's text).
SHARED_FILES = ("assets/", "media/")
# The preview's answers: the site's own policy, framed by the newsroom's pages only.
POLICY = meta_policy() + "; frame-ancestors 'self'"
PASSED_ON = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "Last-Modified", "ETag")
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def address() -> str:
    return settings.NEWSROOM_PREVIEW


def prefix() -> str:
    """The preview's address in the newsroom ("/preview/", under its path prefix)."""
    return reverse("newsroom:preview", kwargs={"path": ""})


# --- where a record's page is -----------------------------------------------------

def page_of(root: Path, kind: Kind, rid: str) -> str:
    """The path of a record's page in the preview (for a kind without pages
    of its own: the list page that holds it, at its anchor), as `make edit`'s
    workbench finds it (scripts/editor/workbench.py, Workbench.page_url)."""
    if not kind.is_list_file:
        return _folder(kind.doc_path(rid))
    items = sorted((r for r in read_repository(root, schema_for(root)).records if r.kind is kind),
                   key=kind.listing.sort_key)
    return f"{_folder(page_holding(items, kind.list_path, kind.listing.page_size, rid))}#{rid}"


def _folder(doc: str) -> str:
    return doc[: -len("index.md")] if doc.endswith("index.md") else doc[: -len(".md")] + "/"


def sees_all(person: Person) -> bool:
    return bool(person.roles & SEES_ALL)


def may_see(person: Person, path: str) -> bool:
    """Whether the person may load this path of the preview (see the module's doc)."""
    if sees_all(person) or path.startswith(SHARED_FILES):
        return True
    found = _record_at(path)
    if found is None:
        return False
    return may_read(person, found)


def _record_at(path: str):
    """The record whose own page this path is (its folder, with or without the
    slash, or its index.html), of a kind under review; None for any other."""
    page = path.removesuffix("index.html")
    page = page if page.endswith("/") else page + "/"
    root = settings.NEWSROOM_REPO
    for kind in repository.workflow_kinds(root).values():
        if kind.is_list_file:
            continue
        before, _, after = _folder(kind.doc_path("\0")).partition("\0")
        if len(page) <= len(before) + len(after) or not (page.startswith(before) and page.endswith(after)):
            continue
        rid = page[len(before): len(page) - len(after)]
        if _ID.fullmatch(rid):
            try:
                found = repository.find_record(root, kind.name, rid)
            except repository.RepositoryError:
                found = None        # a broken file: whose it is cannot be told
            if found is not None:
                return found
    return None


def record_url(root: Path, person: Person, kind: Kind, rid: str) -> str:
    """The record's page in the preview, for the editing pane and the item page;
    "" without a preview, or where the person may not see it (a contributor and
    the list page of a kind without pages of its own)."""
    if not address():
        return ""
    path = page_of(root, kind, rid)
    if not sees_all(person) and (kind.is_list_file or not may_see(person, path)):
        return ""
    return prefix() + path


# --- whether the preview shows the files as they are -------------------------------

def alive() -> bool:
    host, port = _host_port()
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def caught_up_with(root: Path, rel: str) -> bool:
    """Whether the preview serves the record file as it is now: its state file
    (.build/preview-state.json, serve.py) says it read the files after the file's
    last save. A preview that is down will not catch up: the frame says so."""
    try:
        since = (root / rel).stat().st_mtime
    except OSError:
        since = 0.0
    try:
        state = json.loads((root / ".build" / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    return (isinstance(state, dict) and caught_up(state, since)) or not alive()


# --- the proxy ----------------------------------------------------------------------

def _host_port() -> tuple[str, int]:
    host, _, port = address().rpartition(":")
    return host.strip("[]"), int(port)


@functools.lru_cache(maxsize=4)
def _mount(root: Path) -> str:
    """Where mkdocs serve puts the site: the path of mkdocs.yml's site_url."""
    from ..site_config import site_config
    try:
        url = site_config(root).get("site_url") or ""
    except Exception:  # a broken mkdocs.yml: the preview's banner says it
        url = ""
    path = urllib.parse.urlsplit(url if isinstance(url, str) else "").path or "/"
    return path if path.endswith("/") else path + "/"


def _page(request, status: int, title: str, message: str) -> HttpResponse:
    response = HttpResponse(render_to_string("newsroom/preview_refused.html",
                                             {"title": title, "message": message}, request), status=status)
    return _framable(response)


def _framable(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    # Drafts: kept by no cache, not even the browser's.
    response["Cache-Control"] = "no-store"
    return response


def _clean(path: str) -> str | None:
    """The path as the preview will serve it; None for one that leaves its
    folder or hides a place (.., ., empty segments, backslashes)."""
    if "\\" in path or "\0" in path:
        return None
    parts = path.split("/")
    if any(p in ("..", ".") for p in parts) or any(p == "" for p in parts[:-1]):
        return None
    return path


@require_http_methods(["GET", "HEAD"])
def proxy(request, path: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not address():
        return _page(request, 404, "没有网站预览", "审稿系统没有设置网站预览（NEWSROOM_PREVIEW），请联系管理员。")
    clean = _clean(path)
    if clean is None:
        return _page(request, 404, "找不到", "找不到这个页面。")
    if not may_see(person_of(request.user), clean):
        return _page(request, 403, "不能查看", "只能预览本单位稿件的页面（工作动态：本人撰写的）；"
                                               "栏目、首页等其他页面含有别的单位尚未发布的稿件，由编辑和审核人员查看。")
    host, port = _host_port()
    upstream = _mount(settings.NEWSROOM_REPO) + urllib.parse.quote(clean, safe="/-._~!$&'()*+,;=:@")
    query = request.META.get("QUERY_STRING", "")
    wanted = request.headers.get("Range", "")
    connection = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
    try:
        connection.connect()
        connection.sock.settimeout(READ_TIMEOUT)
        headers = {"Host": address(), "Accept": request.headers.get("Accept", "*/*")}
        if wanted:
            headers["Range"] = wanted
        connection.request(request.method, upstream + (f"?{query}" if query else ""), headers=headers)
        answer = connection.getresponse()
    except (OSError, http.client.HTTPException):
        connection.close()
        return _page(request, 503, "预览暂时不可用",
                     "预览暂时不可用：网站预览正在启动或重新生成，或者没有运行。请稍后刷新；"
                     "若一直如此，请联系管理员（预览服务 zhalantun-newsroom-preview）。")
    return _answer(request, connection, answer, wanted)


def _answer(request, connection, answer, wanted: str):
    passed = {k: answer.getheader(k) for k in PASSED_ON if answer.getheader(k) is not None}
    length = int(passed["Content-Length"]) if passed.get("Content-Length", "").isdigit() else None
    status, skip, size = answer.status, 0, length
    if status == 200 and length is not None and not passed.get("Content-Type", "").startswith("text/html"):
        passed["Accept-Ranges"] = "bytes"
        span = _span(wanted, length)
        if span == "unsatisfiable":
            connection.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{length}"
            return _framable(response)
        if span is not None:
            skip, end = span
            status, size = 206, end - skip + 1
            passed["Content-Range"] = f"bytes {skip}-{end}/{length}"
            passed["Content-Length"] = str(size)
    location = answer.getheader("Location")
    if request.method == "HEAD" or status in (204, 304) or 300 <= status < 400:
        connection.close()
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(_body(connection, answer, skip, size), status=status)
        response.headers.pop("Content-Type", None)
    for name, value in passed.items():
        response[name] = value
    if location:
        response["Location"] = _outside(location)
    return _framable(response)


def _span(wanted: str, length: int):
    """(first, last) byte of a single Range, None to send the whole file
    (no Range, several ranges, or one this does not read), "unsatisfiable"."""
    m = RANGE.fullmatch(wanted.strip())
    if not m or not (m[1] or m[2]):
        return None
    if m[1]:
        first = int(m[1])
        last = min(int(m[2]), length - 1) if m[2] else length - 1
        if first >= length or last < first:
            return "unsatisfiable"
        return first, last
    suffix = int(m[2])
    if suffix == 0 or length == 0:
        return "unsatisfiable"
    return max(0, length - suffix), length - 1


def _body(connection, answer, skip: int, size: int | None):
    try:
        while skip:
            got = answer.read(min(CHUNK, skip))
            if not got:
                return
            skip -= len(got)
        left = size
        while left is None or left > 0:
            chunk = answer.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk
    finally:
        connection.close()


def _outside(location: str) -> str:
    """A redirect of the preview (a folder without its slash), as an address of the newsroom."""
    parts = urllib.parse.urlsplit(location)
    mount = _mount(settings.NEWSROOM_REPO)
    path = parts.path
    if path.startswith(mount):
        path = prefix() + path[len(mount):]
    return urllib.parse.urlunsplit(("", "", path, parts.query, parts.fragment))
