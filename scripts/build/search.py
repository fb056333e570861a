"""Search index of the built site, written into site/search/ after mkdocs.

Why not a library: Material's search (lunr with jieba) misses words inside
longer words and downloads its whole index first; Pagefind splits Chinese
into dictionary words (so 廷江 does not find 刘廷江), its first query grew to
265–755 KB at 10,000 records (a page list of every page, its WebAssembly, and
per-character posting lists), and it cannot run from file://. No library does
a sharded substring index for static Chinese pages, so this module writes one
and templates/overrides/assets/search/search.js reads it.

The index, for N pages:
- every page's text is folded (NFKC, lower case) and cut into runs of letters
  and digits; every character of a run and every pair of neighbours in it is a
  *gram*. A query's run is looked up by its pairs (by the character itself if
  it is one character long), so any word is found wherever it stands, inside
  longer words and names too, and nothing depends on a word dictionary;
- `s/<k>.js`: the posting lists, spread over shards by a hash of the gram so
  that a query downloads only the few shards of its grams. A posting list is
  the page numbers holding the gram, then "|", then those holding it in their
  title (which rank first), both as gaps between ascending numbers;
- `p/<n>.js`: page n's address, title and text, for the result's excerpt and
  to confirm that pages holding all of a long word's pairs hold the word;
- `meta.js`: the number of shards and pages, and a digest of the whole index
  for cache busting.
Each file is a script calling window.zltSearch, so the same index works from
a server and from file:// (the offline bundle), where nothing can be fetched.
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import operator
import re
import shutil
import unicodedata
from collections import defaultdict, deque
from itertools import repeat
from pathlib import Path

from .pagetext import page_text

FORMAT = 1
# Uncompressed bytes of posting lists per shard. Gaps between page numbers
# compress about ten to one: at 10,000 records a shard travels as 4 KB on
# average and 10 KB at most, and a query loads at most four.
SHARD_BYTES = 40_000
INDEX_DIR = "search"

# Pages left out: the 404 page, and every page whose front matter says
# `search: {exclude: true}` (Material's convention), which templates/overrides/
# main.html writes into the page as this meta tag. scripts/render sets it on
# every page of the lists that the model (schema.yaml) marks not searchable:
# they only gather what the records' own pages say, and with thousands of
# records each would match nearly every query.
NOT_INDEXED = ("404.html",)
EXCLUDED_MARK = '<meta name="zlt-search" content="exclude">'

# A run of letters and digits, in any script: what search.js matches with /[\p{L}\p{N}]+/gu.
_RUN = re.compile(r"[^\W_]+")


class SearchIndexError(RuntimeError):
    """The index could not be written; the new site is not swapped in."""


def indexed_pages(site: Path):
    """(path relative to the site, file, its HTML) of every page a search should find."""
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if any(fnmatch.fnmatch(rel, p) for p in NOT_INDEXED):
            continue
        try:
            html = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise SearchIndexError(f"生成搜索索引失败，网站未更新：无法读取 {rel}（{e}）") from e
        # The mark sits in <head>, before any text of the page.
        head_end = html.find("</head>")
        if EXCLUDED_MARK not in html[: head_end if head_end >= 0 else None]:
            yield rel, page, html


# Chinese text's own punctuation, which NFKC maps to ASCII; replaced first,
# a page's text is usually normal already and spared the whole normalization
# (a seventh of the index's time at 10,000 pages).
_FULL_WIDTH = (("，", ","), ("：", ":"), ("（", "("), ("）", ")"), ("；", ";"), ("！", "!"), ("？", "?"),
               ("…", "..."))


def fold(text: str) -> str:
    """What search compares: full-width forms as half-width, upper as lower case
    (NFKC, as search.js folds a query)."""
    for wide, narrow in _FULL_WIDTH:
        text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def grams(text: str) -> set[str]:
    """Every character of every run of letters and digits, and every pair of
    neighbours in a run: 刘廷江 → 刘 廷 江 刘廷 廷江."""
    found: set[str] = set()
    for run in _RUN.findall(fold(text)):
        found.update(run)
        found.update(map(operator.add, run, run[1:]))
    return found


def shard_of(gram: str, shards: int) -> int:
    """32-bit FNV-1a over the gram's code points; search.js computes the same."""
    h = 0x811C9DC5
    for ch in gram:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h % shards


def _gaps(numbers: list[int]) -> str:
    previous, out = 0, []
    for n in numbers:
        out.append(n - previous)
        previous = n
    return ",".join(map(str, out))


def _script(call: str, data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Valid JSON, and valid JavaScript too only with these two escaped.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"zltSearch.{call}({text});\n"


def address_of(rel: str, directory_urls: bool) -> str:
    """The page's address relative to the site root, as its links write it."""
    if directory_urls and (rel == "index.html" or rel.endswith("/index.html")):
        return rel[: -len("index.html")]
    return rel


def _add(postings: defaultdict[str, list[int]], found: set[str], number: int) -> None:
    """Page `number` onto the posting list of every gram `found` on it. The
    loop runs in C (map and a deque that keeps nothing): a page has about a
    thousand grams; alone, on 3,000 pages of 1,300 grams, 2.4 s against 4.0 s
    with a setdefault loop."""
    deque(map(list.append, map(postings.__getitem__, found), repeat(number)), maxlen=0)


def index_site(site: Path, site_name: str, directory_urls: bool = True) -> dict:
    """Write the index of the site's pages into site/search/; return its meta."""
    out = site / INDEX_DIR
    if out.exists():
        shutil.rmtree(out)
    (out / "p").mkdir(parents=True)
    (out / "s").mkdir()
    body: defaultdict[str, list[int]] = defaultdict(list)
    title_of: defaultdict[str, list[int]] = defaultdict(list)
    digest = hashlib.sha256()
    number = -1
    for number, (rel, page, html) in enumerate(indexed_pages(site)):
        title, text = page_text(html)
        title = title or site_name
        if text.startswith(title):
            text = text[len(title):].lstrip()
        _add(body, grams(title + " " + text), number)
        _add(title_of, grams(title), number)
        fragment = _script("p", [number, {"u": address_of(rel, directory_urls), "t": title, "x": text}])
        digest.update(fragment.encode("utf-8"))
        (out / "p" / f"{number}.js").write_text(fragment, encoding="utf-8")

    postings = {g: _gaps(ids) + "|" + _gaps(title_of.get(g, ())) for g, ids in body.items()}
    size = sum(len(g) * 3 + len(p) + 6 for g, p in postings.items())
    shards = max(1, -(-size // SHARD_BYTES))
    spread: list[dict[str, str]] = [{} for _ in range(shards)]
    for g, p in postings.items():
        spread[shard_of(g, shards)][g] = p
    for k, part in enumerate(spread):
        text = _script("s", [k, part])
        digest.update(text.encode("utf-8"))
        (out / "s" / f"{k}.js").write_text(text, encoding="utf-8")
    meta = {"format": FORMAT, "pages": number + 1, "shards": shards, "version": digest.hexdigest()[:12]}
    (out / "meta.js").write_text(_script("m", meta), encoding="utf-8")
    return meta
