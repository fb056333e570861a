"""Pagination of the lists: every list page stays small however many records
there are. One pager for every kind, as the model's `list.page_size` says."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Pager:
    """One page of a paginated list, for templates/partials/pager.md.j2."""
    number: int              # 1-based
    paths: list[str]         # doc path of every page of the list
    total: int               # items in the whole list
    start: int               # index of this page's first item in the list

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


def page_paths(first: str, count: int) -> list[str]:
    """Doc paths of a list's pages: index.md, then page/2.md, page/3.md …
    (ids have no slash, so no record page can take these places)."""
    folder = first[: -len("index.md")] if first.endswith("index.md") else first[: -len(".md")] + "/"
    return [first] + [f"{folder}page/{n}.md" for n in range(2, count + 1)]


def paginate(items: list, first: str, per_page: int = 0) -> list[tuple[Pager, list]]:
    """The pages of a list whose first page is the doc path `first`; all on one
    page when per_page is 0."""
    per_page = per_page or max(1, len(items))
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    paths = page_paths(first, len(chunks))
    return [(Pager(n, paths, len(items), (n - 1) * per_page), chunk)
            for n, chunk in enumerate(chunks, 1)]
