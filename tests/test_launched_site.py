"""The launched site (#23 item 2, #24 item 3): the samples deleted, a few real
records, some kinds with none. A column without a published record is not
on the site at all (menu, home page, 网站地图, sitemap.xml, its list page,
any link to it) and comes with its first record; each story shows once on
the first screen; the play mark only on a film one can play; the source's
figures said apart from the site's own counts; 通知公告 a column like any."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.portal_repo import REVIEW, write_real_records

pytestmark = pytest.mark.slow

# Kinds the real records of portal_repo leave empty, with their labels and list folders.
EMPTY = {"sms": ("红色短信", "exemplars/sms/"), "notice": ("通知公告", "notices/")}
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16


def build(repo, name: str = "site", preview: bool = False) -> Path:
    from scripts.build.pipeline import build_site
    return build_site(repo.path, repo.path / name, preview=preview)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def article(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    m = re.search(r"<article\b.*?</article>", html, re.S)
    assert m, page
    return m.group(0)


def tabs(page: Path) -> list[str]:
    bar = re.search(r'<nav class="md-tabs".*?</nav>', page.read_text(encoding="utf-8"), re.S)
    assert bar, page
    return [text_of(label).strip() for label in re.findall(r'class="md-tabs__link[^"]*">(.*?)</a>', bar[0], re.S)]


def hrefs(site: Path) -> set[str]:
    """Every in-site address any page links to, as a path under the site."""
    out = set()
    for page in site.rglob("*.html"):
        base = "/" + page.relative_to(site).as_posix()
        for href in re.findall(r'href="([^"#]+)', page.read_text(encoding="utf-8")):
            if "://" not in href and not href.startswith(("mailto:", "data:")):
                out.add(urlsplit(urljoin(base, href)).path)
    return out


def sitemap_xml(site: Path) -> str:
    return (site / "sitemap.xml").read_text(encoding="utf-8")


def publish_one_of_each_empty(repo) -> None:
    repo.write("exemplars/sms/dangyuan.yml", f"text: 党员冲在前，群众有靠山。\nauthor: 李明\n{REVIEW}\nstatus: published\n")
    repo.write("content/notices/peixun-tongzhi.md",
               f"---\ntitle: 关于举办春季党员培训班的通知\ndate: 2026-02-20\nsource: 中共扎兰屯市委组织部\n"
               f"summary: 定于3月2日举办春季党员培训班。\n{REVIEW}\nstatus: published\n---\n\n请各党支部按时参加。\n")


@pytest.fixture
def launched(repo):
    write_real_records(repo)
    return repo


def test_an_empty_column_is_nowhere_until_its_first_record(launched):
    site = build(launched)
    home, sitemap = site / "index.html", site / "sitemap" / "index.html"
    links = hrefs(site)
    for name, (label, folder) in EMPTY.items():
        assert not (site / folder).exists(), name                    # no list page
        assert label not in tabs(home), name                          # not in the menu
        assert label not in text_of(article(home)), name              # no home section, tile or link
        assert label not in text_of(article(sitemap)), name           # not in 网站地图
        assert f"/{folder}" not in sitemap_xml(site), name            # not in sitemap.xml
        assert not any(h.startswith(f"/{folder}") for h in links), name   # no page links to it
    # The columns with records are all there (the test is not vacuous).
    for label in ("先进典型", "专题片", "数说党建", "工作动态"):
        assert label in tabs(home) and label in text_of(article(sitemap))
    assert "/exemplars/units/" in links and "exemplars/units/" in sitemap_xml(site)
    # A hand-written page's link to the hidden column is its text only.
    page = article(site / "sandong" / "xuanchuan-daidong" / "index.html")
    assert "红色短信" in text_of(page) and "exemplars/sms" not in page

    publish_one_of_each_empty(launched)
    site = build(launched)
    home, sitemap = site / "index.html", site / "sitemap" / "index.html"
    links = hrefs(site)
    for name, (label, folder) in EMPTY.items():
        assert (site / folder / "index.html").is_file(), name
        assert label in tabs(home) and label in text_of(article(home)), name
        assert label in text_of(article(sitemap)) and f"/{folder}" in sitemap_xml(site), name
        assert any(h.startswith(f"/{folder}") for h in links), name
    assert "exemplars/sms/" in article(site / "sandong" / "xuanchuan-daidong" / "index.html")


def test_the_preview_shows_a_column_with_drafts_only(launched):
    launched.write("exemplars/sms/caogao.yml", "text: 学理论，见行动。\nstatus: draft\n")
    public, preview = build(launched), build(launched, "preview", preview=True)
    assert not (public / "exemplars/sms").exists() and "红色短信" not in tabs(public / "index.html")
    assert (preview / "exemplars/sms/index.html").is_file() and "红色短信" in tabs(preview / "index.html")


def test_the_first_screen_shows_each_story_once(repo):
    """One post, no photo: the headline, not also the news column beside it,
    and no drawn cover repeating its title."""
    write_real_records(repo)
    for p in (repo.path / "content/news/posts").glob("*.md"):
        p.unlink()
    title = "我市召开党建工作推进会"
    repo.write("content/news/posts/tuijinhui.md", f"---\ntitle: {title}\ndate: 2026-03-02\ncategories: [党建动态]\n"
               f"summary: 市委组织部召开党建工作推进会。\n{REVIEW}\nstatus: published\n---\n\n会议部署了全年工作。\n")
    site = build(repo)
    home = article(site / "index.html")
    top = re.search(r'<div class="zlt-home-top">.*?(?=<div class="zlt-section)', home, re.S).group(0)
    assert text_of(top).count(title) == 1, text_of(top)
    assert "assets/covers/news/" not in top and "zlt-headline--text" in top
    # The tiles to the other columns are still beside it.
    assert "zlt-tiles" in top and "先进典型" in text_of(top)
    assert text_of(home).count(title) == 1


def test_the_play_mark_and_player_only_for_a_film_with_its_file(launched):
    site = build(launched)
    film = article(site / "exemplars/videos/tianye-shouwang/index.html")
    assert "<video" not in film and "暂无视频文件" in text_of(film)
    for page in (site / "index.html", site / "exemplars/videos/index.html"):
        assert "zlt-card__media--film" not in article(page), page
    assert "zlt-cards--film" in article(site / "exemplars/videos/index.html")   # the shape stays

    launched.write("media/videos/tianye.mp4", MP4_HEAD)
    path = launched.path / "exemplars/videos/tianye-shouwang.md"
    path.write_text(path.read_text(encoding="utf-8").replace("summary:", "video: media/videos/tianye.mp4\nsummary:"),
                    encoding="utf-8")
    site = build(launched)
    assert "<video" in article(site / "exemplars/videos/tianye-shouwang/index.html")
    for page in (site / "index.html", site / "exemplars/videos/index.html"):
        assert "zlt-card__media--film" in article(page), page


def test_the_sources_figures_are_said_apart_from_the_sites_counts(launched):
    from scripts.records.loader import read_repository
    from scripts.render.site import Site

    site = build(launched)
    snap = read_repository(launched.path)
    counts = Site(snap.schema, snap.records, preview=False)
    own = "本站收录：" + " · ".join(f"{k.label} {counts.count(n)[0]} {counts.measure(k)}"
                                for n, k in snap.schema.kinds.items() if counts.shown(n) and not k.is_list_file)
    for page in (site / "index.html", site / "exemplars/figures/index.html"):
        html = article(page)
        source = re.search(r'<p class="zlt-figures__source">(.*?)</p>', html, re.S)
        mine = re.search(r'<p class="zlt-figures__site">(.*?)</p>', html, re.S)
        assert source and "原文" in source.group(1) and "截至原文发布时" in source.group(1), page
        assert mine and text_of(mine.group(1)).strip() == own + "。", page
    assert "先进典型 2 个" in own and "专题片 1 部" in own


def test_a_page_alone_in_its_section_has_no_sidebar_of_itself(launched):
    site = build(launched)
    html = (site / "exemplars/figures/index.html").read_text(encoding="utf-8")
    primary = re.search(r'<div class="md-sidebar md-sidebar--primary"[^>]*>', html)
    assert primary and "hidden" in primary.group(0)
    # A section of several pages keeps its menu.
    html = (site / "sandong/jizhi-tuidong/index.html").read_text(encoding="utf-8")
    primary = re.search(r'<div class="md-sidebar md-sidebar--primary"[^>]*>', html)
    assert primary and "hidden" not in primary.group(0)


def test_notices_are_a_column_newest_first_listed_on_the_home_page(launched):
    publish_one_of_each_empty(launched)
    launched.write("content/notices/zhengwen.md",
                   f"---\ntitle: 关于征集红色短信的通知\ndate: 2026-03-10\n{REVIEW}\nstatus: published\n---\n\n欢迎投稿。\n")
    site = build(launched)
    listing = text_of(article(site / "notices/index.html"))
    assert listing.index("关于征集红色短信的通知") < listing.index("关于举办春季党员培训班的通知")
    assert (site / "notices/peixun-tongzhi/index.html").is_file()
    home = article(site / "index.html")
    section = re.search(r'<h2[^>]*>通知公告</h2>.*?</div>', home, re.S)
    assert section and "关于举办春季党员培训班的通知" in section.group(0) and "zlt-card" not in section.group(0)

    from scripts.records.schema import schema_for
    notice = schema_for(launched.path).kinds["notice"]
    assert (notice.audit.idle_days, notice.audit.warn_days) == (180, 14)


def test_the_release_gate_does_not_fail_a_site_of_few_columns(repo):
    """Units and members only: five columns with no record are hidden, not
    five empty columns (a veto before)."""
    from datetime import date
    from scripts.audit import audit
    from tests.test_release import clean_repo, release

    clean_repo(repo)
    done = release(repo.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "空白栏目" not in done.stdout
    empty = next(i for i in audit(repo.path, date(2026, 11, 28), build=False).items if i.key == "empty")
    assert empty.status == "pass" and not empty.problems
    hidden = {line.split("”")[0].split("“")[1] for line in empty.info}
    assert {"红色短信", "通知公告", "专题片", "工作动态", "数说党建"} <= hidden


def test_the_menu_follows_the_pages_written_also_when_built_again(tmp_path):
    """mkdocs' nav (the plugin: nav_for with docs_dir) has a model entry only
    where its list page was written; a configuration built again (the
    preview's rebuilds) loses the entry of a column emptied since."""
    from scripts.records.schema import schema_for
    from scripts.render.navigation import nav_for
    from tests.conftest import ROOT

    schema = schema_for(ROOT)
    own = [{"首页": "index.md"}]
    for kind in schema.kinds.values():
        if kind.show.menu:
            (tmp_path / kind.list_path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / kind.list_path).write_text("# x\n", encoding="utf-8")
    labels = lambda nav: [next(iter(item)) for item in nav]   # noqa: E731
    full = nav_for(schema, own, docs_dir=tmp_path)
    assert "红色短信" in labels(full) and "通知公告" in labels(full)
    (tmp_path / schema.kinds["sms"].list_path).unlink()
    again = nav_for(schema, full, docs_dir=tmp_path)
    assert "红色短信" not in labels(again) and "通知公告" in labels(again)
    # 荣誉榜 (a derived page) was never written: not under 先进典型 either.
    unit = next(item for item in again if "先进典型" in item)["先进典型"]
    assert [next(iter(k)) for k in unit[1:] if isinstance(k, dict)] == ["优秀共产党员"]
    # 先进典型 emptied: 优秀共产党员 under it moves up to the top.
    (tmp_path / schema.kinds["unit"].list_path).unlink()
    moved = nav_for(schema, again, docs_dir=tmp_path)
    assert "先进典型" not in labels(moved) and "优秀共产党员" in labels(moved)
