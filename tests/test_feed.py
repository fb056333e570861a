"""The news feed (feed.xml): newest first, stable, escaped, published only."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from scripts.build.pipeline import build_site
from scripts.build.feed import build_feed, news_items
from scripts.records.loader import load_all


def news_records(root, preview=False):
    return news_items(load_all(root)[0], preview)


def post(repo, rid: str, title: str, day: str, status: str = "published", extra: str = ""):
    repo.write(f"content/news/posts/{rid}.md", f"""
        ---
        title: "{title}"
        date: {day}
        status: {status}
        review: {{first: {{by: 编辑部, date: {day}}}, second: {{by: 编辑部, date: {day}}}, final: {{by: 编辑部, date: {day}}}}}
        summary: 摘要 {rid}
        {extra}
        ---

        正文。
        """)


def titles(data: bytes) -> list[str]:
    return [i.findtext("title") for i in ET.fromstring(data).iter("item")]


def test_newest_first_then_by_id_and_only_published(repo):
    post(repo, "b-second", "同日乙", "2026-03-02")
    post(repo, "a-first", "同日甲", "2026-03-02")
    post(repo, "old", "旧闻", "2025-01-01")
    post(repo, "draft", "草稿", "2027-01-01", status="draft")
    post(repo, "sample", "示例新闻", "2026-01-01", extra="sample: true")
    data = build_feed(news_records(repo.path), "https://example.org/zlt/", "扎兰屯党建网", "说明", "news/")
    assert titles(data) == ["同日甲", "同日乙", "【示例】示例新闻", "旧闻"]
    assert ET.fromstring(data).find("channel/item/link").text == "https://example.org/zlt/news/a-first/"
    preview = build_feed(news_records(repo.path, preview=True), "", "站", "说明", "news/")
    assert titles(preview)[0] == "草稿"


def test_markup_in_a_title_stays_text(repo):
    post(repo, "x", "A & B <script>alert(1)</script>", "2026-03-02")
    data = build_feed(news_records(repo.path), "https://example.org/", "站", "说明", "news/")
    assert b"<script>" not in data
    assert titles(data) == ["A & B <script>alert(1)</script>"]


def test_the_built_site_has_the_same_feed_on_every_build(full_repo, tmp_path):
    post(full_repo, "a-later", "后来的一条", "2027-03-02")
    first = (build_site(full_repo.path, tmp_path / "one") / "feed.xml").read_bytes()
    second = (build_site(full_repo.path, tmp_path / "two") / "feed.xml").read_bytes()
    assert first == second
    assert titles(first)[0] == "后来的一条"
