"""Live preview: regenerate the Markdown when a record, template or content
file changes; mkdocs serve rebuilds and reloads the browser from there.

Target: from saving a record to the refreshed page in 2 s or less at the
shipped size (measured by tests/test_serve.py, `make bench`). What makes it:
- the Markdown is generated into a scratch folder and only files whose bytes
  changed are written into .build/docs, so mkdocs sees few changes;
- mkdocs serve runs as a dirty build: it re-renders only the pages whose
  Markdown changed (others keep their last HTML, which is fine for a preview);
- compiled templates (ours and the theme's) are kept between rebuilds.
"""
from __future__ import annotations

import filecmp
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


def regenerate(root: Path, docs: Path) -> bool:
    work = root / ".build"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="serve-") as tmp:
        try:
            _, snap = generate(root, Path(tmp) / "docs", preview=True)
        except InputError as e:
            for p in e.problems:
                log.error("%s", p)
            log.error("发现 %d 个错误，预览保持上一次的内容。", len(e.problems))
            return False
        changed = sync_tree(Path(tmp) / "docs", docs)
    log.info("已重新生成预览（%d 个文件有变化）。", changed)
    for p in lint(root, snap.texts):  # typos do not stop the preview, but are shown at once
        log.warning("%s", p)
    return True


def keep_theme_templates_compiled() -> None:
    """mkdocs compiles the theme's templates anew on every rebuild, most of a
    dirty rebuild's time: keep them compiled in memory (Jinja still checks each
    template's checksum). Only this preview process is patched; the build and
    the generated Markdown do not depend on it."""
    from mkdocs.theme import Theme

    from ..render import MemoryBytecodeCache

    if getattr(Theme.get_env, "keeps_compiled", False):
        return
    cache, get_env = MemoryBytecodeCache(), Theme.get_env

    def cached_get_env(self):
        env = get_env(self)
        env.bytecode_cache = cache
        return env

    cached_get_env.keeps_compiled = True
    Theme.get_env = cached_get_env


def address_free(address: str) -> bool:
    host, _, port = address.rpartition(":")
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "127.0.0.1", int(port)))
        except (OSError, ValueError):
            return False
    return True


def serve(root: Path, address: str = "127.0.0.1:8000") -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    if not address_free(address):
        log.error("预览地址 %s 无法使用（可能已有一个预览在运行）：请先关闭它，"
                  "或换一个端口，如 python -m scripts serve --address 127.0.0.1:8001", address)
        raise SystemExit(1)
    # The dirty build is intended here: mkdocs' English warning about it would only confuse.
    logging.getLogger("mkdocs.commands.build").addFilter(
        lambda record: "'dirty' build" not in record.getMessage())
    docs = root / ".build" / "docs"
    keep_theme_templates_compiled()
    regenerate(root, docs)
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
            regenerate(root, docs)

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
        mkdocs_serve(str(root / "mkdocs.yml"), dev_addr=address, livereload=True, build_type="dirty")
    finally:
        observer.stop()
