"""Hostile images and records: decompression bombs, photos known by their
bytes rather than their names (.jfif, a HEIC named .jpg, damaged JPEGs), and
YAML tags. Nothing crashes, nothing is decoded that claims more than the pixel
limit, nothing with a position gets through uncleaned, and every refusal is a
Chinese message naming the file (and the record's field and line)."""
from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import yaml
from PIL import Image

from scripts.build.pipeline import build_site
from scripts.check import check
from scripts.check.photos_gps import has_location
from scripts.editor.photos import NotAPhoto, clean, is_photo_name, needs_cleaning
from scripts.problems import InputError
from scripts.records import images
from scripts.records.images import MAX_PIXELS, BadPhoto, image_format, open_photo
from scripts.records.yaml_reader import YamlFault, parse_yaml

from test_photos_gps import phone_photo, pixels

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile" / "content"
MY_CASES = ("bomb-png", "jfif-gps", "damaged-jpeg", "heic-named-jpg", "python-tag")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny grey PNG whose header claims width×height pixels."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1))) + chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to claim width×height."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


BOMB = png_claiming(60000, 60000)
HEIC = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + struct.pack(">I", 8) + b"meta"


def member(repo, photo: str, rid: str = "m") -> None:
    repo.write(f"exemplars/members/{rid}.md", f"---\nname: 张三\nphoto: {photo}\nphoto_alt: 照片\n---\n")


def run(repo, *args):
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


# --- the pixel limit ---------------------------------------------------------------

def test_the_limit_lets_every_phone_photo_through_and_refuses_beyond():
    # 50 MP phone sensors at full resolution (the largest: 8192×6144).
    for w, h in ((4000, 3000), (8160, 6120), (8192, 6144)):
        assert w * h <= MAX_PIXELS
    with open_photo(png_claiming(8192, 6144)) as im:
        assert im.size == (8192, 6144)
    for w, h in ((9248, 6936), (60000, 60000), (65535, 1000)):   # 64 MP, the bomb, a thin one
        with pytest.raises(BadPhoto, match=f"照片过大：{w}×{h} 像素（超过 6000 万像素的上限）"):
            open_photo(png_claiming(w, h))


@pytest.mark.parametrize("data", [BOMB, jpeg_claiming(65000, 65000)], ids=["png", "jpeg"])
def test_a_bomb_is_refused_from_its_header_and_pillows_own_errors_never_escape(data, recwarn):
    with pytest.raises(NotAPhoto, match="照片过大") as e:
        clean(data)
    assert "Decompression" not in str(e.value)
    with pytest.raises(BadPhoto, match="照片过大"):
        images._encode(data, ".png")
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_bomb_named_by_a_record_is_reported_at_its_field_and_the_build_stops_with_that(repo):
    repo.write("media/bomb.png", BOMB)
    repo.write("exemplars/members/m.md", "---\nname: 张三\nphoto: media/bomb.png\nphoto_alt: 照片\n"
               "photos:\n  - file: media/ok.png\n    alt: 乙\n  - file: media/bomb.png\n    alt: 甲\n---\n")
    out = io.BytesIO()
    Image.new("RGB", (30, 20)).save(out, "PNG")
    repo.write("media/ok.png", out.getvalue())
    found = {(p.path, p.line, p.field): p.message for p in check(repo.path)}
    assert set(found) == {("exemplars/members/m.md", 3, "photo（照片）"),
                          ("exemplars/members/m.md", 8, "photos[2].file（照片文件）")}
    for message in found.values():
        assert message.startswith("“media/bomb.png”照片过大：60000×60000 像素")
    with pytest.raises(InputError, match="照片过大"):
        build_site(repo.path, repo.path / "site")
    done = run(repo, "check")
    assert done.returncode == 1 and "照片过大：60000×60000" in done.stdout
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr


def test_a_bomb_nobody_names_is_reported_too_and_rendering_never_decodes_it(repo):
    from scripts.check import check_repository
    from scripts.render import render_site

    repo.write("content/assets/big.png", BOMB)
    (p,) = check(repo.path)
    assert (p.path, p.line) == ("content/assets/big.png", 1) and "照片过大：60000×60000" in p.message
    # Rendering a record that names it (as the preview's dirty pages could):
    # no crash, and the bomb is not copied into the site.
    member(repo, "media/bomb.png")
    repo.write("media/bomb.png", BOMB)
    snap, _ = check_repository(repo.path, wording=False)
    out = repo.path / ".build" / "docs-test"
    out.mkdir(parents=True)
    render_site(snap, out, preview=True)
    assert not (out / "media" / "bomb.png").exists()
    assert images.photo_size(repo.path, "media/bomb.png") is None


def test_clean_photos_names_a_bomb_and_cleans_the_others(repo):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0)}
    body = exif.tobytes()[6:]
    # A bomb that carries a position (an eXIf chunk before its picture).
    bomb = BOMB[:33] + struct.pack(">I", len(body)) + b"eXIf" + body \
        + struct.pack(">I", zlib.crc32(b"eXIf" + body)) + BOMB[33:]
    repo.write("media/a-bomb.png", bomb)
    good = repo.write("media/b-zoufang.jpg", phone_photo("JPEG"))
    assert has_location(repo.path / "media/a-bomb.png")
    done = run(repo, "clean-photos")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "无法清除 media/a-bomb.png：照片过大：60000×60000" in done.stderr
    assert "已清除拍摄地点等隐藏信息：media/b-zoufang.jpg" in done.stdout
    assert "Traceback" not in done.stderr and "Decompression" not in done.stderr
    assert not has_location(good)


# --- formats by their bytes --------------------------------------------------------

def test_formats_are_known_by_their_bytes():
    assert image_format(phone_photo("JPEG")[:16]) == "JPEG"
    assert image_format(phone_photo("PNG")[:16]) == "PNG"
    assert image_format(phone_photo("WEBP")[:16]) == "WEBP"
    assert image_format(HEIC[:16]) == "HEIC"
    assert image_format(b"\0\0\0\x1cftypavif") == "AVIF"
    assert image_format(b"\0\0\0\x1cftypisom") is None       # an MP4 video
    assert image_format(b"GIF89a\x01\x00") == "GIF"
    assert image_format(b"II*\x00\x08\x00\x00\x00") == "TIFF"
    assert image_format(b"<html><body>") is None


@pytest.mark.parametrize("fmt", ["TIFF", "GIF", "AVIF"])
def test_formats_the_site_does_not_use_are_refused_with_what_to_do(fmt):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, fmt)
    with pytest.raises(NotAPhoto, match="请转换为 JPG、PNG 或 WebP"):
        clean(out.getvalue())
    with pytest.raises(NotAPhoto, match="HEIC/HEIF.*请转换为 JPG、PNG 或 WebP"):
        clean(HEIC)


def test_upload_names_windows_and_phones_use_go_through_cleaning():
    for name in ("a.jfif", "A.JPG", "b.jpe", "c.heic", "d.HEIF", "e.avif", "f.tif", "g.gif", "h.webp"):
        assert is_photo_name(name), name
    assert not is_photo_name("notes.pdf")
    assert needs_cleaning("photo.bin", phone_photo("JPEG")) and not needs_cleaning("a.pdf", b"%PDF-1.7")


def test_a_jfif_or_a_png_named_jpg_is_cleaned_by_its_bytes(repo):
    jfif = repo.write("media/xiazai.jfif", phone_photo("JPEG"))
    png_as_jpg = repo.write("media/tupian.jpg", phone_photo("PNG"))
    webp_as_png = repo.write("content/assets/tu.png", phone_photo("WEBP"))
    found = {p.path for p in check(repo.path) if "拍摄地点" in p.message}
    assert found == {"media/xiazai.jfif", "media/tupian.jpg", "content/assets/tu.png"}
    assert "make clean-photos" in next(p.message for p in check(repo.path) if p.path == "media/xiazai.jfif")
    before = pixels(jfif.read_bytes())
    done = run(repo, "clean-photos")
    assert done.returncode == 0, done.stderr
    assert pixels(jfif.read_bytes()) == before
    assert not any(has_location(p) for p in (jfif, png_as_jpg, webp_as_png))
    assert not [p for p in check(repo.path) if "拍摄地点" in p.message]


def test_a_record_naming_a_jfif_is_told_to_rename_it(repo):
    repo.write("media/xiazai.jfif", clean(phone_photo("JPEG")))
    member(repo, "media/xiazai.jfif")
    (p,) = [p for p in check(repo.path) if p.path == "exemplars/members/m.md"]
    assert p.line == 3 and "文件类型不对" in p.message and "改成 .jpg" in p.message


def test_a_png_named_jpg_is_shown_as_a_jpeg(repo):
    repo.write("media/tupian.jpg", clean(phone_photo("PNG")))
    member(repo, "media/tupian.jpg")
    assert check(repo.path) == []
    path, size = images.photo(repo.path, "media/tupian.jpg")
    with Image.open(path) as im:
        assert im.format == "JPEG" and im.size == size


def test_a_damaged_jpeg_is_refused_never_passed_on_uncleaned(repo):
    photo = phone_photo("JPEG", xmp=False)
    i = photo.index(b"\xff\xdb")
    overrun = photo[:i + 2] + b"\xff\xf0" + photo[i + 4:i + 400]          # a length past the end
    no_end = photo[:photo.rindex(b"\xff\xd9")]                          # cut before its end
    garbage = photo[:photo.index(b"\xff\xdb")] + b"\x00\x11garbage"      # not a segment at all
    for data in (overrun, no_end, garbage):
        with pytest.raises(NotAPhoto, match="已损坏或结构不规范"):
            clean(data)
    repo.write("content/assets/a.jpg", overrun)
    (p,) = check(repo.path)
    assert p.path == "content/assets/a.jpg" and "无法检查" in p.message
    done = run(repo, "clean-photos", "content/assets/a.jpg")
    assert done.returncode == 1 and "无法清除 content/assets/a.jpg：图片文件已损坏" in done.stderr


def test_a_result_that_still_shows_a_position_is_refused_not_passed_on(monkeypatch):
    """Whatever the cleaning misses (metadata where it does not look), the
    result is read again as check reads it, and refused if a position shows."""
    from scripts.editor import photos

    monkeypatch.setattr(photos, "_clean_jpeg", lambda data, orientation: data)
    with pytest.raises(NotAPhoto, match="无法清除这张照片里的拍摄地点"):
        clean(phone_photo("JPEG"))


def test_a_heic_photo_anywhere_is_reported_and_refused_at_its_record(repo):
    repo.write("media/iphone.jpg", HEIC)
    repo.write("content/assets/IMG_0001.HEIC", HEIC)
    member(repo, "media/iphone.jpg")
    found: dict[tuple, str] = {}
    for p in check(repo.path):   # content/ and media/ files have other checks too (safety.py)
        found[(p.path, p.line)] = found.get((p.path, p.line), "") + p.message
    assert "HEIC/HEIF" in found[("exemplars/members/m.md", 3)]
    assert "请转换为 JPG、PNG 或 WebP" in found[("exemplars/members/m.md", 3)]
    for path in ("media/iphone.jpg", "content/assets/IMG_0001.HEIC"):
        assert "无法检查是否带有拍摄地点" in found[(path, 1)]


# --- YAML tags ------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, field, tag", [
    ("name: 甲\nsummary: !!python/object/apply:os.system\n  - echo pwned\n", 2, "summary",
     "!!python/object/apply:os.system"),
    ("name: 甲\nsummary: !!python/object/apply:os.system [echo]\n", 2, "summary", "!!python/object/apply"),
    ("a: !custom x\n", 1, "a", "!custom"),
    ("x: 1\ndata: !!binary aGVsbG8=\n", 2, "data", "!!binary"),
    ("honours:\n  - title: !!set {a}\n", 2, "honours[1].title", "!!set"),
    ("when: !!timestamp 2020-01-01\n", 1, "when", "!!timestamp"),
    ("--- !!omap\n- a: 1\n", 1, "", "!!omap"),
    ("!!python/name:os.system : 1\n", 1, "", "!!python/name:os.system"),
])
def test_yaml_tags_other_than_plain_data_are_refused_at_their_line(text, line, field, tag):
    with pytest.raises(YamlFault) as e:
        parse_yaml(text)
    assert (e.value.line, e.value.field) == (line, field)
    assert f"不能使用 YAML 标记 {tag}" in e.value.message


def test_the_tags_plain_yaml_needs_are_kept():
    assert parse_yaml("a: !!str 2010\nb: !!int '7'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\n"
                      "f: !!seq [1]\ng: !!map {h: 1}\nk: =\n<<: x\n")[0] == {
        "a": "2010", "b": 7, "c": 1.0, "d": True, "e": None, "f": [1], "g": {"h": 1}, "k": "=", "<<": "x"}


def test_a_tagged_record_is_a_problem_at_its_line(repo):
    repo.write("exemplars/units/t.md", "---\nname: 甲党支部\nsector: 农村\nsummary: !!python/object/apply:os.system\n"
               "  - echo pwned\n---\n正文。\n")
    (p,) = check(repo.path)
    assert (p.path, p.line, p.field) == ("exemplars/units/t.md", 4, "summary")
    assert "不能使用 YAML 标记 !!python/object/apply" in p.message


# --- the hostile corpus cases of this file's area -----------------------------------------

@pytest.mark.parametrize("case", MY_CASES)
def test_hostile_corpus_case(full_repo, case):
    """The cases as tests/hostile/README.md says (tests/test_hostile_corpus.py
    runs every case; this runs these few, with the fixture repository)."""
    folder = HOSTILE / case
    expect = yaml.safe_load((folder / "expect.yml").read_text(encoding="utf-8"))
    for src in folder.rglob("*"):
        if src.is_file() and src.name != "expect.yml":
            target = full_repo.path / src.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    found = [p for p in check(full_repo.path) if p.level == "error"]
    for want in expect["problems"]:
        assert any(p.path == want["path"] and want["message"] in p.message
                   and p.line == want.get("line", p.line) for p in found), (want, found)


def test_a_located_photo_in_a_format_cleaning_cannot_handle_says_to_convert_it(repo):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "TIFF", exif=exif.tobytes())
    repo.write("content/assets/scan.tif", out.getvalue())
    (p,) = [p for p in check(repo.path) if p.path == "content/assets/scan.tif" and "拍摄地点" in p.message]
    assert "TIFF 格式无法自动清除" in p.message and "请转换为 JPG、PNG 或 WebP" in p.message
    done = run(repo, "clean-photos")
    assert done.returncode == 1 and "无法清除 content/assets/scan.tif：这是 TIFF 格式的图片" in done.stderr
