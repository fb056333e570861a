"""scripts/records/view.py: the one view of a record that the web pages and
print share (title, facts, cover group, honours, addresses, local addresses).

The facts line replaced a Jinja macro of templates/partials/cards.md.j2 that
named each kind by hand; OLD_FACTS below is that macro as it was, and the
model's `show.facts` must give the same line for every record of the
repository, of the test fixture and of a set of made-up records.
"""
from __future__ import annotations

import datetime
from pathlib import Path

import jinja2
import pytest

from scripts.records import view
from scripts.records.loader import Record, read_repository
from scripts.records.relations import Relations
from scripts.records.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"

# A model of its own: every kind of value facts can meet, and a kind that
# exists in no template (event).
SCHEMA = """
common:
  status: {type: enum, values: [draft, review, published], label: 状态}
structs:
  broadcast:
    label: 播出
    fields:
      channel: {type: string, label: 频道}
  session:
    label: 场次
    fields:
      room: {type: string, label: 地点}
      day: {type: date, label: 日期}
      host: {type: ref, kinds: [org], label: 主持单位}
kinds:
  org:
    label: 单位
    plural: 单位
    path: orgs/*.md
    url: orgs/{id}/
    title_field: name
    fields:
      name: {type: string, label: 名称}
  film:
    label: 影片
    plural: 影片
    path: films/*.md
    url: films/{id}/
    title_field: title
    show: {title: "《{title}》", cover: film, cover_group: shows.channel}
    fields:
      title: {type: string, label: 片名}
      shows: {type: list, items: broadcast, label: 播出}
  event:
    label: 活动
    plural: 活动
    path: events/*.md
    url: events/{id}/
    title_field: name
    show:
      title: "{name}（{year}年）"
      cover: place
      cover_group: tags
      facts: ["{day}", "{org}主办", "{hosts}", "{sessions.room}", "第 {n} 期", "{ok}", "{score} 分", "{tags}", "线下"]
    fields:
      name: {type: string, label: 名称}
      year: {type: int, label: 年份}
      day: {type: date, label: 日期}
      org: {type: ref_or_text, kinds: [org], label: 主办}
      hosts: {type: list, items: {type: ref, kinds: [org]}, label: 协办}
      sessions: {type: list, items: session, label: 场次}
      n: {type: int, label: 期数}
      ok: {type: bool, label: 已结束}
      score: {type: number, label: 评分}
      tags: {type: list, items: {type: string}, label: 标签}
  sms:
    label: 短信
    plural: 短信
    path: sms/*.yml
    url: sms/
    title_field: text
    fields:
      text: {type: text, label: 内容}
"""


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "schema.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    return load_schema(path, path.stat().st_mtime_ns, path.stat().st_size)


def make(schema, kind: str, rid: str, **data) -> Record:
    return Record(schema.kinds[kind], rid, data, "", f"{kind}/{rid}.md", 1)


# --- title ---------------------------------------------------------------------

def test_title_follows_the_kinds_format_else_the_title_field(schema):
    assert view.title(make(schema, "film", "f", title="希望的田野")) == "《希望的田野》"
    assert view.title(make(schema, "org", "o", name="某某社区党委")) == "某某社区党委"
    assert view.title(make(schema, "event", "e", name="读书会", year=2024)) == "读书会（2024年）"
    # A part of the format may be empty; with every field empty the title
    # field (else the id) stands alone rather than "《》".
    assert view.title(make(schema, "event", "e", name="读书会")) == "读书会（年）"
    assert view.title(make(schema, "film", "untitled")) == "untitled"


def test_the_real_models_film_title_is_in_book_title_marks():
    film = load_schema().kinds["video"]
    r = Record(film, "x", {"title": "初心如磐"}, "", "exemplars/videos/x.md", 1)
    assert view.title(r) == "《初心如磐》"


# --- facts ---------------------------------------------------------------------

def test_facts_of_a_new_kind_show_every_type_of_value(schema):
    orgs = {o.id: o for o in (make(schema, "org", "zuzhi-bu", name="组织部"),
                              make(schema, "org", "xuanchuan-bu", name="宣传部"))}
    e = make(schema, "event", "e", name="读书会", day=datetime.date(2024, 7, 1), org="zuzhi-bu",
             hosts=["xuanchuan-bu", "zuzhi-bu"], n=3, ok=True, score=4.0, tags=["学习", "读书"],
             sessions=[{"room": "一楼", "host": "zuzhi-bu"}, {"day": "2024-07-02"}, {"room": "二楼"}])
    assert view.facts(e, orgs.get) == \
        "2024-07-01 · 组织部主办 · 宣传部、组织部 · 一楼、二楼 · 第 3 期 · 是 · 4 分 · 学习、读书 · 线下"


def test_empty_parts_are_left_out_and_ids_never_shown(schema):
    orgs = {"zuzhi-bu": make(schema, "org", "zuzhi-bu", name="组织部")}
    e = make(schema, "event", "e", name="读书会", org="draft-org", hosts=["draft-org"], ok=False,
             score=4.5, tags=[], sessions=[{"day": "2024-07-02"}])
    # An id naming no record of this build (a draft) is not text for readers;
    # a part with literal text only ("线下") always shows.
    assert view.facts(e, orgs.get) == "4.5 分 · 线下"
    # ref_or_text that is not an id is text as written.
    e = make(schema, "event", "e", org="某某街道党工委")
    assert view.facts(e, orgs.get) == "某某街道党工委主办 · 线下"


def test_a_kind_without_facts_has_an_empty_line(schema):
    assert view.facts(make(schema, "org", "o", name="组织部"), lambda _id: None) == ""


OLD_FACTS = """\
{% macro facts(r) -%}
{% if r.kind.name == "unit" %}{{ r.sector }}{% if r.town %} · {{ r.town }}{% endif %}
{%- elif r.kind.name == "member" %}{% set unit = site.unit_of(r) %}{% if unit %}{{ unit.title }}\
{% elif r.unit %}{{ r.unit }}{% endif %}{% if r.position %}{{ " · " if unit or r.unit }}{{ r.position }}{% endif %}
{%- elif r.kind.name == "video" %}{% if r.year %}{{ r.year }} 年{% endif %}{% for b in r.broadcasts or [] %}\
{{ " · " if loop.first and r.year else ("、" if not loop.first) }}{{ b.channel }}{{ "播出" if loop.last }}{% endfor %}
{%- elif r.kind.name == "news" %}{{ r.date }}{% for c in r.categories or [] %}{{ " · " if loop.first else "、" }}\
{{ c }}{% endfor %}
{%- endif %}
{%- endmacro %}
{{ facts(r) | trim }}"""


class OldSite:
    """What the old macro asked of the site: a member's unit, the first unit
    linked to it either way, in the units' list order."""

    def __init__(self, records):
        self.relations = Relations(records)
        self.by_id = {r.id: r for r in records}

    def unit_of(self, member):
        units = [o for o in self.relations.related(member) if o.kind.name == "unit"]
        return min(units, key=lambda u: u.kind.listing.sort_key(u)) if units else None


def old_facts(records):
    template = jinja2.Environment(undefined=jinja2.ChainableUndefined, trim_blocks=True,
                                  lstrip_blocks=True).from_string(OLD_FACTS)
    site = OldSite(records)
    return site, {r.id: template.render(r=r, site=site) for r in records}


def made_up_records():
    """Records of today's kinds in every shape the old macro told apart."""
    kinds = load_schema().kinds

    def r(kind, rid, **data):
        return Record(kinds[kind], rid, dict(data, status="published"), "", f"x/{rid}.md", 1)

    return [
        r("unit", "u-1", name="某某社区党委", sector="社区", town="兴华街道"),
        r("unit", "u-2", name="某某村党支部", sector="农村"),
        r("member", "m-1", name="张三", unit="u-1", position="书记"),
        r("member", "m-2", name="李四", unit="某某公司党支部"),
        r("member", "m-3", name="王五", position="主任"),
        r("member", "m-4", name="赵六", unit="u-2"),
        r("member", "m-5", name="钱七"),
        r("video", "v-1", title="甲", year=2019, broadcasts=[{"channel": "扎兰屯电视台"}, {"channel": "内蒙古卫视"}]),
        r("video", "v-2", title="乙", broadcasts=[{"channel": "扎兰屯电视台", "date": datetime.date(2020, 1, 2)}]),
        r("video", "v-3", title="丙", year=2021),
        r("video", "v-4", title="丁"),
        r("news", "n-1", title="甲", date=datetime.date(2024, 7, 1), categories=["党建动态", "基层风采"]),
        r("news", "n-2", title="乙", date="2024-07-02"),
    ]


def content_records(root: Path) -> list[Record]:
    return [r for r in read_repository(root).records if r.is_published]


@pytest.mark.parametrize("source", ["repository", "fixture", "made-up"])
def test_the_models_facts_give_the_old_cards_line(source, tmp_path):
    if source == "made-up":
        records = made_up_records()
    else:
        records = content_records(ROOT if source == "repository" else fixture_repo(tmp_path))
    site, expected = old_facts(records)
    compared = set()
    for r in records:
        if r.kind.name not in ("unit", "member", "video", "news"):
            continue
        new = view.facts(r, site.by_id.get)
        unit = site.unit_of(r) if r.kind.name == "member" else None
        if unit is not None and site.by_id.get(r["unit"]) is not unit:
            # The old line named a unit that lists the member though the
            # member names none (or another): the model's line shows what
            # the member's own record says.
            continue
        assert new == expected[r.id], (r.path, new, expected[r.id])
        compared.add(r.kind.name)
    assert compared == {"unit", "member", "video", "news"} or source != "made-up"
    assert compared, "records of today's kinds were compared"


def fixture_repo(tmp_path: Path) -> Path:
    import shutil
    shutil.copytree(FIXTURE / "exemplars", tmp_path / "exemplars")
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    for name in ("mkdocs.yml", "网站设置.yml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


# --- cover group -----------------------------------------------------------------

def test_cover_group_is_the_first_value_of_the_models_field(schema):
    assert view.cover_group(make(schema, "film", "f", shows=[{"channel": "甲台"}, {"channel": "乙台"}])) == "甲台"
    assert view.cover_group(make(schema, "film", "f", shows=[])) == ""
    assert view.cover_group(make(schema, "event", "e", tags=["学习", "读书"])) == "学习"
    assert view.cover_group(make(schema, "org", "o", name="组织部")) == ""


def test_cover_group_of_todays_kinds():
    kinds = load_schema().kinds
    unit = Record(kinds["unit"], "u", {"sector": "社区"}, "", "", 1)
    news = Record(kinds["news"], "n", {"categories": ["党建动态", "其他"]}, "", "", 1)
    film = Record(kinds["video"], "v", {"broadcasts": [{"channel": "扎兰屯电视台"}]}, "", "", 1)
    member = Record(kinds["member"], "m", {"unit": "某单位"}, "", "", 1)
    assert [view.cover_group(r) for r in (unit, news, film, member)] == ["社区", "党建动态", "扎兰屯电视台", ""]


# --- honours --------------------------------------------------------------------

@pytest.mark.parametrize("honour, text", [
    ({"title": "全国“五好”党组织风采大赛", "body": "人民网、共产党新闻网", "level": "国家级", "year": 2010,
      "result": "推选参评"}, "全国“五好”党组织风采大赛（人民网、共产党新闻网，国家级，2010年）：推选参评"),
    ({"title": "先进基层党组织", "year": 2019}, "先进基层党组织（2019年）"),
    ({"title": "先进基层党组织", "level": "扎兰屯市级"}, "先进基层党组织（扎兰屯市级）"),
    ({"title": "先进基层党组织", "result": "排名全国前列"}, "先进基层党组织：排名全国前列"),
    ({"title": "先进基层党组织"}, "先进基层党组织"),
])
def test_honour_text(honour, text):
    assert view.honour_text(honour) == text


# --- addresses ------------------------------------------------------------------

@pytest.mark.parametrize("doc, url", [
    ("exemplars/units/x.md", "exemplars/units/x/"),
    ("news/index.md", "news/"),
    ("news/page/2.md", "news/page/2/"),
    ("honours.md", "honours/"),
    ("index.md", ""),
    ("sandong/README.md", "sandong/"),
    ("assets/a.css", "assets/a.css"),
])
def test_page_url_is_mkdocs_directory_url(doc, url):
    assert view.page_url(doc) == url


def test_page_url_agrees_with_mkdocs_itself(tmp_path):
    from mkdocs.structure.files import File
    for doc in ("exemplars/units/x.md", "news/index.md", "honours.md", "index.md", "a/README.md", "news/page/2.md"):
        f = File(doc, str(tmp_path), str(tmp_path / "site"), use_directory_urls=True)
        assert view.page_url(doc) == ("" if f.url == "./" else f.url), doc


def test_page_address_and_record_address(schema):
    assert view.page_address("https://djw.example.cn/", "news/index.md") == "https://djw.example.cn/news/"
    assert view.page_address("https://djw.example.cn", "a/b.md") == "https://djw.example.cn/a/b/"
    assert view.page_address("https://djw.example.cn/zlt/", "index.md") == "https://djw.example.cn/zlt/"
    assert view.page_address("", "a/b.md") == ""
    film = make(schema, "film", "chu-xin")
    assert view.record_address("https://a.cn/", film) == "https://a.cn/films/chu-xin/"
    assert view.record_address("", film) == ""
    # Records without pages of their own have no address of their own.
    assert view.record_address("https://a.cn/", make(schema, "sms", "s-1")) == ""


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/", "http://localhost:8000/", "https://LOCALHOST/", "http://0.0.0.0/",
    "http://[::1]:8000/", "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/",
    "https://192.168.1.20/dj/", "http://169.254.1.1/", "http://[fe80::1]/", "http://[fd00::1]/",
    "http://[::ffff:192.168.0.1]/", "http://nas.local/", "http://dev.localhost/", "http://app.internal/",
    "192.168.0.8", "localhost:8000",
])
def test_local_addresses(url):
    assert view.is_local_address(url), url


@pytest.mark.parametrize("url", [
    "https://www.zlt.gov.cn/", "https://172.15.0.1/", "https://172.32.0.1/", "https://8.8.8.8/",
    "https://[2001:4860::8888]/", "https://local.gov.cn/", "", "not a url", "http://[::1",
])
def test_public_or_no_addresses(url):
    assert not view.is_local_address(url), url


def test_the_release_gate_refuses_exactly_the_local_addresses():
    """The release gate (scripts/check/release.py) uses this one test of
    local addresses: one answer per address, on every address above."""
    from scripts.check import release
    assert not hasattr(release, "_is_local")
    urls = ["http://127.0.0.1:8000/", "http://10.1.2.3/", "https://192.168.1.20/", "http://[::1]/",
            "http://172.20.0.1/", "https://www.zlt.gov.cn/", "https://8.8.8.8/", "http://localhost/"]
    for url in urls:
        https = "https://" + url.split("://", 1)[1]   # the scheme is another rule of the gate
        assert view.is_local_address(https) == ("本机或内网" in " ".join(
            p.message for p in _site_url_problems(https))), url


def _site_url_problems(url: str):
    import tempfile
    from pathlib import Path

    from scripts.check.release import site_url_problems
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "mkdocs.yml").write_text(f'site_name: x\nsite_url: "{url}"\n', encoding="utf-8")
        return site_url_problems(Path(tmp))


def test_records_view_imports_neither_render_nor_print():
    import ast
    tree = ast.parse((ROOT / "scripts" / "records" / "view.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").split(".")[0] in ("render", "print"), node.module
            assert "render" not in (node.module or "") and "print" not in (node.module or ""), node.module
