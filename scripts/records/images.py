"""Photos of the repository as the site shows them: resized and re-encoded,
with their size for the HTML.

Readers are on phones and slow rural networks: a photo is at most MAX_WIDTH
pixels wide, re-encoded at QUALITY, without EXIF (which may hold the place
where it was taken). The output depends only on the input bytes, so a rebuild
gives the same files; it is cached under .build/media by content hash.

A photo is known by its bytes, not its name (a PNG named .jpg, a JPEG named
.jfif): only JPEG, PNG and WebP are used, the formats every browser shows and
editor/photos.py can clean of their location. Its size is read from the header
before anything is decoded: a file of a few hundred bytes can claim 60000×60000
pixels, and decoding it would take gigabytes (a "decompression bomb").
"""
from __future__ import annotations

import hashlib
import io
import shutil
import warnings
from pathlib import Path

from PIL import Image

MAX_WIDTH = 1200
QUALITY = 80
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
VERSION = "2"  # bump when the encoding (or what is accepted) changes, to refresh the cache

# The one pixel limit of the project (check, build, preview, uploads,
# clean-photos). Phones save 12 MP photos by default, and 50 MP in their
# full-resolution mode (at most 8192×6144, 50.3 MP); beyond are the 64-200 MP
# modes and scans, far more than a page 1200 px wide can show, whose decoding
# costs 4 bytes a pixel (60 MP: 240 MB, twice while turning it upright).
MAX_PIXELS = 60_000_000
MAX_PIXELS_WORDS = "6000 万像素"
# Pillow's own guard, for any image opened elsewhere (it raises above twice
# the limit, before the size can be named): the same limit. Our own opens skip
# it (open_image) and say the size in Chinese; its English warning never shows.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("ignore", Image.DecompressionBombWarning)

USABLE = ("JPEG", "PNG", "WEBP")
CONVERT = "请转换为 JPG、PNG 或 WebP"
NOT_AN_IMAGE = "无法作为图片打开，请换一个 JPG、PNG 或 WebP 文件"
DAMAGED = "图片文件已损坏或结构不规范，无法处理：请用看图软件打开后另存为 JPG，再用新文件"
# Names of the formats phones, cameras and Windows produce that the site does not use.
OTHER_FORMATS = {"HEIC": "HEIC/HEIF", "AVIF": "AVIF", "TIFF": "TIFF", "GIF": "GIF", "BMP": "BMP"}
IPHONE_TIP = "（苹果手机可在“设置 > 相机 > 格式”中选“兼容性最佳”，以后拍的就是 JPG）"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class BadPhoto(ValueError):
    """An image the site cannot use; the message is Chinese, for editors."""


def image_format(head: bytes) -> str | None:
    """The image format of a file by its first 16 bytes, whatever its name:
    JPEG, PNG, WEBP or one of OTHER_FORMATS; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":   # ISO media: HEIF and AVIF photos, but MP4 videos too
        brand = head[8:12]
        return "AVIF" if brand in (b"avif", b"avis") else "HEIC" if brand in _HEIF_BRANDS else None
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM" and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "BMP"
    return None


def unsupported(fmt: str) -> str:
    tip = IPHONE_TIP if fmt == "HEIC" else ""
    return f"这是 {OTHER_FORMATS.get(fmt, fmt)} 格式的图片，网站不使用这种格式，也无法清除其中的拍摄地点：{CONVERT}{tip}"


def too_big(width: int, height: int) -> str:
    return (f"照片过大：{width}×{height} 像素（超过 {MAX_PIXELS_WORDS}的上限），请缩小后再用"
            "（网页上的照片最宽 1200 像素，如用画图的“重新调整大小”缩到 4000×3000 像素）")


def open_image(source: bytes | Path) -> Image.Image:
    """The image, opened lazily (its header read, no pixel decoded), without
    Pillow's bomb check (which raises before the size is known); any format
    Pillow reads. Raises BadPhoto. Use it as a context manager."""
    if isinstance(source, bytes):
        head = source[:16]
    else:
        try:
            with open(source, "rb") as f:
                head = f.read(16)
        except OSError:
            raise BadPhoto(NOT_AN_IMAGE) from None
    fmt = image_format(head)
    Image.init()
    if fmt is None:
        raise BadPhoto(NOT_AN_IMAGE)
    if fmt not in Image.OPEN:
        raise BadPhoto(unsupported(fmt))
    factory = Image.OPEN[fmt][0]
    try:
        return factory(io.BytesIO(source) if isinstance(source, bytes) else source)
    except Exception:  # any parser fault on untrusted bytes (SyntaxError, struct.error…)
        raise BadPhoto(DAMAGED) from None


def check_size(im: Image.Image) -> None:
    width, height = im.size
    if width * height > MAX_PIXELS:
        raise BadPhoto(too_big(width, height))


def open_photo(source: bytes | Path) -> Image.Image:
    """A photo the site can use: JPEG, PNG or WebP by its bytes, within
    MAX_PIXELS, opened lazily; raises BadPhoto with the editors' message."""
    im = open_image(source)
    try:
        if im.format not in USABLE:
            raise BadPhoto(unsupported(im.format))
        check_size(im)
    except BadPhoto:
        im.close()
        raise
    return im


def _encode(data: bytes, suffix: str) -> tuple[bytes, tuple[int, int]]:
    from PIL import ImageOps

    with open_photo(data) as im:
        try:
            im = ImageOps.exif_transpose(im)  # keep the photo upright once EXIF is gone
            if im.width > MAX_WIDTH:
                height = max(1, round(im.height * MAX_WIDTH / im.width))
                im = im.resize((MAX_WIDTH, height), Image.LANCZOS)
            out = io.BytesIO()
            if suffix in (".jpg", ".jpeg"):
                im.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
            elif suffix == ".webp":
                im.save(out, "WEBP", quality=QUALITY, method=4)
            else:
                im.save(out, "PNG", optimize=True)
        except Exception:  # the picture itself is damaged (truncated, bad data): any decoder fault
            raise BadPhoto(DAMAGED) from None
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


def photo_problem(root: Path, rel: str) -> str | None:
    """Why the photo at rel cannot be shown (Chinese, for editors), or None."""
    try:
        photo(root, rel)
    except BadPhoto as e:
        return str(e)
    except OSError:
        return NOT_AN_IMAGE
    return None


def photo_size(root: Path, rel: str) -> tuple[int, int] | None:
    try:
        return photo(root, rel)[1]
    except (OSError, ValueError):
        return None  # not a photo the site can use: check says why (photo_problem)


def copy_media(root: Path, rel: str, target: Path) -> None:
    """Copy a media file into the docs: photos re-encoded, others as they are.
    A photo that cannot be used is left out (check reports it), never copied
    as it is: it may be a bomb, or not an image at all."""
    if rel.lower().endswith(PHOTO_SUFFIXES):
        try:
            shutil.copyfile(photo(root, rel)[0], target)
        except (OSError, ValueError):
            pass
        return
    shutil.copyfile(root / rel, target)
