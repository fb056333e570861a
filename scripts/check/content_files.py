"""Which files of content/ and exemplars/ may be published: an allow-list.

The build copies content/ into the site as it is (mkdocs then publishes every
file of its docs folder), and copies the media that records name. A page,
script, style sheet or SVG put there would be served from the site's own
address, where the security policy lets it run. So the editors' folders may
only hold Markdown (pages and records), the records' YAML, and media of the
types the model names (schema.MEDIA_SUFFIXES: photos, videos, subtitles),
each checked by its first bytes, not its name: an HTML file named .jpg is
refused too. SVG is not a photo type: it can carry script. The media that
records name elsewhere (media/photos/…) are checked by their bytes as well.

The theme's own files (scripts, styles, icons) live in templates/overrides/,
reviewed with the code; no folder of content/ is exempt.

`refused_files` is used by `check` (an error per file) and by the build,
which leaves these files out of the site even when it is told to go on
despite errors (the release gate's trial build).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..problems import Problem
from ..records.images import OTHER_FORMATS, USABLE, image_format
from ..records.loader import OUTSIDE_LINK, outside
from ..records.schema import MEDIA_SUFFIXES

FOLDERS = ("content", "exemplars")
TEXT_SUFFIXES = {"content": (".md",), "exemplars": (".md", ".yml", ".yaml")}
KIND_NAMES = {"image": "照片", "video": "视频", "subtitles": "字幕"}
FORMAT_NAMES = {"image": "JPG、PNG、WebP", "video": "MP4、WebM", "subtitles": "WebVTT"}
HEAD_BYTES = 64


def _iso_media(head: bytes) -> bool:
    # A first box of type `ftyp`, of a plausible size, whose brand is four
    # printable characters (an HTML file `<!--ftyp…` has the type in the right
    # place but a size of some 600 MB).
    size = int.from_bytes(head[:4], "big")
    return head[4:8] == b"ftyp" and 8 <= size <= 4096 and all(0x20 <= c < 0x7f for c in head[8:12])


def _mp4(head: bytes) -> bool:
    # HEIC and AVIF photos are ISO media too: images.image_format knows their brands.
    return _iso_media(head) and image_format(head) is None


def _webvtt(head: bytes) -> bool:
    # The WebVTT signature: "WEBVTT" (after an optional BOM), then space, tab,
    # line break or the end of the file.
    head = head.removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"WEBVTT") and head[6:7] in (b"", b" ", b"\t", b"\n", b"\r")


# By kind of media: does a file's head show that kind? Photos by the same
# reading of the bytes as the photo checks (records.images).
SIGNATURES = {
    "image": (lambda h: image_format(h) in USABLE,),
    "video": (_mp4,
              lambda h: h.startswith(b"\x1a\x45\xdf\xa3")),                 # WebM (EBML)
    "subtitles": (_webvtt,),
}


def media_kind(rel: str) -> str | None:
    """The model's media kind that a file name's suffix belongs to, or None."""
    lower = rel.lower()
    return next((kind for kind, suffixes in MEDIA_SUFFIXES.items() if lower.endswith(suffixes)), None)


def _looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "内容是网页、SVG 或其他标记文本"
    fmt = image_format(head)
    if fmt is not None and fmt not in USABLE:
        return f"内容是 {OTHER_FORMATS.get(fmt, fmt)} 格式的图片（网站不使用）"
    for kind, checks in SIGNATURES.items():
        if any(check(head) for check in checks):
            return f"内容是{KIND_NAMES[kind]}"
    return "无法识别其内容"


def _kind(kind: str) -> str:
    return f"{KIND_NAMES.get(kind, kind)}（{FORMAT_NAMES.get(kind, '、'.join(MEDIA_SUFFIXES[kind]))}）"


def allowed_types(folder: str) -> str:
    media = "、".join(_kind(kind) for kind in MEDIA_SUFFIXES)
    text = " Markdown 页面（.md）" if folder == "content" else "记录（.md、.yml）"
    return f"{folder}/ 中只能放{text}和{media}"


def file_fault(root: Path, rel: str, record_paths: set[str] = frozenset()) -> str | None:
    """Why the file at `rel` (content/… or exemplars/…) may not be published, or None."""
    folder = rel.split("/", 1)[0]
    if rel in record_paths or rel.lower().endswith(TEXT_SUFFIXES.get(folder, ())):
        return None   # read as text: pages and records, published through their checks
    suffix = os.path.splitext(rel.rsplit("/", 1)[-1])[1].lower()
    kind = media_kind(rel)
    if kind is None:
        return (f"不能发布此类文件（{suffix or '无扩展名'}）：{allowed_types(folder)}；"
                "网页、脚本、样式表、SVG 等文件会在读者的浏览器里运行，请删除这个文件")
    try:
        with open(root / rel, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return "无法读取这个文件：请检查文件权限，或删除它"
    # A media kind the model gained without a signature here is refused:
    # add its signature to SIGNATURES first.
    if any(check(head) for check in SIGNATURES.get(kind, ())):
        return None
    return (f"不能发布此文件：文件名是 {suffix}，但{_looks_like(head)}，不是{_kind(kind)}；"
            "请换成真正的文件，或删除这个文件")


def media_paths(records) -> set[str]:
    """The files outside content/ and exemplars/ that records name as media
    (media/photos/…): the build publishes them too. Paths that fields.py
    refuses (outside the repository, odd names) are left to it."""
    from ..records.relations import walk_fields

    out = set()
    for r in records:
        for _, f, value in walk_fields(r):
            if f.type == "media" and isinstance(value, str) and _MEDIA_PATH.fullmatch(value) \
                    and not value.startswith(FOLDERS_PREFIX) and ".." not in value.split("/"):
                out.add(value)
    return out


_MEDIA_PATH = re.compile(r"[\w.-]+(/[\w.-]+)*")
FOLDERS_PREFIX = tuple(f"{folder}/" for folder in FOLDERS)


def _publishable_file(root: Path, path: Path) -> bool | None:
    """True for a file, None for a link out of the repository, else False."""
    if path.is_symlink() and outside(root, path):
        return None
    return path.is_file()


def refused_files(root: Path, record_paths: set[str] = frozenset(), media: set[str] = frozenset(),
                  outside_links: bool = False) -> list[tuple[str, str]]:
    """(path from the root, why) of every file of content/ and exemplars/, and
    of the `media` that records name elsewhere (media_paths), that may not be
    published. The folders are walked as the build copies them: symbolic
    links to folders not followed, hidden files left out (mkdocs never
    publishes them), links out of the repository only with `outside_links`
    (files.py reports them; the build leaves them out too)."""
    out = []

    def consider(path: Path, rel: str):
        kind = _publishable_file(root, path)
        if kind is None and outside_links:
            out.append((rel, OUTSIDE_LINK))
        elif kind:
            fault = file_fault(root, rel, record_paths)
            if fault:
                out.append((rel, fault))

    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            where = Path(dirpath).relative_to(root).as_posix()
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                rel = f"{where}/{name}"
                if rel in record_paths or name.lower().endswith(TEXT_SUFFIXES[folder]):
                    continue   # no stat (nor Path) for the thousands of records
                consider(Path(dirpath) / name, rel)
    for rel in sorted(media):
        consider(root / rel, rel)
    return out


def content_file_problems(root: Path, record_paths: set[str] = frozenset(), records=()) -> list[Problem]:
    return [Problem(rel, 1, "", why) for rel, why in refused_files(root, record_paths, media_paths(records))]
