"""Gzip copies of the site's text files, written when a site is published
(publish.py), for nginx's `gzip_static` (nginx.py): the server sends the
`.gz` beside a file to readers whose browser accepts gzip, compressed once
instead of on every request. Only a published site needs them, so the build
itself (and the offline bundle, and the preview) does not pay for them.

Deterministic (no name, no time in the gzip header), so that two builds of
the same input stay byte-identical. A copy is kept only where it is smaller.
Level 6: level 9 saved 1 % more of the pages' bytes for twice the time
(measured on the shipped site's HTML: 73 against 33 MB/s). zlib works
outside the GIL, so the files are compressed on every core.
"""
from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# What browsers ask for by these names and what compresses: text. Images and
# films are compressed already.
TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".vtt", ".map"})
MIN_BYTES = 256   # below this the headers cost more than they save


LEVEL = 6


def _compress(path: Path) -> bool:
    data = path.read_bytes()
    if len(data) < MIN_BYTES:
        return False
    packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)
    if len(packed) >= len(data):
        return False
    path.with_name(path.name + ".gz").write_bytes(packed)
    return True


def precompress(site: Path) -> int:
    """Write `<file>.gz` beside every text file of `site`; returns how many."""
    files = [p for p in sorted(site.rglob("*"))
             if p.suffix in TEXT_SUFFIXES and p.is_file() and not p.is_symlink()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return sum(pool.map(_compress, files))
