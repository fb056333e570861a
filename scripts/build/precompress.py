"""Gzip copies of the site's text files, written at build for nginx's
`gzip_static` (scripts/deploy/nginx.py): the server sends the `.gz` beside a
file to readers whose browser accepts gzip, compressed once at the highest
level instead of on every request.

Deterministic (no name, no time in the gzip header), so that two builds of
the same input stay byte-identical. A copy is kept only where it is smaller.
"""
from __future__ import annotations

import gzip
from pathlib import Path

# What browsers ask for by these names and what compresses: text. Images and
# films are compressed already.
TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".vtt", ".map"})
MIN_BYTES = 256   # below this the headers cost more than they save


def precompress(site: Path) -> int:
    """Write `<file>.gz` beside every text file of `site`; returns how many."""
    written = 0
    for path in sorted(site.rglob("*")):
        if path.suffix not in TEXT_SUFFIXES or not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            continue
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) < len(data):
            path.with_name(path.name + ".gz").write_bytes(packed)
            written += 1
    return written
