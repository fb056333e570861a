"""Photos that still carry where they were taken: the GPS position (and the
camera's other data) in a repository photo would be published with the
repository itself, even though the site's copies are re-encoded without it.

Every image file of the repository is looked at, known by its bytes and not
its name (Windows names a downloaded JPEG .jfif; a JPEG may be named .png or
.txt): not only those records name, since a photo added by hand and not yet
used is committed all the same. Its EXIF is read by Pillow without decoding
the picture (so a decompression bomb costs nothing here), and its XMP packet
searched for GPS tags. A HEIC/HEIF photo (an iPhone's) cannot be read here at
all, so it is reported too: it nearly always carries the position. The answer
is cached per file version, for the live preview.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from ..problems import Problem
from ..records.images import (CONVERT, IPHONE_TIP, MAX_PIXELS, OTHER_FORMATS, USABLE, BadPhoto, image_format,
                              open_image)

GPS_IFD = 0x8825
# Folders that hold no photo of the content: built output, tools, tests.
SKIPPED = {"site", "site.old", "dist", "node_modules", "tools", "tests", "__pycache__"}
_XMP_GPS = re.compile(rb"GPS(?:Latitude|Longitude|Altitude)|exif:GPS")
CLEAN_COMMAND = "make clean-photos"
MESSAGE = (f"照片里带有拍摄地点（GPS 位置）信息，提交到仓库就会公开拍摄地点：请运行 {CLEAN_COMMAND} 清除"
           "（只去掉位置、相机型号等隐藏信息，照片画面不变）")


def cannot_clean(fmt: str) -> str:
    return (f"照片里带有拍摄地点（GPS 位置）信息，提交到仓库就会公开拍摄地点；{OTHER_FORMATS.get(fmt, fmt)} 格式"
            f"无法自动清除：{CONVERT}（转换后的文件不带位置），再删除这个文件")


def cannot_read(fmt: str) -> str:
    from PIL import Image

    if fmt in Image.OPEN:   # a format Pillow reads: this file is damaged
        return ("图片文件已损坏或结构不规范，无法检查它是否带有拍摄地点，提交到仓库可能公开拍摄地点："
                "请用看图软件打开后另存为 JPG，再删除这个文件")
    tip = IPHONE_TIP if fmt == "HEIC" else ""
    return (f"{OTHER_FORMATS.get(fmt, fmt)} 格式的照片无法检查是否带有拍摄地点（手机照片通常带有），"
            f"提交到仓库可能公开拍摄地点：{CONVERT}，再删除这个文件{tip}")


def located(im) -> bool:
    """Whether an opened image carries a GPS position (EXIF or XMP)."""
    from PIL import Image

    if im.format == "PNG" and "exif" not in im.info and im.width * im.height > MAX_PIXELS:
        # Pillow decodes a PNG to look for an eXIf chunk after the picture:
        # not a bomb (which is refused anyway, files.py).
        exif = Image.Exif()
    else:
        exif = im.getexif()
    if exif.get_ifd(GPS_IFD) or GPS_IFD in exif:
        return True
    for value in im.info.values():
        if isinstance(value, str):
            value = value.encode("utf-8", "replace")
        if isinstance(value, bytes) and _XMP_GPS.search(value):
            return True
    return False


class Seen(NamedTuple):
    format: str | None          # by the bytes; None: not an image
    size: tuple[int, int] | None
    problem: str | None         # what check reports about the file
    located: bool


_cache: dict[tuple, Seen] = {}   # by (path, mtime, size)


def inspect(path: Path | str) -> Seen:
    """What the file at path is, as an image, and what is wrong with it."""
    try:
        stat = os.stat(path)
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key in _cache:
            return _cache[key]
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return Seen(None, None, None, False)
    fmt = image_format(head)
    size, found, problem = None, False, None
    if fmt is not None:
        try:
            with open_image(path) as im:
                size = im.size
                found = located(im)
        except BadPhoto:
            # HEIC (Pillow cannot read it), or a damaged file: it may hold
            # the position, and nothing here can tell.
            problem = cannot_read(fmt)
        except Exception:   # a damaged EXIF block in a readable picture: no position to read
            found = False
        if found:
            problem = MESSAGE if fmt in USABLE else cannot_clean(fmt)
    _cache[key] = Seen(fmt, size, problem, found)
    return _cache[key]


def has_location(path: Path) -> bool:
    """Whether the file at path is an image that carries a GPS position."""
    return inspect(path).located


def repository_files(root: Path) -> list[str]:
    """Every file of the repository, outside built output, tools and hidden
    folders, symbolic links left out (what they lead to is checked where
    they are named): paths as strings, from the folder listings alone, since
    a Path and a stat for each of 20,000 files cost more than the rest."""
    found: list[str] = []
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue   # as os.walk: a folder that cannot be listed is passed over
        folders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in SKIPPED:
                    folders.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                found.append(entry.path)
        stack += reversed(folders)
    return found


def repository_photos(root: Path, files: list[str] | None = None) -> list[Path]:
    """Every image file of the repository (by its bytes), outside built output
    and tools (`files`: repository_files(root), when the caller has it)."""
    return [Path(p) for p in (repository_files(root) if files is None else files)
            if inspect(p).format is not None]


def located_photos(root: Path) -> list[Path]:
    return [p for p in repository_photos(root) if has_location(p)]


def gps_problems(root: Path, files: list[str] | None = None) -> list[Problem]:
    problems = []
    for p in repository_files(root) if files is None else files:
        problem = inspect(p).problem
        if problem:
            problems.append(Problem(Path(p).relative_to(root).as_posix(), 1, "", problem))
    return problems
