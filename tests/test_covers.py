"""Covers for records without a photo or poster (scripts/render/covers.py)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from scripts.build.pipeline import generate
from scripts.render.covers import NO_LINE_START, cover_path, cover_svg, wrap

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(SVG + "text")]


def test_a_cover_names_kind_group_title_and_site_and_is_valid_svg():
    svg = cover_svg("place", "先进典型", "城市综合执法局党委", "机关", site_name="扎兰屯党建网")
    assert texts(svg) == ["先进典型 · 机关", "城市综合执法局党委", "扎兰屯党建网"]
    assert "<image" not in svg and "href" not in svg      # drawn, nothing loaded
    assert cover_svg("place", "先进典型", "城市综合执法局党委", "机关", site_name="扎兰屯党建网") == svg
    # A film's card has its play mark where the site's name would be: left out.
    assert texts(cover_svg("film", "专题片", "希望的田野", "", site_name="扎兰屯党建网")) == ["专题片", "希望的田野"]


def test_a_sample_cover_says_so():
    assert "示例" in texts(cover_svg("portrait", "优秀共产党员", "张三", sample=True))
    assert "示例" not in texts(cover_svg("portrait", "优秀共产党员", "张三"))


def test_a_hostile_title_is_text():
    svg = cover_svg("screen", "工作动态", '</text><script>alert(1)</script>&"', "")
    ET.fromstring(svg)
    assert "<script>" not in svg and "&lt;/text&gt;&lt;script&gt;" in "".join(svg.split())


def test_titles_wrap_without_a_line_starting_with_closing_punctuation():
    lines = wrap("扎兰屯市坚持“三动”工作法，扎实推进党建功能区建设。", 6, 9)
    assert "".join(lines) == "扎兰屯市坚持“三动”工作法，扎实推进党建功能区建设。"
    assert all(line[0] not in NO_LINE_START for line in lines)
    assert all(not line.endswith(("“", "（", "《")) for line in lines)
    cut = wrap("一二三四五六七八九十" * 5, 10, 2)
    assert len(cut) == 2 and cut[-1].endswith("…")


def test_records_without_a_picture_get_a_cover_and_those_with_one_do_not(repo):
    from tests.portal_repo import write_real_records
    write_real_records(repo)
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs)
    assert not (docs / cover_path("unit", "hongxing-cun")).exists()          # it has a photo
    assert (docs / cover_path("unit", "xingfu-shequ")).exists()
    assert (docs / cover_path("video", "tianye-shouwang")).exists()
    assert not (docs / cover_path("news", "chunji-peixun")).exists()
    assert (docs / cover_path("news", "dongji-zoufang")).exists()
    units = (docs / "exemplars/units/index.md").read_text(encoding="utf-8")
    assert 'src="../../assets/covers/unit/xingfu-shequ.svg"' in units
    assert 'src="../../media/photos/hongxing.jpg"' in units


def _film_play_mark() -> dict[str, float]:
    """The film card's play mark as site.css places it (shares of the picture)."""
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "templates/overrides/assets/zlt/site.css").read_text(encoding="utf-8")
    rule = re.search(r"\.zlt-card__media--film::after\s*\{([^}]*)\}", css).group(1)
    return {k: float(re.search(rf"(?:^|[;\s]){k}:\s*([\d.]+)%", rule).group(1)) / 100
            for k in ("left", "bottom", "width")}


def test_the_play_mark_never_covers_a_films_title():
    from scripts.render.covers import SHAPES

    s = SHAPES["film"]
    mark = _film_play_mark()
    side = mark["width"] * s.width                      # square (aspect-ratio: 1)
    mark_top = s.height * (1 - mark["bottom"]) - side
    mark_right = s.width * (mark["left"] + mark["width"])
    for title in ("希望", "希望的田野", "四议顺民心，公开促和谐", "一" * 60, "Zhalantun " * 8):
        root = ET.fromstring(cover_svg("film", "专题片", title, "呼伦贝尔电视台", sample=True))
        lines = [t for t in root.iter(SVG + "text") if t.get("font-weight") == "700" and t.get("fill") == "#ffffff"]
        assert lines, title
        for t in lines:
            bottom = float(t.get("y")) + 0.25 * float(t.get("font-size"))    # descenders
            assert bottom < mark_top or float(t.get("x")) > mark_right, (title, t.text, bottom, mark_top)
