"""Photos that still carry where they were taken: the GPS position (and the
camera's other data) in a repository photo would be published with the
repository itself, even though the site's copies are re-encoded without it.

Every photo of the repository is looked at (not only those records name: a
photo added by hand and not yet used is committed all the same), its EXIF
read by Pillow without decoding the picture, and its XMP packet searched for
GPS tags. The answer is cached per file version, for the live preview.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..problems import Problem

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
GPS_IFD = 0x8825
# Folders that hold no photo of the content: built output, tools, tests.
SKIPPED = {"site", "site.old", "dist", "node_modules", "tools", "tests", "__pycache__"}
_XMP_GPS = re.compile(rb"GPS(?:Latitude|Longitude|Altitude)|exif:GPS")
CLEAN_COMMAND = "make clean-photos"
MESSAGE = (f"照片里带有拍摄地点（GPS 位置）信息，提交到仓库就会公开拍摄地点：请运行 {CLEAN_COMMAND} 清除"
           "（只去掉位置、相机型号等隐藏信息，照片画面不变）")

_cache: dict[tuple, bool] = {}


def has_location(path: Path) -> bool:
    """Whether the photo at path carries a GPS position (EXIF or XMP)."""
    from PIL import Image, UnidentifiedImageError

    try:
        stat = path.stat()
    except OSError:
        return False
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        try:
            with Image.open(path) as im:
                exif = im.getexif()
                found = bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif
                for value in im.info.values():
                    if isinstance(value, str):
                        value = value.encode("utf-8", "replace")
                    if isinstance(value, bytes) and _XMP_GPS.search(value):
                        found = True
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
            found = False   # not a photo Pillow opens: files.py reports the ones records use
        _cache[key] = found
    return _cache[key]


def repository_photos(root: Path) -> list[Path]:
    """Every photo file of the repository, outside built output and tools."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED)
        found += [Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(PHOTO_SUFFIXES)]
    return found


def located_photos(root: Path) -> list[Path]:
    return [p for p in repository_photos(root) if not p.is_symlink() and has_location(p)]


def gps_problems(root: Path) -> list[Problem]:
    return [Problem(p.relative_to(root).as_posix(), 1, "", MESSAGE) for p in located_photos(root)]
