"""Pagination cut by content (render.pagination): every item once and in
order, pages of a bounded size, and one item added or removed changes few
pages, wherever it stands in the list."""
from __future__ import annotations

import random
import re

from hypothesis import given, settings, strategies as st

from scripts.render.pagination import chunks, page_holding, paginate


def pages(items: list, per_page: int) -> dict[str, tuple]:
    return {pager.path(pager.number): tuple(chunk) for pager, chunk in paginate(items, "news/index.md", per_page)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=6), max_size=300, unique=True), st.integers(0, 60))
def test_every_item_once_in_order_on_pages_of_bounded_size(items, per_page):
    cut = chunks(items, per_page)
    assert [i for chunk in cut for i in chunk] == items
    if per_page == 0 or len(items) <= per_page:
        assert len(cut) == 1
        return
    low, high = max(1, per_page // 2), max(per_page // 2 + 1, 2 * per_page)
    assert all(low <= len(chunk) <= high for chunk in cut[:-1])
    assert 1 <= len(cut[-1]) <= high
    paths = list(pages(items, per_page))
    assert len(set(paths)) == len(paths) == len(cut) and paths[0] == "news/index.md"
    assert all(re.fullmatch(r"news/page/[0-9a-f]{10}(-\d+)?\.md", p) for p in paths[1:])


def test_one_change_touches_few_pages_wherever_it_is():
    """Against pages of a fixed size, where an insert near the start moves
    every later page: here one insert or delete changes about one page and a
    half on average, at most a handful."""
    rnd = random.Random(25)
    items = [f"post-{i:05d}" for i in range(2000)]
    for per_page in (3, 20, 50):
        before = pages(items, per_page)
        changed = []
        for t in range(200):
            after_items = list(items)
            if t % 2:
                after_items.insert(rnd.randrange(len(items) + 1), f"new-{t}")
            else:
                del after_items[rnd.randrange(len(items))]
            after = pages(after_items, per_page)
            changed.append(sum(before.get(p) != chunk for p, chunk in after.items())
                           + len(before.keys() - after.keys()))
        assert sum(changed) / len(changed) < 2.5, per_page
        assert max(changed) <= 15, per_page
        # A fixed-size pager would change every page after an insert at the front.
        assert len(before) > 40


def test_a_list_that_fits_is_one_page_and_an_empty_list_has_its_first_page():
    assert [p.path(p.number) for p, _ in paginate(list("abc"), "honours.md", 3)] == ["honours.md"]
    (pager, chunk), = paginate([], "honours.md", 20)
    assert chunk == [] and pager.count == 1 and pager.previous is None and pager.next is None


def test_the_page_holding_an_item():
    items = [f"m-{i:04d}" for i in range(500)]
    for pager, chunk in paginate(items, "exemplars/members/index.md", 50):
        for item in chunk[:3]:
            assert page_holding(items, "exemplars/members/index.md", 50, item) == pager.path(pager.number)
    assert page_holding(items, "exemplars/members/index.md", 50, "missing") == "exemplars/members/index.md"
