"""Photos and where they were taken: `check` names every repository photo that
still carries a GPS position, with the command that cleans it; the cleaning
removes the position and the camera data and keeps the picture byte for byte
(and the orientation). The workbench's uploads go through the same cleaning
(tests/test_workbench_api.py, tests/browser/test_workbench.py)."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from scripts.check import check
from scripts.check.photos_gps import has_location
from scripts.editor.photos import NotAPhoto, clean

ROOT = Path(__file__).resolve().parent.parent
GPS_IFD, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
       b'exif:GPSLatitude="48,0.5N" exif:GPSLongitude="122,44.1E"/></rdf:RDF></x:xmpmeta>')


def phone_photo(fmt: str = "JPEG", orientation: int = 6, xmp: bool = True, **save) -> bytes:
    """A photo as a phone writes it: GPS position, camera, orientation (and XMP)."""
    im = Image.new("RGB", (64, 48))
    im.putdata([(x * 4 % 256, y * 5 % 256, (x * y) % 256) for y in range(48) for x in range(64)])
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "HUAWEI", "P40", orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    if xmp and fmt != "PNG":
        save["xmp"] = XMP
    out = io.BytesIO()
    im.save(out, fmt, exif=exif, **save)
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").tobytes()


def metadata(data: bytes) -> tuple[dict, dict]:
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        return dict(exif), dict(exif.get_ifd(GPS_IFD))


def scan(data: bytes) -> bytes:
    """A JPEG's compressed picture: from its first scan to its end."""
    return data[data.index(b"\xff\xda"):data.index(b"\xff\xd9", data.index(b"\xff\xda")) + 2]


@pytest.mark.parametrize("fmt, save", [("JPEG", {"quality": 90}), ("JPEG", {"progressive": True}),
                                       ("PNG", {}), ("WEBP", {"lossless": True}), ("WEBP", {"quality": 80})])
def test_cleaning_removes_the_location_and_camera_and_keeps_the_picture_upright(tmp_path, fmt, save):
    original = phone_photo(fmt, **save)
    path = tmp_path / f"photo.{fmt.lower()}"
    path.write_bytes(original)
    assert has_location(path)
    cleaned = clean(original)
    exif, gps = metadata(cleaned)
    assert gps == {} and MAKE not in exif and MODEL not in exif and b"GPS" not in cleaned
    assert exif.get(ORIENTATION) == 6
    assert pixels(cleaned) == pixels(original)
    path.write_bytes(cleaned)
    assert not has_location(path)
    assert clean(cleaned) == cleaned          # cleaning twice changes nothing


def test_jpeg_picture_data_is_copied_byte_for_byte_and_appended_photos_are_dropped():
    original = phone_photo("JPEG", quality=95)
    with_trailer = original + b"\xff\xd8MPF depth map and a second photo with GPS\xff\xd9"
    cleaned = clean(with_trailer)
    assert scan(cleaned) == scan(original)
    assert cleaned.endswith(scan(original)) and b"depth map" not in cleaned


def test_an_upright_photo_gets_no_exif_at_all():
    exif, _ = metadata(clean(phone_photo("JPEG", orientation=1)))
    assert exif == {}


def test_what_is_not_a_photo_is_refused():
    with pytest.raises(NotAPhoto):
        clean(b"GIF89a not a photo")
    with pytest.raises(NotAPhoto):
        clean(phone_photo("JPEG")[:200])


def test_check_names_a_located_photo_added_by_hand_with_the_command_that_cleans_it(repo):
    repo.write("media/photos/zoufang.jpg", phone_photo("JPEG"))
    repo.write("content/assets/logo.png", phone_photo("PNG"))
    repo.write("media/photos/clean.jpg", clean(phone_photo("JPEG")))
    found = {(p.path, p.line): p for p in check(repo.path)}
    assert set(found) == {("media/photos/zoufang.jpg", 1), ("content/assets/logo.png", 1)}
    for p in found.values():
        assert p.level == "error" and "拍摄地点" in p.message and "make clean-photos" in p.message


def run(repo, *args):
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_the_named_command_cleans_every_located_photo_and_check_then_passes(repo):
    photo = repo.write("media/photos/zoufang.jpg", phone_photo("JPEG"))
    before = photo.read_bytes()
    done = run(repo, "check")
    assert done.returncode == 1 and "media/photos/zoufang.jpg:1: " in done.stdout
    done = run(repo, "clean-photos")
    assert done.returncode == 0 and "media/photos/zoufang.jpg" in done.stdout, done.stderr
    assert pixels(photo.read_bytes()) == pixels(before) and not has_location(photo)
    assert run(repo, "check").returncode == 0
    assert "没有带拍摄地点的照片" in run(repo, "clean-photos").stdout


def test_make_clean_photos_is_the_target_check_names():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nclean-photos:" in makefile
    assert re.search(r"\nclean-photos:.*\n\t\$\(BIN\)/python -m scripts [^\n]*clean-photos\n", makefile)
