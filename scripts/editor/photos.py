"""Photos cleaned of where and with what they were taken, without touching the
picture: `make clean-photos`, and every upload through the workbench.

Phones write the GPS position, the camera and often a thumbnail into a photo
(EXIF, XMP, IPTC). The site's copies are re-encoded without them
(records/images.py), but the original is committed to the repository, which
is published too. Pillow could only strip them by re-encoding, which loses
quality at every save, and exiftool would be a Perl dependency on every
editor's machine for three simple container formats; so the metadata blocks
are dropped here from the file's structure, the compressed picture copied
byte for byte:
- JPEG: APP1 (EXIF, XMP), APP13 (IPTC) and comment segments, and whatever
  follows the picture's end (phones append depth maps and more photos);
- PNG: the eXIf and text chunks (tEXt, zTXt, iTXt, where XMP lives);
- WebP: the EXIF and XMP chunks (and their flags in VP8X).
The orientation is the one datum kept (in a minimal EXIF block): without it,
a photo taken upright would show on its side.

The format is known by the bytes, not the name (a .jfif is a JPEG). Whatever
cannot be cleaned is refused with NotAPhoto, whose message an editor can read
as it is: another format (HEIC, AVIF, TIFF, GIF: convert it), a photo over the
pixel limit (records/images.py), a damaged structure, or a result that still
shows a position. Nothing is ever passed on uncleaned.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

from ..check.photos_gps import located, located_photos
from ..records.images import DAMAGED, PHOTO_SUFFIXES, BadPhoto, image_format, open_photo

ORIENTATION = 0x0112
# Names under which phones and Windows save photos (the bytes decide what they are).
IMAGE_SUFFIXES = (*PHOTO_SUFFIXES, ".jfif", ".jpe", ".jif", ".heic", ".heif", ".avif",
                  ".tif", ".tiff", ".gif", ".bmp")


class NotAPhoto(BadPhoto):
    """Bytes that are not a JPEG, PNG or WebP photo this module can clean; the
    message is Chinese, to show an editor as it is."""


def _orientation(im) -> int:
    try:
        return int(im.getexif().get(ORIENTATION, 1) or 1)
    except Exception:  # a damaged EXIF block: treat the photo as upright
        return 1


def _exif_with_orientation(orientation: int) -> bytes:
    """A TIFF-structured EXIF block with the orientation only."""
    from PIL import Image

    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()[len(b"Exif\x00\x00"):]


# --- JPEG ----------------------------------------------------------------------

_DROPPED_JPEG = {0xE1, 0xED, 0xFE}     # APP1 (EXIF, XMP), APP13 (IPTC), COM
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: markers without a length


def _clean_jpeg(data: bytes, orientation: int) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise NotAPhoto(DAMAGED)
    out = bytearray(b"\xff\xd8")
    if orientation != 1:
        exif = b"Exif\x00\x00" + _exif_with_orientation(orientation)
        out += b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise NotAPhoto(DAMAGED)
        marker = data[i + 1]
        if marker == 0xFF:            # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            out += data[i:i + 2]
            i += 2
            continue
        if marker == 0xD9:            # end of image before any scan
            out += data[i:i + 2]
            return bytes(out)
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        segment = data[i:i + 2 + length]
        if marker == 0xDA:            # start of scan: the picture, up to its end
            end = _end_of_image(data, i + 2 + length)
            out += data[i:end]
            return bytes(out)
        # APP2 holds the colour profile (kept) or the index of the photos a
        # phone appends after the picture (dropped with them).
        if marker not in _DROPPED_JPEG and not (marker == 0xE2 and segment[4:8] == b"MPF\x00"):
            out += segment
        i += 2 + length
    raise NotAPhoto(DAMAGED)


def _end_of_image(data: bytes, start: int) -> int:
    """The offset just past the EOI marker that ends the picture: in the
    compressed data a 0xFF byte is followed by 0x00 or a restart marker, so
    the first FF D9 is the end (further scans of a progressive JPEG are
    separated by markers, which are copied too)."""
    end = data.find(b"\xff\xd9", start)
    if end < 0:
        raise NotAPhoto(DAMAGED)
    return end + 2


# --- PNG -----------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DROPPED_PNG = {b"eXIf", b"tEXt", b"zTXt", b"iTXt"}


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    import zlib
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _clean_png(data: bytes, orientation: int) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise NotAPhoto(DAMAGED)
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if kind == b"IDAT" and orientation != 1 and b"eXIf" not in out:
            out += _png_chunk(b"eXIf", _exif_with_orientation(orientation))
        if kind not in _DROPPED_PNG:
            out += chunk
        i += 12 + length
        if kind == b"IEND":
            return bytes(out)
    raise NotAPhoto(DAMAGED)


# --- WebP ----------------------------------------------------------------------

_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def _clean_webp(data: bytes, orientation: int) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise NotAPhoto(DAMAGED)
    chunks = []
    i = 12
    while i + 8 <= len(data):
        kind = data[i:i + 4]
        (length,) = struct.unpack("<I", data[i + 4:i + 8])
        body = data[i + 8:i + 8 + length]
        i += 8 + length + (length & 1)
        if kind not in (b"EXIF", b"XMP "):
            chunks.append([kind, body])
    if chunks and chunks[0][0] == b"VP8X":
        flags = chunks[0][1][0] & ~(_VP8X_EXIF | _VP8X_XMP)
        if orientation != 1:
            flags |= _VP8X_EXIF
            chunks.append([b"EXIF", _exif_with_orientation(orientation)])
        chunks[0][1] = bytes([flags]) + chunks[0][1][1:]
    # A simple WebP (no VP8X) cannot carry EXIF at all: nothing to keep.
    body = b"".join(kind + struct.pack("<I", len(b)) + b + (b"\x00" if len(b) & 1 else b"")
                    for kind, b in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def clean(data: bytes) -> bytes:
    """The photo without its metadata, the picture unchanged; raises NotAPhoto."""
    try:
        with open_photo(data) as im:    # by the bytes; within the pixel limit
            fmt, orientation = im.format, _orientation(im)
    except BadPhoto as e:
        raise NotAPhoto(str(e)) from None
    try:
        cleaned = {"JPEG": _clean_jpeg, "PNG": _clean_png, "WEBP": _clean_webp}[fmt](data, orientation)
        with open_photo(cleaned) as im:
            still_located = located(im)
    except Exception:   # struct.error, IndexError, a result Pillow cannot read…
        raise NotAPhoto(DAMAGED) from None
    if still_located:   # metadata where this module does not look: refuse, never pass it on
        raise NotAPhoto(f"无法清除这张照片里的拍摄地点：{DAMAGED}")
    return cleaned


def is_photo_name(name: str) -> bool:
    """Whether an upload of this name must go through clean() (every image
    name, not only those the site uses: a .jfif or .heic upload is cleaned or refused)."""
    return name.lower().endswith(IMAGE_SUFFIXES)


def needs_cleaning(name: str, data: bytes) -> bool:
    """Whether an upload must go through clean(): an image by its name or its bytes."""
    return is_photo_name(name) or image_format(data[:16]) is not None


def clean_file(path: Path) -> bool:
    """Clean one photo in place (atomically); whether it changed."""
    data = path.read_bytes()
    cleaned = clean(data)
    if cleaned == data:
        return False
    tmp = path.with_name(path.name + ".cleaning")
    tmp.write_bytes(cleaned)
    tmp.replace(path)
    return True


def clean_repository(root: Path, paths: list[Path] | None = None) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Clean the given photos, or every repository photo that carries a location.
    Returns (cleaned, [(photo, why it could not be cleaned)]): one photo that
    cannot be cleaned is named, and the others are cleaned all the same."""
    targets = paths if paths else located_photos(root)
    cleaned, failed = [], []
    for path in targets:
        try:
            if clean_file(path):
                cleaned.append(path)
        except NotAPhoto as e:
            failed.append((path, str(e)))
        except OSError as e:
            failed.append((path, f"无法读写这个文件（{e.strerror or e}）"))
    return cleaned, failed


def main(root: Path, paths: list[str]) -> int:
    """`clean-photos`: the command `make check` names for located photos."""
    chosen = [Path(p) if Path(p).is_absolute() else root / p for p in paths]
    cleaned, failed = clean_repository(root, chosen or None)
    for path in cleaned:
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
        print(f"已清除拍摄地点等隐藏信息：{shown}")
    for path, why in failed:
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
        print(f"无法清除 {shown}：{why}", file=sys.stderr)
    if not cleaned and not failed:
        print("没有带拍摄地点的照片。")
    return 1 if failed else 0
