"""The web page and the poster of a record show one view (records/view.py):
the same title, the same wording of its honours and the same address, read
back from the real mkdocs build's HTML and from the printed PDF (poppler,
zbarimg). And print takes any kind of the model: a kind without its own
templates/print/<kind>.html.j2, or with one lacking a macro, prints from
templates/print/_default.html.j2.
"""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.records import view
from scripts.records.loader import load_all
from tests.pdf_reading import page_count, page_texts, qr_codes, render_png, run, squeeze
from tests.test_print import SITE_URL, cli, jpeg, set_site_url

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


class Page(HTMLParser):
    """What a reader sees of a built page: its heading (the first <h1>), its
    text, and the addresses its QR codes carry (data-qr)."""

    def __init__(self, html: str):
        super().__init__()
        self.h1: list[str] = []
        self.text: list[str] = []
        self.qr: list[str] = []
        self._in_h1 = 0
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._in_h1 += 1
            self.h1.append("")
        if tag in ("script", "style"):
            self._skip += 1
        qr = dict(attrs).get("data-qr")
        if qr:
            self.qr.append(qr)

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 -= 1
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._in_h1:
            self.h1[-1] += data

    @property
    def heading(self) -> str:
        return self.h1[0].strip() if self.h1 else ""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture content under a site address, built by the real mkdocs
    build: (repository, site)."""
    from scripts.build.pipeline import build_site
    from tests.conftest import Repo

    work = tmp_path_factory.mktemp("views")
    repo = Repo(work, with_content=True)
    set_site_url(repo.path, SITE_URL)
    # An honour with every part, the year above all: its wording is what drifted.
    repo.write("exemplars/units/rongyu-dangzhibu.md", f"""\
        ---
        name: 荣誉社区党支部
        sector: 社区
        town: 兴华街道
        honours:
          - {{title: 全国先进基层党组织, body: 中共中央, level: 国家级, year: 2021, result: 受到表彰}}
          - {{title: 扎兰屯市先进基层党组织, year: 2019}}
        {REVIEWED}
        ---

        支部带领居民建设美丽社区。
        """)
    return repo.path, build_site(repo.path, work / "site")


# Published after 三审: the YAML lines of a record that may be printed.
REVIEWED = """review:
          first: {by: 编辑部, date: 2024-07-02}
          second: {by: 编辑部, date: 2024-07-02}
          final: {by: 编辑部, date: 2024-07-02}
        status: published"""


def web_page(site: Path, record) -> Page:
    path = site / view.page_url(record.kind.doc_path(record.id)) / "index.html"
    return Page(path.read_text(encoding="utf-8"))


def poster(root: Path, record, tmp_path: Path) -> tuple[str, list[str]]:
    """The printed poster of a record: (its text without whitespace, the
    addresses its QR codes open)."""
    done = cli(root, "--poster", record.id)
    assert done.returncode == 0, done.stderr
    pdf = root / "dist" / f"poster-{record.id}.pdf"
    assert page_count(pdf) == 1
    return squeeze(page_texts(pdf)[0]), qr_codes(render_png(pdf, tmp_path / record.id, 1, dpi=100))


def published(records, test) -> list:
    return [r for r in records if r.is_published and not r.is_sample and test(r)]


def test_a_film_and_a_unit_with_honours_show_the_same_on_the_web_and_on_paper(built, tmp_path):
    root, site = built
    records, _ = load_all(root)
    films = published(records, lambda r: "《" in r.kind.show.title)
    honoured = published(records, lambda r: r.id == "rongyu-dangzhibu")
    assert films, "the fixture has a real film"
    for r in (films[0], honoured[0]):
        title, address = view.title(r), view.record_address(SITE_URL, r)
        page = web_page(site, r)
        paper, codes = poster(root, r, tmp_path)
        assert page.heading == title, (r.id, page.heading)
        assert squeeze(title) in paper, r.id
        assert page.qr == [address] and codes == [address], (r.id, page.qr, codes)
        web_text = squeeze("".join(page.text))
        for h in r["honours"] or []:
            wording = squeeze(view.honour_text(h))
            assert wording in web_text, (r.id, wording)
            assert wording in paper, (r.id, wording)
            if h.get("year"):
                assert f"{h['year']}年" in wording
    assert view.title(films[0]).startswith("《") and view.title(films[0]).endswith("》")


def test_the_poster_of_a_unit_shows_the_cards_facts_line(built, tmp_path):
    root, site = built
    records, _ = load_all(root)
    by_id = {r.id: r for r in records if r.is_published and not r.is_sample}
    unit = next(r for r in by_id.values() if r.kind.name == "unit" and view.facts(r, by_id.get))
    paper, _ = poster(root, unit, tmp_path)
    assert squeeze(view.facts(unit, by_id.get)) in paper


NEW_KIND = """
  activity:
    label: 主题活动
    plural: 主题活动
    path: exemplars/activities/*.md
    url: exemplars/activities/{id}/
    title_field: name
    list: {order: [path], page_size: 50, searchable: false}
    show:
      title: "{name}（{year}）"
      picture: photo
      cover: place
      cover_group: place
      facts: ["{place}", "{day}", "{organisers}主办"]
    fields:
      name: {type: string, required: true, max: 60, label: 名称}
      year: {type: int, min: 1921, max: 2100, label: 年份}
      place: {type: string, max: 30, label: 地点}
      day: {type: date, label: 日期}
      organisers: {type: list, items: {type: ref_or_text, kinds: [unit]}, label: 主办单位}
      summary: {type: text, max: 300, label: 简介}
      photo: {type: media, media: image, label: 照片}
      photo_alt: {type: string, max: 120, label: 照片说明}
"""


def with_new_kind(root: Path) -> None:
    """The project's model with one more kind, as the repository's own."""
    text = (ROOT / "scripts" / "records" / "schema.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^kinds:\n", "kinds:\n" + NEW_KIND.lstrip("\n") + "\n", text, count=1)
    target = root / "scripts" / "records" / "schema.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def test_a_kind_without_print_templates_prints_a_poster_from_the_model(tmp_path):
    from tests.conftest import Repo
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    set_site_url(repo.path, SITE_URL)
    with_new_kind(repo.path)
    assert not (repo.path / "templates" / "print" / "activity.html.j2").exists()
    records, _ = load_all(repo.path)
    unit = next(r for r in records if r.kind.name == "unit" and r.is_published and not r.is_sample)
    repo.write("media/photos/dushu.jpg", jpeg(1200, 900))
    repo.write("exemplars/activities/dushu-hui.md", f"""\
        ---
        name: 红色读书会
        year: 2024
        place: 兴华街道
        day: 2024-07-01
        organisers: [{unit.id}, 市图书馆]
        summary: 党员和群众共读党史，交流学习体会。
        photo: media/photos/dushu.jpg
        photo_alt: 党员在社区书屋共读党史
        {REVIEWED}
        ---

        读书会每月举办一次。
        """)
    done = cli(repo.path, "--poster", "dushu-hui")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    pdf = repo.path / "dist" / "poster-dushu-hui.pdf"
    text = squeeze(page_texts(pdf)[0])
    assert "红色读书会（2024）" in text
    assert squeeze(f"兴华街道 · 2024-07-01 · {unit.title}、市图书馆主办") in text
    assert "党员和群众共读党史" in text and "党员在社区书屋共读党史" in text
    assert qr_codes(render_png(pdf, tmp_path / "poster", 1, dpi=100)) == [
        SITE_URL + "exemplars/activities/dushu-hui/"]
    # The picture named by show.picture is on the page (the QR code is drawn, not an image).
    images = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert len(images) >= 1


def test_a_kind_template_without_a_macro_falls_back_to_the_default(tmp_path):
    """The compilation with no templates/print/member.html.j2 at all: the
    members' chapters come from the default, titled and described by the model."""
    from tests.conftest import Repo
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    set_site_url(repo.path, SITE_URL)
    (repo.path / "templates" / "print" / "member.html.j2").unlink()
    done = cli(repo.path)
    assert done.returncode == 0, done.stderr
    records, _ = load_all(repo.path)
    printed = {r.id: r for r in records if r.is_published and not r.is_sample}
    members = [r for r in printed.values() if r.kind.name == "member"]
    assert members, "the fixture has real members"
    text = squeeze("".join(page_texts(repo.path / "dist" / "xianjin-dianxing-huibian.pdf")))
    for r in members:
        assert squeeze(view.title(r)) in text, r.id
        facts = view.facts(r, printed.get)
        if facts:
            assert squeeze(facts) in text, r.id
        for h in r["honours"] or []:
            assert squeeze(view.honour_text(h)) in text, r.id


def test_a_kind_without_templates_in_a_repository_without_the_default_is_a_clear_message(tmp_path):
    """Even with the default template deleted, no traceback: the print says
    which template is missing."""
    from tests.conftest import Repo
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    set_site_url(repo.path, SITE_URL)
    (repo.path / "templates" / "print" / "member.html.j2").unlink()
    (repo.path / "templates" / "print" / "_default.html.j2").unlink()
    done = cli(repo.path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "templates/print/_default.html.j2" in done.stderr, done.stderr
    shutil.rmtree(repo.path)


@pytest.mark.parametrize("url, noted", [
    ("https://192.168.1.20/dangjian/", True),
    ("https://127.0.0.1:8443/", True),
    (SITE_URL, False),
])
def test_a_poster_for_an_intranet_address_warns_as_the_release_gate_does(tmp_path, url, noted):
    """Print's test of a local address is the release gate's: an intranet
    address (192.168.x.x) opens nothing on a reader's phone either."""
    from scripts.check.release import site_url_problems
    from tests.conftest import Repo
    (tmp_path / "repo").mkdir()
    repo = Repo(tmp_path / "repo", with_content=True)
    set_site_url(repo.path, url)
    records, _ = load_all(repo.path)
    r = next(r for r in records if r.kind.name == "unit" and r.is_published and not r.is_sample)
    done = cli(repo.path, "--poster", r.id)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert ("本机或内网地址" in out) is noted, out
    gate = " ".join(p.message for p in site_url_problems(repo.path))
    assert ("本机或内网地址" in gate) is noted, gate
