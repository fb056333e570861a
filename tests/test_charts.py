"""数说党建 charts: honest, accessible, deterministic inline SVG."""
import re
import xml.etree.ElementTree as ET

from scripts.build.pipeline import generate
from scripts.check import check
from scripts.render.charts import BACKGROUND, FONT, WIDTH, _text_width, bar_chart

SVG = "{http://www.w3.org/2000/svg}"
FIGURES = """
- {id: a, value: 500, qualifier: 余, unit: 条, label: 征集励志短信, wording: 征集500余条。, section: 宣传带动, chart: sms}
- {id: b, value: 180, qualifier: 多, unit: 条, label: 获奖短信, wording: 180多条。, section: 宣传带动, chart: sms}
- {id: c, value: 2, qualifier: 不少于, unit: 次, label: 联系点, wording: 不少于2次。, section: 机制推动, chart: visits}
- {id: d, value: 1, unit: 次, label: 座谈, wording: 1次。, section: 机制推动, chart: visits}
- {id: e, value: 2000, qualifier: 以上, unit: ㎡, label: 办公用房, wording: 2000㎡以上。, section: 活动促动}
"""


def gen(repo):
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs)
    return lambda rel: (docs / rel).read_text(encoding="utf-8")


def figures_of(page: str) -> dict[str, ET.Element]:
    """Every chart <figure> on a page, parsed as XML, by id."""
    found = re.findall(r'<figure class="zlt-chart".*?</figure>', page, re.S)
    return {f.get("id"): f for f in map(ET.fromstring, found)}


def luminance(hex_colour: str) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_one_chart_per_group_above_the_table_of_every_number(repo):
    repo.write_items("exemplars/figures", FIGURES)
    page = gen(repo)("exemplars/figures/index.md")
    assert set(figures_of(page)) == {"chart-sms", "chart-visits"}
    for words in ("500余条", "180多条", "不少于2次", "1次", "2000㎡以上"):
        assert f"**{words}**" in page  # the table still gives every number as text
    assert page.index('id="chart-visits"') < page.index("| 联系点 |")


def test_a_chart_names_itself_and_says_every_number_as_the_source_does(repo):
    repo.write_items("exemplars/figures", FIGURES)
    fig = figures_of(gen(repo)("exemplars/figures/index.md"))["chart-sms"]
    svg = fig.find(f"{SVG}svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}title").text == "征集励志短信、获奖短信（单位：条）"
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("征集励志短信：500余条；获奖短信：180多条。") and "不少于" in desc
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["征集励志短信", "500余条", "获奖短信", "180多条"]
    assert "Noto Sans CJK SC" in svg.get("font-family") and "Microsoft YaHei" in svg.get("font-family")


def test_bars_share_a_scale_and_a_qualifier_gets_a_dashed_more_than_segment(repo):
    repo.write_items("exemplars/figures", FIGURES)
    charts = figures_of(gen(repo)("exemplars/figures/index.md"))
    rects = [r for r in charts["chart-visits"].iter(f"{SVG}rect") if r.get("x")]
    solid = [r for r in rects if r.get("fill") != "none"]
    dashed = [r for r in rects if r.get("stroke-dasharray")]
    assert float(solid[0].get("width")) == 2 * float(solid[1].get("width"))  # 2 and 1
    assert len(dashed) == 1 and float(dashed[0].get("y")) < float(solid[1].get("y"))  # only 不少于2次
    sms = [r for r in charts["chart-sms"].iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(sms) == 2  # 余 and 多
    assert "虚线段表示" in ET.tostring(charts["chart-sms"].find("figcaption"), encoding="unicode")


def test_every_colour_meets_wcag_aa_and_everything_fits_the_picture(built_site):
    page = (built_site / "exemplars/figures/index.html").read_text(encoding="utf-8")
    charts = figures_of(page)
    assert len(charts) == 6
    for fig in charts.values():
        svg = fig.find(f"{SVG}svg")
        assert svg.get("viewBox") == f"0 0 {WIDTH} {svg.get('height')}"
        for t in svg.iter(f"{SVG}text"):
            assert contrast(t.get("fill"), BACKGROUND) >= 4.5
            # estimated with full-width CJK, which is wider than Noto's digits
            assert float(t.get("x")) + _text_width(t.text, FONT) <= WIDTH
        for r in svg.iter(f"{SVG}rect"):
            colour = r.get("stroke") if r.get("fill") == "none" else r.get("fill")
            if colour != BACKGROUND:
                assert contrast(colour, BACKGROUND) >= 3  # non-text contrast


def test_charts_are_byte_identical_across_builds(full_repo, built_site):
    pages = ("exemplars/figures/index.md", "index.md")
    first = gen(full_repo)
    a = {p: first(p) for p in pages}
    again = gen(full_repo)
    assert a == {p: again(p) for p in pages}
    built = (built_site / "exemplars/figures/index.html").read_text(encoding="utf-8")
    made = a["exemplars/figures/index.md"]
    svgs = re.findall(r"<svg xmlns=.*?</svg>", made, re.S)
    assert len(svgs) == 6 and all(s in built for s in svgs)


def test_the_home_page_shows_its_featured_figures_large_and_links_to_the_charts(built_site):
    """数说党建 on the home page: a few large figures (the charts are one tap away)."""
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert list(figures_of(home)) == []
    values = re.findall(r'<p class="zlt-figure__value">(.*?)</p>', home)
    words = [re.sub(r"<[^>]+>", "", v) for v in values]
    assert words == ["59个", "59部", "370多人次", "31个", "138个"]
    assert 'href="exemplars/figures/"' in home


def test_a_chart_of_mixed_units_is_refused_with_file_line_and_field(repo):
    repo.write_items("exemplars/figures", FIGURES.replace("unit: 条, label: 获奖短信", "unit: 个, label: 获奖短信"))
    problems = [str(p) for p in check(repo.path)]
    assert problems == ["exemplars/figures/b.yml:3: unit（计量单位）: 图表分组“sms”中的数字计量单位须相同："
                        "这一条是“个”，同组其他条是“条”。请改正计量单位，或把这一条的 chart 改为另一个分组"]


def test_no_figure_in_a_group_draws_nothing():
    assert bar_chart([], "none", str) == ""
