"""Files: media paths that name a usable file of the repository, photos that
open and carry alt text, and no symbolic link leading out of the repository."""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ..problems import Problem
from ..records.images import MAX_PIXELS, USABLE, photo_problem, too_big
from ..records.loader import OUTSIDE_LINK, Record, outside
from ..records.schema import MEDIA_SUFFIXES, Field


def media_problem(value: str, field: Field, root: Path) -> str | None:
    """Why a media path is not usable, or None."""
    if "://" in value or value.startswith("//"):
        return "媒体文件须放在本仓库内，不能引用其他网站的地址"
    p = PurePosixPath(value.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or ":" in value:
        return "路径须是仓库内的相对路径，不能含“..”或以“/”开头"
    if not _MEDIA_PATH_RE.fullmatch(value):
        # The path goes into a Markdown link: spaces and brackets would break it.
        return "文件名只能用文字、字母、数字、连字符、下划线和点，不能有空格或括号"
    if not value.lower().endswith(MEDIA_SUFFIXES[field.media]):
        # Windows names a downloaded JPEG .jfif, which nginx would serve as a
        # download: the file is a JPG under another name.
        hint = "（.jfif、.jpe 文件就是 JPG：把文件名的后缀改成 .jpg 即可）" \
            if field.media == "image" and value.lower().endswith((".jfif", ".jpe")) else ""
        return f"文件类型不对，应为 {'、'.join(MEDIA_SUFFIXES[field.media])}{hint}"
    full = root / p
    if not full.is_file():
        return f"找不到文件 {value}"
    if outside(root, full):
        return "链接指向仓库之外的文件"
    return None


def field_name(path) -> str:
    """A field's path as editors read it: photos[2].file."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_MEDIA_PATH_RE = re.compile(r"[\w./-]+")




def outside_link_problems(root: Path) -> list[Problem]:
    """Symbolic links in the editors' folders that lead out of the repository:
    the build copies content/ as it is, and must not publish /etc/passwd."""
    problems = []
    for top in ("content", "exemplars"):
        for p in _links(root / top):
            if outside(root, p):
                problems.append(Problem(p.relative_to(root).as_posix(), 1, "", OUTSIDE_LINK))
    return problems


def _links(folder: Path):
    """The symbolic links in folder and below, as os.walk would meet them
    (links to folders listed, not followed), told by the folder listing
    itself: no stat (and no Path) for each of the thousands of records."""
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue   # as os.walk: a folder that cannot be listed is passed over
        for entry in entries:
            if entry.is_symlink():
                yield Path(entry.path)
            elif entry.is_dir():
                stack.append(entry.path)


def photo_problems(records: list[Record], root: Path, files: list[str] | None = None) -> list[Problem]:
    """A photo needs alt text (readers with screen readers); it must be an
    image the site can use (by its bytes: JPEG, PNG or WebP, within the pixel
    limit), wherever it is named, lists of photos included."""
    from .photos_gps import inspect, repository_photos
    from ..records.relations import walk_fields

    problems, named = [], set()
    for r in records:
        for name, f in r.kind.fields.items():
            value = r[name]
            alt = f"{name}_alt"
            if f.type == "media" and not value and alt in r.kind.fields and r[alt]:
                problems.append(Problem(r.path, r.line_of((alt,)), f"{alt}（{r.kind.fields[alt].label}）",
                                        f"写了{r.kind.fields[alt].label}，但没有写照片（{name}）：是不是漏了照片？",
                                        level="warning"))
            if f.type != "media" or f.media != "image" or not isinstance(value, str) or not value:
                continue
            if media_problem(value, f, root):
                continue  # one fault at a time: the path first (fields.py reports it)
            if alt in r.kind.fields and not str(r[alt] or "").strip():
                label = r.kind.fields[alt].label
                problems.append(Problem(r.path, r.line_of((name,)), f"{alt}（{label}）",
                                        f"有照片就要写{label}：用一句话描述照片内容，供视力不好的读者用读屏软件收听"))
        for path, f, value in walk_fields(r):
            if f.type != "media" or f.media != "image" or not isinstance(value, str) or not value \
                    or media_problem(value, f, root):
                continue
            named.add(value)
            why = photo_problem(root, value)
            if why:
                problems.append(Problem(r.path, r.line_of(path), f"{field_name(path)}（{f.label}）",
                                        f"“{value}”{why}"))
    # Photos no record names (yet): committed all the same, and content/'s
    # are published as they are. Their size is read from the header only.
    for p in repository_photos(root, files):
        rel, seen = p.relative_to(root).as_posix(), inspect(p)
        if rel not in named and seen.format in USABLE and seen.size and seen.size[0] * seen.size[1] > MAX_PIXELS:
            problems.append(Problem(rel, 1, "", too_big(*seen.size)))
    return problems
