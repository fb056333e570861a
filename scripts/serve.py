"""Live preview: regenerate the Markdown when a record, template or content
file changes; mkdocs serve rebuilds and reloads the browser from there."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from .build import generate
from .problems import InputError

log = logging.getLogger("zlt")
WATCHED = ("exemplars", "content", "templates", "scripts/schema.yaml")


def regenerate(root: Path, docs: Path) -> bool:
    try:
        generate(root, docs, preview=True)
        return True
    except InputError as e:
        for p in e.problems:
            log.error("%s", p)
        log.error("发现 %d 个错误，预览保持上一次的内容。", len(e.problems))
        return False


def serve(root: Path, address: str = "127.0.0.1:8000") -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    docs = root / ".build" / "docs"
    regenerate(root, docs)
    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory:
                pending.set()

    def worker():
        while True:
            pending.wait()
            time.sleep(0.2)  # editors' programs save in several steps
            pending.clear()
            if regenerate(root, docs):
                log.info("已重新生成预览。")

    observer = Observer()
    for name in WATCHED:
        path = root / name
        observer.schedule(Handler(), str(path if path.is_dir() else path.parent), recursive=True)
    observer.start()
    threading.Thread(target=worker, daemon=True).start()
    log.info("预览地址：http://%s/ （按 Ctrl+C 结束）", address)
    try:
        mkdocs_serve(str(root / "mkdocs.yml"), dev_addr=address, livereload=True)
    finally:
        observer.stop()
