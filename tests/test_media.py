"""Photos: re-encoded at build (at most 1200 px wide, EXIF gone, same bytes
every time), with width and height in the HTML; alt text required."""
from __future__ import annotations

import io
import re

from PIL import Image

from scripts.build.pipeline import build_site
from scripts.check import check

REVIEWED = ("review:\n  first: {by: 编辑部, date: 2026-11-25}\n  second: {by: 办公室, date: 2026-11-26}\n"
            "  final: {by: 分管领导, date: 2026-11-27}\n")


def jpeg_with_exif(size, orientation=1) -> bytes:
    im = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"          # Make
    exif[0x0112] = orientation            # Orientation
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def images(html: str) -> list[dict]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def unit(repo, extra=""):
    repo.write("exemplars/units/a.md", "---\nname: 甲党支部\nsector: 农村\nphoto: media/big.jpg\n"
               "photo_alt: 党员在村委会开会\n" + extra + REVIEWED + "status: published\n---\n\n正文。\n")


def test_a_big_photo_is_resized_stripped_and_sized_in_the_html(full_repo):
    repo = full_repo
    repo.write("media/big.jpg", jpeg_with_exif((3000, 2000)))
    repo.write("media/tall.png", _png((600, 900)))
    unit(repo, "photos:\n  - file: media/tall.png\n    alt: 竖版照片\n")
    assert check(repo.path) == []
    site = build_site(repo.path, repo.path / "site")
    out = (site / "media/big.jpg").read_bytes()
    with Image.open(io.BytesIO(out)) as im:
        assert im.format == "JPEG" and im.size == (1200, 800)
        assert not im.getexif() and "exif" not in im.info
    assert len(out) < len((repo.path / "media/big.jpg").read_bytes())
    imgs = {i["alt"]: i for i in images((site / "exemplars/units/a/index.html").read_text(encoding="utf-8"))}
    assert (imgs["党员在村委会开会"]["width"], imgs["党员在村委会开会"]["height"]) == ("1200", "800")
    assert (imgs["竖版照片"]["width"], imgs["竖版照片"]["height"]) == ("600", "900")
    with Image.open(site / "media/tall.png") as im:
        assert im.size == (600, 900)

    # Deterministic: a rebuild from scratch gives the same bytes.
    import shutil
    shutil.rmtree(repo.path / ".build")
    again = build_site(repo.path, repo.path / "site2")
    assert (again / "media/big.jpg").read_bytes() == out


def test_a_rotated_photo_is_turned_upright_before_exif_goes(repo):
    from scripts.records.images import photo
    repo.write("media/big.jpg", jpeg_with_exif((1600, 1000), orientation=6))  # 90° clockwise
    path, size = photo(repo.path, "media/big.jpg")
    assert size == (1000, 1600)
    with Image.open(path) as im:
        assert im.size == (1000, 1600) and not im.getexif()


def test_a_photo_without_alt_text_is_an_error(repo):
    repo.write("media/big.jpg", jpeg_with_exif((100, 100)))
    repo.write("exemplars/members/m.md", "---\nname: 张三\nphoto: media/big.jpg\n---\n")
    (p,) = check(repo.path)
    assert (p.path, p.line, p.level) == ("exemplars/members/m.md", 3, "error")
    assert p.field == "photo_alt（照片说明）" and "有照片就要写照片说明" in p.message
    repo.write("exemplars/members/m.md", "---\nname: 张三\nphotos:\n  - file: media/big.jpg\n---\n")
    (p,) = check(repo.path)
    assert (p.line, p.field) == (4, "photos[1].alt") and "缺少必填字段“alt”" in p.message


def test_a_file_that_is_not_an_image_is_an_error(repo):
    repo.write("media/fake.jpg", b"not a photo")
    repo.write("exemplars/members/m.md", "---\nname: 张三\nphoto: media/fake.jpg\nphoto_alt: 照片\n---\n")
    # (safety.py also names the file itself, in media/)
    (p,) = [p for p in check(repo.path) if p.path == "exemplars/members/m.md"]
    assert p.line == 3 and "无法作为图片打开" in p.message


def _png(size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, "PNG")
    return out.getvalue()
