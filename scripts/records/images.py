"""Photos of the repository as the site shows them: resized and re-encoded,
with their size for the HTML.

Readers are on phones and slow rural networks: a photo is at most MAX_WIDTH
pixels wide, re-encoded at QUALITY, without EXIF (which may hold the place
where it was taken). The output depends only on the input bytes, so a rebuild
gives the same files; it is cached under .build/media by content hash.
"""
from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path


MAX_WIDTH = 1200
QUALITY = 80
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
VERSION = "1"  # bump when the encoding settings change, to refresh the cache


def _encode(data: bytes, suffix: str) -> tuple[bytes, tuple[int, int]]:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as im:
        im = ImageOps.exif_transpose(im)  # keep the photo upright once EXIF is gone
        if im.width > MAX_WIDTH:
            im = im.resize((MAX_WIDTH, round(im.height * MAX_WIDTH / im.width)), Image.LANCZOS)
        out = io.BytesIO()
        if suffix in (".jpg", ".jpeg"):
            im.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
        elif suffix == ".webp":
            im.save(out, "WEBP", quality=QUALITY, method=4)
        else:
            im.save(out, "PNG", optimize=True)
        return out.getvalue(), im.size


_seen: dict[tuple, tuple[Path, tuple[int, int]]] = {}  # the preview re-renders often


def photo(root: Path, rel: str) -> tuple[Path, tuple[int, int]]:
    """The processed file of a photo in the repository, and its size."""
    src = root / rel
    st = src.stat()
    memo = (src, st.st_mtime_ns, st.st_size)
    if memo in _seen and _seen[memo][0].exists():
        return _seen[memo]
    data = src.read_bytes()
    cache_dir = root / ".build" / "media"
    out = cache_dir / f"{hashlib.sha256(data + VERSION.encode()).hexdigest()[:32]}{src.suffix.lower()}"
    meta = out.with_name(out.name + ".size")
    if out.exists() and meta.exists():
        w, h = map(int, meta.read_text().split())
    else:
        encoded, (w, h) = _encode(data, src.suffix.lower())
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(encoded)
        tmp.replace(out)
        meta.write_text(f"{w} {h}")
    _seen[memo] = out, (w, h)
    return out, (w, h)


def photo_size(root: Path, rel: str) -> tuple[int, int] | None:
    try:
        return photo(root, rel)[1]
    except (OSError, ValueError):
        return None  # not an image Pillow can read: validation says so


def copy_media(root: Path, rel: str, target: Path) -> None:
    """Copy a media file into the docs: photos re-encoded, others as they are."""
    if rel.lower().endswith(PHOTO_SUFFIXES):
        try:
            shutil.copyfile(photo(root, rel)[0], target)
            return
        except (OSError, ValueError):
            pass
    shutil.copyfile(root / rel, target)
