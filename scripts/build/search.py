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
  to confirm that pages holding all of a long word's pairs hold the word.
  n comes from a hash of the page's address (page_ids), not from its rank:
  adding or deleting a page renumbers no other page, so an incremental build
  (build.incremental) rewrites only the changed pages' files and the shards;
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


def page_ids(addresses: list[str]) -> dict[str, int]:
    """A number for every page that depends on the page's address (and on
    pages whose hashes collide with it) only, so that adding or deleting a
    page does not renumber the others, and a build from scratch gives the
    same numbers: the first free number from the address's hash, taken in
    the order of (hash, address), in a space 4 to 8 times the pages (a power
    of two, at least 2**12). Gaps between numbers in the posting lists then
    average 4 to 8, mostly one digit a page as when numbered in a row (at 64
    times, two digits: a first query at 10,000 pages loaded 207 KB instead of
    under 200), and collisions stay rare (a quarter of the space at most is
    taken), so a page added or deleted moves few other numbers."""
    space = max(1 << 12, 1 << (len(addresses) * 4 - 1).bit_length())
    wanted = sorted((int.from_bytes(hashlib.sha256(a.encode()).digest()[:8], "big") % space, a) for a in addresses)
    ids, taken = {}, set()
    for h, a in wanted:
        while h in taken:
            h = (h + 1) % space
        taken.add(h)
        ids[a] = h
    return ids


def page_texts(site: Path, only: set[str] | None = None, known: dict | None = None) -> dict:
    """{page path: [title, text], or None for a page left out of the index}
    of every HTML page of the site; `known` (the last build's) is used for
    the pages not in `only` (the pages this build wrote)."""
    texts: dict = {}
    for html_file in sorted(site.rglob("*.html")):
        rel = html_file.relative_to(site).as_posix()
        if any(fnmatch.fnmatch(rel, p) for p in NOT_INDEXED):
            continue
        if only is not None and rel not in only and known is not None and rel in known:
            texts[rel] = known[rel]
            continue
        try:
            html = html_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise SearchIndexError(f"生成搜索索引失败，网站未更新：无法读取 {rel}（{e}）") from e
        # The mark sits in <head>, before any text of the page.
        head_end = html.find("</head>")
        if EXCLUDED_MARK in html[: head_end if head_end >= 0 else None]:
            texts[rel] = None
            continue
        title, text = page_text(html)
        texts[rel] = [title, text]
    return texts


def index_site(site: Path, site_name: str, directory_urls: bool = True, texts: dict | None = None) -> dict:
    """Write the index of the site's pages into site/search/; return its meta.
    `texts`: page_texts(site), when the caller has them."""
    if texts is None:
        texts = page_texts(site)
    out = site / INDEX_DIR
    if out.exists():
        shutil.rmtree(out)
    (out / "p").mkdir(parents=True)
    (out / "s").mkdir()
    pages = {rel: found for rel, found in texts.items() if found is not None}
    ids = page_ids(sorted(address_of(rel, directory_urls) for rel in pages))
    body: defaultdict[str, list[int]] = defaultdict(list)
    title_of: defaultdict[str, list[int]] = defaultdict(list)
    digest = hashlib.sha256()
    for number, rel in sorted((ids[address_of(rel, directory_urls)], rel) for rel in pages):
        title, text = pages[rel]
        title = title or site_name
        if text.startswith(title):
            text = text[len(title):].lstrip()
        _add(body, grams(title + " " + text), number)
        _add(title_of, grams(title), number)
        fragment = _script("p", [number, {"u": address_of(rel, directory_urls), "t": title, "x": text}])
        digest.update(fragment.encode("utf-8"))
        (out / "p" / f"{number}.js").write_text(fragment, encoding="utf-8")

    postings = {g: _gaps(numbers) + "|" + _gaps(title_of.get(g, ())) for g, numbers in body.items()}
    size = sum(len(g) * 3 + len(p) + 6 for g, p in postings.items())
    shards = max(1, -(-size // SHARD_BYTES))
    spread: list[dict[str, str]] = [{} for _ in range(shards)]
    for g, p in postings.items():
        spread[shard_of(g, shards)][g] = p
    for k, part in enumerate(spread):
        text = _script("s", [k, part])
        digest.update(text.encode("utf-8"))
        (out / "s" / f"{k}.js").write_text(text, encoding="utf-8")
    meta = {"format": FORMAT, "pages": len(pages), "shards": shards, "version": digest.hexdigest()[:12]}
    (out / "meta.js").write_text(_script("m", meta), encoding="utf-8")
    return meta
