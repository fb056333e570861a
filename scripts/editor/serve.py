"""Live preview: regenerate the Markdown when a record, template or content
file changes; mkdocs' server (run by editor.preview_server) builds the site
again and reloads the browser from there.

The preview tells the truth: when a save breaks the check, every page shows
the problems in a banner at its top (and keeps the last good content under
it); typos are shown the same way while the page updates; a record deleted
is a page gone (mkdocs' dirty build would keep serving its old HTML).

Target: from saving a record to the refreshed page in 2 s or less at the
shipped size (measured by tests/test_serve.py, `make bench`). What makes it:
- the Markdown is generated into a scratch folder and only files whose bytes
  changed are written into .build/docs, so mkdocs sees few changes;
- mkdocs builds dirty: it re-renders only the pages whose Markdown changed
  (others keep their last HTML, which is fine for a preview);
- compiled templates (ours and the theme's) are kept between rebuilds
  (build.plugin).

The preview shows drafts and the editors' notes, so it answers only requests
made to it by its address (preview_server.allowed_host: a page of another
site that made its own name point here, "DNS rebinding", is refused); and
whatever goes wrong in a rebuild, the preview keeps running and says so on
its pages, until a save puts it right.
"""
from __future__ import annotations

import filecmp
import html
import json
import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from ..build.pipeline import generate
from ..check.lint import lint
from ..problems import InputError

log = logging.getLogger("zlt")
WATCHED = ("exemplars", "content", "templates", "media", "scripts/records/schema.yaml", "wording")
SETTLE = 0.1  # editors' programs save in several steps
CHANGES = {"created", "modified", "moved", "deleted", "closed"}


def sync_tree(src: Path, dst: Path) -> int:
    """Make dst equal to src, writing only files whose bytes differ.
    Returns the number of files written or removed."""
    changed = 0
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for s in src.rglob("*"):
        rel = s.relative_to(src)
        wanted.add(rel)
        d = dst / rel
        if s.is_dir():
            d.mkdir(parents=True, exist_ok=True)
        elif not d.is_file() or not filecmp.cmp(s, d, shallow=False):
            d.parent.mkdir(parents=True, exist_ok=True)
            tmp = d.with_name(d.name + ".part")
            shutil.copyfile(s, tmp)
            tmp.replace(d)
            changed += 1
    for d in sorted(dst.rglob("*"), reverse=True):
        if d.relative_to(dst) not in wanted:
            shutil.rmtree(d) if d.is_dir() else d.unlink()
            changed += 1
    return changed


# The served docs folders this process has made equal to the render's whole
# folder once: after that, the render's own list of what it wrote is enough.
_synced: set[Path] = set()


def sync_files(src: Path, dst: Path, written: set[str], removed: set[str]) -> int:
    """Copy the files `written` (relative paths) from src into dst and delete
    those `removed`, as sync_tree would find them. Returns their number."""
    for rel in sorted(written):
        s, d = src / rel, dst / rel
        if not s.is_file():
            removed = removed | {rel}
            continue
        d.parent.mkdir(parents=True, exist_ok=True)
        tmp = d.with_name(d.name + ".part")
        shutil.copyfile(s, tmp)
        tmp.replace(d)
    for rel in sorted(removed):
        (dst / rel).unlink(missing_ok=True)
    return len(written | removed)


STATUS_FILE = "preview-status.json"   # in .build/: the problems the pages show
STATE_FILE = "preview-state.json"     # in .build/: when the preview last caught up (the workbench reads it)
# What every served page shows at its top; set by regenerate, read per request.
_status: dict = {"ok": True, "problems": [], "time": 0.0}
# What the last regeneration found, to show again once a failed build of
# mkdocs is followed by one that works (the failure may have been a race
# with the next regeneration's sync, which the next build no longer meets).
_regenerated: tuple[bool, list] = (True, [])
# regenerated: when the last regeneration read the files; expect_build: whether
# it changed anything mkdocs will build; built: when mkdocs last finished.
_state: dict = {"regenerated": 0.0, "expect_build": False, "built": 0.0}


def _write_state(root: Path, **changes) -> None:
    _state.update(changes)
    path = root / ".build" / STATE_FILE
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(_state), encoding="utf-8")
    tmp.replace(path)


def caught_up(state: dict, since: float) -> bool:
    """Whether the preview serves what the files held at `since` (a state as
    written to STATE_FILE): read after it, and built if anything changed."""
    return state.get("regenerated", 0) > since and (
        not state.get("expect_build") or state.get("built", 0) > state["regenerated"])


def _set_status(root: Path, ok: bool, problems: list, build: bool = False) -> bool:
    """Remember the problems the pages must show; when they change, write them
    to the status file, which the server watches: the rebuild it starts
    reloads every open page, so the banner appears even when no page changed.
    `build`: the problems of a build of mkdocs, not of a regeneration."""
    global _status, _regenerated
    if not build:
        _regenerated = (ok, list(problems))
    shown = [{"text": str(p), "level": p.level} for p in problems]
    changed = (ok, shown) != (_status["ok"], _status["problems"])
    _status = {"ok": ok, "problems": shown, "time": time.time(), "build": build}
    path = root / ".build" / STATUS_FILE
    if changed or not path.exists():
        path.write_text(json.dumps(_status, ensure_ascii=False), encoding="utf-8")
    return changed


def regenerate(root: Path, docs: Path) -> bool:
    work = root / ".build"
    work.mkdir(exist_ok=True)
    started = time.time()
    # The Markdown is brought up to date in a folder of its own by the
    # render's memo (render.memo: only the pages a save can reach are made
    # again, lists and related records' pages included), then what changed
    # is copied into the served docs.
    rendered = work / "serve-render"
    with tempfile.TemporaryDirectory(dir=work, prefix="serve-") as tmp:
        try:
            _, snap, result = generate(root, rendered, preview=True, memo=work / "serve-memo")
        except InputError as e:
            for p in e.problems:
                log.error("%s", p)
            log.error("发现 %d 个错误，预览保持上一次的内容。", len(e.problems))
            if not docs.exists():
                # Nothing good to show yet (a repository that starts with
                # errors, e.g. hand-typed reviews once the newsroom signs
                # them): the pages as they can be made, under the banner.
                try:
                    generate(root, Path(tmp) / "whole", preview=True, allow_errors=True)
                    sync_tree(Path(tmp) / "whole", docs)
                except Exception as fault:  # too broken to render: a page for the banner
                    log.debug("预览无法生成：%s", fault)
                    docs.mkdir(parents=True, exist_ok=True)
                    (docs / "index.md").write_text("# 预览暂时无法生成\n\n请按页面顶部的提示改正错误。\n",
                                                   encoding="utf-8")
            changed = _set_status(root, False, e.problems)
            _write_state(root, regenerated=started, expect_build=changed)
            return False
        # The status first: the pages reloaded by the new Markdown must show it.
        typos = lint(root, snap.texts)
        status_changed = _set_status(root, True, typos)
        if result.reason or docs not in _synced:
            changed = sync_tree(rendered, docs)
            _synced.add(docs)
        else:
            changed = sync_files(rendered, docs, result.written, result.removed)
        _write_state(root, regenerated=started, expect_build=bool(changed or status_changed))
    log.info("已重新生成预览（%d 个文件有变化）。", changed)
    for p in typos:  # typos do not stop the preview, but are shown at once
        log.warning("%s", p)
    return True


class _Failure:
    """A rebuild that failed in an unexpected way, shown like a problem."""
    level = "error"

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def regenerate_safely(root: Path, docs: Path) -> bool:
    """regenerate, whatever it raises: a bad file must not stop the preview
    (the worker thread would die, and the workbench wait for it forever).
    The fault is shown on every page; the next save tries again."""
    from ..records import loader

    started = time.time()
    try:
        return regenerate(root, docs)
    except Exception as e:
        where = f"（正在处理 {loader.current_file}）" if loader.current_file else ""
        text = (f"预览生成时出错{where}：{type(e).__name__}: {e}。请检查最近修改的文件，"
                "改正后保存，预览会自动恢复；如果一直出现，请把这条消息发给技术人员。")
        log.error("%s", text)
        log.debug("预览生成时出错", exc_info=True)
        try:
            if not docs.exists():
                docs.mkdir(parents=True)
                (docs / "index.md").write_text("# 预览暂时无法生成\n\n请按页面顶部的提示改正错误。\n",
                                               encoding="utf-8")
            changed = _set_status(root, False, [_Failure(text)])
            _write_state(root, regenerated=started, expect_build=changed)
        except OSError as again:   # the disk itself: nothing more to do than say it
            log.error("无法写入预览状态：%s", again)
        return False


def banner() -> str:
    """The problems of the last regeneration, as HTML for the top of a page."""
    status = _status
    if not status["problems"]:
        return ""
    errors = sum(p["level"] == "error" for p in status["problems"])
    if not status["ok"]:
        title = f"预览没有更新：发现 {errors} 个错误，下面仍是上一次的内容。请按提示改正后保存。"
    else:
        title = f"发现 {len(status['problems'])} 处错别字或不规范表述（预览已更新），请改正后保存。"
    items = "".join(f"<li>{html.escape(p['text'])}</li>" for p in status["problems"][:50])
    more = len(status["problems"]) - 50
    items += f"<li>……另有 {more} 条，见终端或 make check</li>" if more > 0 else ""
    # Styled by site.css: the pages' policy allows no inline style.
    return ('<div id="zlt-preview-problems" role="alert">'
            f'<strong>{html.escape(title)}</strong><ul>{items}</ul></div>')


def stale_pages(docs: Path, site: Path) -> list[Path]:
    """HTML pages of the served site whose Markdown is gone (a deleted record):
    a dirty build only adds and updates, it never removes."""
    wanted = {"404.html"} | {p.relative_to(docs).as_posix() for p in docs.rglob("*.html")}
    for md in docs.rglob("*.md"):
        rel = md.relative_to(docs).with_suffix("")
        wanted.add((rel.parent if rel.name == "index" else rel).joinpath("index.html").as_posix())
    return [p for p in site.rglob("*.html") if p.relative_to(site).as_posix() not in wanted]


def after_build(root: Path, docs: Path, site: Path, failure: Exception | None) -> None:
    """After every build of the site, failed or not: show a failure on every
    page (the server goes on serving what was built, with the fault on top)
    or, once a build works again, what the last regeneration found; remove
    stale pages; note the time of the build (the workbench and the newsroom
    wait for it before reloading their preview)."""
    if failure is not None:
        text = (f"网站预览构建时出错：{type(failure).__name__}: {failure}。请检查最近修改的文件，改正后保存，"
                "预览会自动恢复。")
        log.error("%s", text)
        _set_status(root, False, [_Failure(text)], build=True)
    elif _status["problems"] and _status.get("build"):
        _set_status(root, *_regenerated)
    for page in stale_pages(docs, site):
        page.unlink(missing_ok=True)
        folder = page.parent
        while folder != site and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    _write_state(root, built=time.time())


def frame_policy(framed_by: str | None) -> list[tuple[str, str]]:
    """The header that lets only the workbench's page (framed_by, its origin,
    e.g. http://127.0.0.1:8080, by either of its names) show the preview in a
    frame; no header without it (framing a read-only page from another site
    reads nothing: the browser keeps its content from that site)."""
    if not framed_by:
        return []
    scheme, _, rest = framed_by.partition("://")
    _, _, port = rest.rpartition(":")
    origins = sorted({framed_by, f"{scheme}://127.0.0.1:{port}", f"{scheme}://localhost:{port}"})
    return [("Content-Security-Policy", "frame-ancestors " + " ".join(origins))]


def address_free(address: str) -> bool:
    host, _, port = address.rpartition(":")
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "127.0.0.1", int(port)))
        except (OSError, ValueError):
            return False
    return True


def serve(root: Path, address: str = "127.0.0.1:8000", framed_by: str | None = None,
          reload: bool = True) -> None:
    """Run the live preview until Ctrl+C. framed_by: the origin of the page
    allowed to show it in a frame (the workbench's), see frame_policy;
    reload: whether pages reload themselves when the site changes (not
    behind the newsroom, whose editing page reloads its frame after each
    save: a long poll per open page would hold one of its few workers)."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    from .preview_server import serve_site

    if not address_free(address):
        log.error("预览地址 %s 无法使用（可能已有一个预览在运行）：请先关闭它，"
                  "或换一个端口，如 python -m scripts serve --address 127.0.0.1:8001", address)
        raise SystemExit(1)
    docs = root / ".build" / "docs"
    regenerate_safely(root, docs)
    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            # Not "opened" or "closed_no_write": generating reads every file.
            if not event.is_directory and event.event_type in CHANGES:
                pending.set()

    def worker():
        while True:
            pending.wait()
            time.sleep(SETTLE)
            pending.clear()
            regenerate_safely(root, docs)

    observer = Observer()
    for name in WATCHED:
        path = root / name
        if path.exists():
            observer.schedule(Handler(), str(path if path.is_dir() else path.parent),
                              recursive=path.is_dir())
    observer.start()
    threading.Thread(target=worker, daemon=True).start()
    log.info("预览地址：http://%s/ （按 Ctrl+C 结束）", address)
    try:
        # The status file: a change of the problems alone reloads every open page.
        serve_site(root / "mkdocs.yml", docs, address, banner=banner, reload=reload,
                   headers=frame_policy(framed_by), watch=[root / ".build" / STATUS_FILE],
                   after_build=lambda site, failure: after_build(root, docs, site, failure))
    finally:
        observer.stop()
