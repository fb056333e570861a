"""Pagination of the lists: every list page stays small however many records
there are. One pager for every kind, as the model's `list.page_size` says.

Why not pages of exactly `page_size` items, numbered from the first: one
post added to the news (newest first) would move one item from every page
to the next, and one member deleted would do the same to every page after
it, so every page of a long list would be built and published again for a
one-record change (build.incremental). Pages here are cut where the content
says (content-defined chunking, as rsync and backup tools cut files): after
at least half a page, a page ends before an item whose id hashes to a
boundary (one item in half a page), and at two pages whatever comes. Pages
hold `page_size` items on average, between half and twice as many (the last
page fewer). An item added or removed changes its own page, now and then the
one beside it; pages elsewhere keep their items and their addresses, which
are named after their first item (`page/<hash of its id>/`), not after their
number. A list of at most `page_size` items is one page.

What still changes every page of a list is its number of pages (the pager
says 第 k 页，共 m 页): measured on 2,000 items, one insert or delete in
30 at 20 a page, one in 40 at 50 a page. Counts (本站共收录…, a group's
total, the groups' chips) are on a list's first page only, for the same
reason (templates).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass
class Pager:
    """One page of a paginated list, for templates/partials/pager.md.j2."""
    number: int              # 1-based
    paths: list[str]         # doc path of every page of the list

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def previous(self) -> str | None:
        return self.paths[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.paths[self.number] if self.number < self.count else None

    def window(self, around: int = 2) -> list[int]:
        """Page numbers to link: the first, the last, and those near this one."""
        near = range(max(1, self.number - around), min(self.count, self.number + around) + 1)
        return sorted({1, self.count, *near})

    def path(self, number: int) -> str:
        return self.paths[number - 1]


def item_key(item) -> str:
    """What names an item of a list: a record's id; for an entry made of
    several parts (the honours page's (title, holder, honour)), its text
    parts and ids joined."""
    rid = getattr(item, "id", None)
    if isinstance(rid, str):
        return rid
    if isinstance(item, (tuple, list)):
        return "\x1f".join(item_key(part) for part in item if not isinstance(part, dict))
    return str(item)


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def chunks(items: list, per_page: int, key=item_key) -> list[list]:
    """The items cut into pages (see the module's docstring); one page when
    per_page is 0 or the list fits on one."""
    if per_page <= 0 or len(items) <= per_page:
        return [list(items)]
    low, every = max(1, per_page // 2), max(2, per_page // 2)
    high = max(low + 1, 2 * per_page)
    out: list[list] = [[]]
    for item in items:
        page = out[-1]
        if len(page) >= high or (len(page) >= low and _hash(key(item)) % every == 0):
            out.append([item])
        else:
            page.append(item)
    return out


def _name(key: str, taken: set[str]) -> str:
    """A page's name in its address: a short hash of its first item's key
    (not the id itself, which would read as the record's own address);
    unique in the list."""
    name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}-{n}", n + 1
    taken.add(unique)
    return unique


def page_paths(first: str, pages: list[list], key=item_key) -> list[str]:
    """Doc paths of a list's pages: its first page `first`, then
    `page/<name>.md` beside it, named after each page's first item (ids have
    no slash, so no record page can take these places)."""
    folder = first[: -len("index.md")] if first.endswith("index.md") else first[: -len(".md")] + "/"
    taken: set[str] = set()
    return [first] + [f"{folder}page/{_name(key(chunk[0]), taken)}.md" for chunk in pages[1:]]


def paginate(items: list, first: str, per_page: int = 0, key=item_key) -> list[tuple[Pager, list]]:
    """The pages of a list whose first page is the doc path `first`."""
    pages = chunks(items, per_page, key)
    paths = page_paths(first, pages, key)
    return [(Pager(n, paths), chunk) for n, chunk in enumerate(pages, 1)]


def page_holding(items: list, first: str, per_page: int, wanted: str, key=item_key) -> str:
    """The doc path of the page of the list that holds the item whose key is
    `wanted` (the first page when none does)."""
    for pager, chunk in paginate(items, first, per_page, key):
        if any(key(item) == wanted for item in chunk):
            return pager.path(pager.number)
    return first
