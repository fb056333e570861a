"""The templates' Markdown: fields as text, sample marks, links both ways."""
from scripts.build.pipeline import generate


def gen(repo, preview=False):
    docs = repo.path / ".build" / "docs"
    generate(repo.path, docs, preview=preview)
    return lambda rel: (docs / rel).read_text(encoding="utf-8")


def test_markup_in_a_field_is_text(repo):
    repo.write("exemplars/units/a.md", """
    ---
    name: "<script>x</script>[点](javascript:x){ onclick=x }"
    sector: 农村
    status: published
    review: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}
    ---
    """)
    page = gen(repo)("exemplars/units/a.md")
    heading = next(line for line in page.splitlines() if line.startswith("# "))
    assert "<script>" not in heading and "&lt;script&gt;" in heading
    assert r"\[点\]" in heading and r"\{ onclick=x \}" in heading
    # On the list, a card (raw HTML): the same text, escaped for HTML.
    card = '<a class="zlt-card__title" href="a/">&lt;script&gt;x&lt;/script&gt;[点](javascript:x){ onclick=x }</a>'
    assert card in gen(repo)("exemplars/units/index.md")


def test_links_go_both_ways(repo):
    repo.write("exemplars/units/a.md", "---\nname: 甲支部\nsector: 社区\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\n---\n")
    repo.write("exemplars/members/m.md", "---\nname: 张三\nunit: a\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\n---\n")
    repo.write("exemplars/videos/v.md", "---\ntitle: 片名\nsubjects: [a]\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\n---\n")
    page = gen(repo)
    unit = page("exemplars/units/a.md")
    assert '<a class="zlt-card__title" href="../../members/m/">张三</a>' in unit
    assert '<a class="zlt-card__title" href="../../videos/v/">《片名》</a>' in unit
    assert "[甲支部](../units/a.md)" in page("exemplars/members/m.md")
    assert '<a class="zlt-card__title" href="../../units/a/">甲支部</a>' in page("exemplars/videos/v.md")


def test_samples_are_marked_on_their_page_and_in_lists(repo):
    repo.write("exemplars/units/s.md", "---\nname: 示范支部\nsector: 机关\nsample: true\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\n---\n")
    page = gen(repo)
    assert '!!! warning "示例"' in page("exemplars/units/s.md")
    assert '<a class="zlt-card__title" href="s/">示范支部</a>【示例】' in page("exemplars/units/index.md")


def test_public_build_leaves_out_unpublished_records_and_preview_marks_them(repo):
    repo.write("exemplars/units/p.md", "---\nname: 已发布支部\nsector: 机关\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\n---\n")
    repo.write("exemplars/units/d.md", "---\nname: 草稿支部\nsector: 机关\n---\n")
    public = gen(repo)
    assert "草稿支部" not in public("exemplars/units/index.md")
    assert not (repo.path / ".build/docs/exemplars/units/d.md").exists()
    preview = gen(repo, preview=True)
    assert '<a class="zlt-card__title" href="d/">草稿支部</a>【草稿】' in preview("exemplars/units/index.md")
    assert "预览：草稿，尚未发布" in preview("exemplars/units/d.md")


def test_figures_keep_the_source_wording(repo):
    repo.write_items("exemplars/figures", """
    - {id: a, value: 70, qualifier: 余, unit: 万元, label: 设备投入, wording: 共投入70余万元。, section: 宣传带动}
    - {id: b, value: 2, qualifier: 不少于, unit: 次, label: 联系点, wording: 不少于2次。, section: 机制推动}
    - {id: c, value: 2000, qualifier: 以上, unit: ㎡, label: 办公用房, wording: 2000㎡以上。, section: 活动促动}
    """)
    page = gen(repo)("exemplars/figures/index.md")
    assert "**70余万元**" in page and "**不少于2次**" in page and "**2000㎡以上**" in page
    assert page.index("## 机制推动") < page.index("## 宣传带动") < page.index("## 活动促动")


def test_news_posts_lose_editorial_fields(repo):
    repo.write("content/news/posts/a.md", "---\ntitle: 新闻\ndate: 2024-07-01\nsummary: 摘要\nstatus: published\nreview: {first: {by: 编辑部, date: 2024-07-01}, second: {by: 编辑部, date: 2024-07-01}, final: {by: 编辑部, date: 2024-07-01}}\nsample: true\n---\n正文\n")
    post = gen(repo)("news/a.md")
    front = post.split("---")[1]
    assert "date: 2024-07-01" in front and "description: 摘要" in front
    assert "status" not in front and "sample" not in front
    assert '!!! warning "示例"' in post
