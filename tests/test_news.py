"""News is a kind of record like the others (no Material blog plugin): its
list newest first and paginated by the model, a page per category at the
blog plugin's old addresses (news/category/<slug>/), each post at
news/<id>/, and the feed; whatever posts the department writes."""
from __future__ import annotations

import re
from pathlib import Path

from scripts.build.pipeline import build_site
from scripts.records.schema import schema_for
from scripts.site_config import site_config
from tests.test_feed import post

ROOT = Path(__file__).resolve().parent.parent
POSTS = [  # id, title, date, categories
    ("chun-peixun", "春季培训", "2026-03-01", ["党建动态"]),
    ("dong-zoufang", "冬季走访", "2026-01-15", ["党建动态", "基层风采"]),
    ("xia-huodong", "夏季活动", "2026-06-30", ["基层风采"]),
    ("qiu-huiyi", "秋季会议", "2026-06-30", ["党建动态"]),   # same day: by id
]


def titles_on(page: Path) -> list[str]:
    """Titles of the posts a list page shows, in order."""
    shown = re.findall(r'class="zlt-card__title"[^>]*>([^<]+)<', page.read_text(encoding="utf-8"))
    return [t for t in shown if t in {p[1] for p in POSTS}]


def test_mkdocs_yml_has_no_blog_plugin():
    plugins = site_config(ROOT).get("plugins") or []
    names = [p if isinstance(p, str) else next(iter(p)) for p in plugins]
    assert not any(n.split("/")[-1] == "blog" for n in names), names


def test_news_list_categories_posts_and_feed(repo):
    for rid, title, day, categories in POSTS:
        post(repo, rid, title, day, extra="categories: [" + ", ".join(categories) + "]")
    site = build_site(repo.path)
    newest_first = ["秋季会议", "夏季活动", "春季培训", "冬季走访"]   # 06-30 twice: by id
    assert newest_first == [p[1] for p in sorted(POSTS, key=lambda p: (-int(p[2].replace("-", "")), p[0]))]
    assert titles_on(site / "news" / "index.html") == newest_first

    kind = schema_for(repo.path).kinds["news"]
    assert kind.listing.group_by == "categories"
    categories = sorted({c for p in POSTS for c in p[3]})
    pages = sorted((site / "news" / "category").glob("*/index.html"))
    assert len(pages) == len(categories)
    for page in pages:
        shown = titles_on(page)
        name = next(c for c in categories if c in page.read_text(encoding="utf-8").split("<h1", 1)[1][:400])
        assert shown == [t for t in newest_first if name in next(p[3] for p in POSTS if p[1] == t)], page

    for rid, title, _, _ in POSTS:
        assert title in (site / "news" / rid / "index.html").read_text(encoding="utf-8")
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert [t for t in re.findall(r"<title>([^<]+)</title>", feed) if t in newest_first] == newest_first
