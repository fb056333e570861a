"""The fixture content (tests/fixtures/site: the source's real records and a
few samples), built for real with mkdocs-material (strict). The live content
is checked for invariants in tests/test_shipped.py."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.records.loader import load_all

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
SOURCE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_1c554b14bc11d62e.txt"


def html_of(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_lists_count_their_records_with_the_samples_apart(built_site, root):
    records, _ = load_all(FIXTURE)
    for kind, noun, word in (("unit", "先进典型", "个"), ("video", "专题片", "部")):
        items = [r for r in records if r.kind.name == kind and r.is_published]
        samples = [r for r in items if r.is_sample]
        text = text_of(html_of(built_site, "exemplars/units" if kind == "unit" else "exemplars/videos"))
        assert f"本站共收录{noun} {len(items)} {word}，其中示例 {len(samples)} {word}" in text


def test_the_source_names_are_real_records_and_cross_linked(built_site):
    units = html_of(built_site, "exemplars/units")
    for name in ("城市综合执法局党委", "蘑菇气党委"):
        assert name in units
    honours = text_of(html_of(built_site, "honours"))
    for name in ("城市综合执法局党委", "蘑菇气党委", "刘廷江", "姜天佑", "全国“五好”党组织风采大赛", "推选我身边的优秀共产党员"):
        assert name in honours
    film = text_of(html_of(built_site, "exemplars/videos/siyi-shun-minxin"))
    assert "呼伦贝尔电视台" in film and "暂无视频文件" in film
    assert "内蒙古电视台" in text_of(html_of(built_site, "exemplars/videos/xiwang-de-tianye"))
    # A sample unit lists its member and film; they link back.
    unit = html_of(built_site, "exemplars/units/sample-unit-01")
    assert 'href="../../members/sample-member-01/"' in unit and 'href="../../videos/sample-video-01/"' in unit
    assert 'href="../../units/sample-unit-01/"' in html_of(built_site, "exemplars/members/sample-member-01")
    assert 'href="../../units/sample-unit-01/"' in html_of(built_site, "exemplars/videos/sample-video-01")


def test_every_figure_of_the_source_is_on_the_figures_page(built_site):
    page = text_of(html_of(built_site, "exemplars/figures"))
    for figure in ("18人", "16人", "3人", "59个", "70余万元", "500余条", "180多条", "5期", "370多人次",
                   "100%", "31个", "99个", "138个", "23个", "不少于2次", "2000㎡以上", "300㎡以上", "59部"):
        assert figure in page, figure


def test_news_first_post_is_the_source_article(built_site):
    text = text_of(html_of(built_site, "news/sandong-gongzuofa"))
    assert "扎兰屯市坚持“三动”工作法扎实推进党建功能区建设" in text
    assert "机制推动" in text and "活动促动" in text
    assert "扎兰屯市坚持“三动”工作法" in text_of(html_of(built_site, "news"))


def test_a_failed_build_leaves_the_previous_site_whole(full_repo):
    from scripts.build.pipeline import build_site
    from scripts.problems import InputError

    site = build_site(full_repo.path)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    full_repo.write("exemplars/units/broken.md", "---\nname: 坏记录\nsector: 城市\n---\n")
    with pytest.raises(InputError):
        build_site(full_repo.path)
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert before == after


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root for a network namespace")
@pytest.mark.timeout(600)    # a build of its own, allowed 300 s below, after the fixture's
def test_build_needs_no_network(full_repo):
    """`unshare -n` gives the build a network namespace with no interface at all."""
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "scripts", "--root", str(full_repo.path), "build"],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (full_repo.path / "site" / "index.html").exists()


def test_cli_reports_problems_in_chinese_without_traceback(full_repo):
    full_repo.write("exemplars/units/broken.md", "---\nname: 坏记录\nsectr: 农村\n---\n")
    out = subprocess.run([sys.executable, "-m", "scripts", "--root", str(full_repo.path), "build"],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True)
    assert out.returncode == 1
    assert "exemplars/units/broken.md:3: sectr: 未知字段“sectr”，是否想写“sector”？" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (full_repo.path / "site").exists()
