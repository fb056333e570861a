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
- `s/<k>.js`, `s/<k>.<j>.js`: the posting lists, spread over shards by a
  hash of the gram so that a query downloads only the few shards of its
  grams, and cut into segments j of SEGMENT_SPAN page numbers (one up to
  4,096 pages, 4 at 10,000) so that a page added, changed or deleted
  rewrites only its own segment's files. A posting list is the page numbers
  holding the gram, then "|", then those holding it in their title (which
  rank first), both as gaps between ascending numbers (from 0 in each file);
- `p/<n>.js`: page n's address, title and text, for the result's excerpt and
  to confirm that pages holding all of a long word's pairs hold the word.
  n comes from a hash of the page's address (page_ids), not from its rank:
  adding or deleting a page renumbers no other page (but the rare one whose
  hash collides);
- `meta.js`: the number of shards, segments and pages, and a digest of the
  hashes of all the other files, for cache busting.
Each file is a script calling window.zltSearch, so the same index works from
a server and from file:// (the offline bundle), where nothing can be fetched.

Two ways to write it, with the same files, byte for byte:
- index_site(site, site_name, directory_urls, texts=None, state_dir=None):
  the whole index from every page's HTML (a full build, the offline bundle,
  the live preview). With `state_dir` (.build/incremental/), it also keeps
  there search.json: every indexed page's number and its file's hash, every
  shard file's hash, and the posting lists' size (under 1 MB at 10,000 pages,
  loaded in 10 ms);
- update_index(site, site_name, directory_urls, written, removed, state_dir):
  an incremental build. site/search/ is the last build's index (hard links
  to the live site: every file is unlinked before it is written again).
  Only the pages written (`written`, site paths) are read; the old grams of a
  changed, renumbered or removed page come from its old p/<n>.js (whose entry
  is all its grams are made of), so a change rewrites the files of its pages,
  the shard files of its segment whose lists changed, and meta.js. When the
  number space or the shard count changes (rarely: both are powers of two),
  the whole index is written again from the old p/<n>.js files. Without a
  state matching site/search/meta.js, or with a file whose hash is not the
  state's, the whole site is indexed as index_site does (one line logged).
At 10,000 records, one page changed takes 0.05 s of CPU, one added or deleted
0.2 s and rewrites 0.9 MB of shard files (the whole index: 4 s, 15 MB).
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import operator
import os
import re
import shutil
import unicodedata
from collections import defaultdict, deque
from itertools import accumulate, repeat
from pathlib import Path

from .. import collector
from .pagetext import page_text

log = logging.getLogger("zlt")

FORMAT = 2
# Uncompressed bytes of posting lists per shard file, SHARD_BYTES/2 to
# SHARD_BYTES on average; SEGMENT_SPAN page numbers per segment. At 10,000
# records (15 MB of posting lists, page numbers in 65,536): 2,048 shards in
# 4 segments, 8,192 files of 1.8 KB. A page added rewrites about 2 MB of them
# (unsegmented, any shard size rewrote 11-14 MB: the lists of a page's grams
# hold 10 MB) and rsync sends about 1 MB; a first query loads 26-39 KB in
# 16-19 requests, 106-122 ms (BENCHMARKS.md). Segments of 4,096 numbers (16
# at 10,000) rewrote 0.9 MB a page but a first query took 66 requests,
# 77-85 KB and 217-255 ms, near the 0.3 s budget.
SHARD_BYTES = 3_000
SEGMENT_SPAN = 16384
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
    return ",".join(map(str, map(operator.sub, numbers, [0, *numbers])))


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


def _space(pages: int) -> int:
    """The numbers page_ids draws from, for this many pages."""
    return max(1 << 12, 1 << (pages * 4 - 1).bit_length())


def _excluded(rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, p) for p in NOT_INDEXED)


def _read_page(site: Path, rel: str) -> list | None:
    """[title, text] of the built page, None if it is left out of the index."""
    try:
        html = (site / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SearchIndexError(f"生成搜索索引失败，网站未更新：无法读取 {rel}（{e}）") from e
    # The mark sits in <head>, before any text of the page.
    head_end = html.find("</head>")
    if EXCLUDED_MARK in html[: head_end if head_end >= 0 else None]:
        return None
    return list(page_text(html))


def page_texts(site: Path, only: set[str] | None = None, known: dict | None = None) -> dict:
    """{page path: [title, text], or None for a page left out of the index}
    of every HTML page of the site; `known` (the last build's) is used for
    the pages not in `only` (the pages this build wrote)."""
    texts: dict = {}
    for html_file in sorted(site.rglob("*.html")):
        rel = html_file.relative_to(site).as_posix()
        if _excluded(rel):
            continue
        if only is not None and rel not in only and known is not None and rel in known:
            texts[rel] = known[rel]
            continue
        texts[rel] = _read_page(site, rel)
    return texts


# --- the files, from the pages' entries ------------------------------------
# An entry is what a page's file p/<n>.js holds: (address, title, text), the
# title being the site's name on a page without one and the text without the
# title it starts with. The grams come from the entry alone, so an update
# reads a changed page's old grams back from its old file.

def _entry(rel: str, found: list, site_name: str, directory_urls: bool) -> tuple[str, str, str]:
    title, text = found
    title = title or site_name
    if text.startswith(title):
        text = text[len(title):].lstrip()
    return address_of(rel, directory_urls), title, text


def _fragment(number: int, entry: tuple[str, str, str]) -> str:
    address, title, text = entry
    return _script("p", [number, {"u": address, "t": title, "x": text}])


def _entry_grams(entry: tuple[str, str, str]) -> tuple[set[str], set[str]]:
    """The grams of the page's text (its title included) and of its title."""
    _, title, text = entry
    return grams(title + " " + text), grams(title)


def _file_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _segments(pages: int) -> int:
    """How many blocks of SEGMENT_SPAN page numbers the posting lists are cut
    into: a power of two, 1 up to 1,024 pages."""
    return max(1, _space(pages) // SEGMENT_SPAN)


def _shard_count(size: int, segments: int) -> int:
    """A power of two, so that the count (and with it every gram's shard)
    changes only when the posting lists double or halve: an update then
    rewrites the files it touches, not all of them. Files hold SHARD_BYTES/2
    to SHARD_BYTES on average."""
    return 1 << (max(1, -(-size // (SHARD_BYTES * segments))) - 1).bit_length()


def _stem(k: int, j: int) -> int | str:
    """Segment j of shard k: s/<k>.js, s/<k>.<j>.js (a small site has one segment)."""
    return k if j == 0 else f"{k}.{j}"


def _weight(gram: str, posting: str) -> int:
    """What a posting list counts for in the shards' size."""
    return len(gram) * 3 + len(posting) + 6


def _version(pages, shard_hashes: list[str]) -> str:
    """A digest of every file of the index (from their hashes, so that an
    update computes it without reading the files it did not write); search.js
    uses it for cache busting only."""
    h = hashlib.sha256()
    for number, file_hash in sorted(pages):
        h.update(f"p{number} {file_hash}\n".encode())
    for i, file_hash in enumerate(shard_hashes):
        h.update(f"s{i} {file_hash}\n".encode())
    return h.hexdigest()[:12]


def _replace(path: Path, text: str) -> None:
    """A new file at `path`: in an incremental build the site is a tree of
    hard links to the live site, and writing into one would change both."""
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def _meta(pages: int, segments: int, shard_hashes: list[str], page_hashes) -> dict:
    return {"format": FORMAT, "pages": pages, "shards": len(shard_hashes) // segments, "segments": segments,
            "version": _version(page_hashes, shard_hashes)}


def _write_all(out: Path, entries: dict[str, tuple[str, str, str]]) -> tuple[dict, dict]:
    """The whole index of `entries` ({page path: entry}) into the empty
    folder `out`; returns its meta and the state an update starts from."""
    (out / "p").mkdir(parents=True)
    (out / "s").mkdir()
    ids = page_ids(sorted(entry[0] for entry in entries.values()))
    segments = _segments(len(entries))
    # Per segment: gram -> page numbers, of the text and of the title.
    body = [defaultdict(list) for _ in range(segments)]
    title_of = [defaultdict(list) for _ in range(segments)]
    pages: dict[str, list] = {}
    for number, rel in sorted((ids[entry[0]], rel) for rel, entry in entries.items()):
        entry = entries[rel]
        in_text, in_title = _entry_grams(entry)
        _add(body[number // SEGMENT_SPAN], in_text, number)
        _add(title_of[number // SEGMENT_SPAN], in_title, number)
        fragment = _fragment(number, entry)
        pages[rel] = [number, _file_hash(fragment)]
        (out / "p" / f"{number}.js").write_text(fragment, encoding="utf-8")

    postings = [{g: _gaps(numbers) + "|" + _gaps(titles.get(g, ())) for g, numbers in lists.items()}
                for lists, titles in zip(body, title_of)]
    size = sum(_weight(g, p) for part in postings for g, p in part.items())
    shards = _shard_count(size, segments)
    shard_hashes = []
    for j, part in enumerate(postings):
        spread: list[dict[str, str]] = [{} for _ in range(shards)]
        for g, p in part.items():
            spread[shard_of(g, shards)][g] = p
        for k, shard in enumerate(spread):
            text = _script("s", [_stem(k, j), shard])
            shard_hashes.append(_file_hash(text))
            (out / "s" / f"{_stem(k, j)}.js").write_text(text, encoding="utf-8")
    meta = _meta(len(pages), segments, shard_hashes, pages.values())
    (out / "meta.js").write_text(_script("m", meta), encoding="utf-8")
    return meta, {"size": size, "pages": pages, "shards": shard_hashes}


def index_site(site: Path, site_name: str, directory_urls: bool = True, texts: dict | None = None,
               state_dir: Path | None = None) -> dict:
    """Write the index of the site's pages into site/search/, replacing any;
    return its meta. `texts`: page_texts(site), when the caller has them;
    `state_dir`: where to keep what update_index needs (none: nothing kept)."""
    if texts is None:
        texts = page_texts(site)
    out = site / INDEX_DIR
    if out.exists():
        shutil.rmtree(out)
    entries = {rel: _entry(rel, found, site_name, directory_urls) for rel, found in texts.items()
               if found is not None}
    meta, state = _write_all(out, entries)
    if state_dir is not None:
        _save_state(state_dir, site_name, directory_urls, meta, state)
    return meta


# --- incremental updates ---------------------------------------------------

STATE_FILE = "search.json"
STATE_FORMAT = 2


class _Doubt(Exception):
    """The last index or its state cannot be trusted: index the site whole."""


def _save_state(state_dir: Path, site_name: str, directory_urls: bool, meta: dict, state: dict) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / STATE_FILE
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    data = {"format": STATE_FORMAT, "index_format": FORMAT, "shard_bytes": SHARD_BYTES, "site_name": site_name,
            "directory_urls": directory_urls, "version": meta["version"], **state}
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def _load_state(state_dir: Path, site: Path, site_name: str, directory_urls: bool) -> dict:
    """The state of the index now in site/search/, checked against its meta.js
    (a state left by a build that was never swapped in names another version)."""
    path = state_dir / STATE_FILE
    if not path.is_file():
        raise _Doubt("没有上次的索引记录")
    try:
        with collector.paused():
            state = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(state, dict) and state.get("format") == STATE_FORMAT
                and state.get("index_format") == FORMAT and state.get("shard_bytes") == SHARD_BYTES):
            raise ValueError("format")
        pages, shards, size = state.get("pages"), state.get("shards"), state.get("size")
        if not (isinstance(pages, dict) and isinstance(shards, list) and shards and isinstance(size, int)
                and all(isinstance(h, str) for h in shards)
                and all(isinstance(v, list) and len(v) == 2 and type(v[0]) is int and isinstance(v[1], str)
                        for v in pages.values())):
            raise ValueError("types")
    except (OSError, ValueError) as e:
        raise _Doubt(f"索引记录已损坏（{path.name}：{type(e).__name__}）") from e
    if state.get("site_name") != site_name or state.get("directory_urls") != directory_urls:
        raise _Doubt("网站名称或网址形式变了")
    try:
        meta = _call(site / INDEX_DIR / "meta.js", "m")
    except (OSError, ValueError) as e:
        raise _Doubt("网站中没有上次的索引") from e
    segments = _segments(len(pages))
    if meta != {"format": FORMAT, "pages": len(pages), "shards": len(shards) // segments, "segments": segments,
                "version": state.get("version")} or len(shards) % segments:
        raise _Doubt("网站中的索引与记录不符")
    return state


_CALL = re.compile(r"zltSearch\.([msp])\((.*)\);\n", re.S)


def _call(path: Path, kind: str, file_hash: str | None = None):
    """The data of an index file, checked against its hash in the state."""
    text = path.read_text(encoding="utf-8")
    if file_hash is not None and _file_hash(text) != file_hash:
        raise _Doubt(f"索引文件 {path.name} 与记录不符")
    m = _CALL.fullmatch(text)
    if not m or m.group(1) != kind:
        raise ValueError(path.name)
    return json.loads(m.group(2))


def _numbers(gaps: str) -> list[int]:
    return list(accumulate(map(int, gaps.split(",")))) if gaps else []


def update_index(site: Path, site_name: str, directory_urls: bool, written: set[str], removed: set[str],
                 state_dir: Path, gone: set[str] | None = None) -> dict:
    """Bring site/search/ (the last build's index, hard links to the live
    site's) up to date with the pages this build wrote (`written`, site
    paths; all but HTML pages ignored) and deleted (`removed`), reading only
    the written pages; return the meta. The result is the same, byte for
    byte, as index_site of the whole site. Without a state that matches the
    index in the site, the whole site is indexed (and the state kept).
    `gone`: where to note the files of the index this removed (site paths)."""
    gone = set() if gone is None else gone
    try:
        state = _load_state(state_dir, site, site_name, directory_urls)
        meta, new_state = _update(site, site_name, directory_urls, written, removed, state, gone)
    except _Doubt as e:
        log.info("搜索索引完整重建：%s。", e)
        _all_gone(site, gone)
        return index_site(site, site_name, directory_urls, state_dir=state_dir)
    _save_state(state_dir, site_name, directory_urls, meta, new_state)
    return meta


def _all_gone(site: Path, gone: set[str]) -> None:
    """Every file of the index, noted as removed (it is written whole again)."""
    for dirpath, _, names in os.walk(site / INDEX_DIR):
        folder = Path(dirpath).relative_to(site).as_posix()
        gone.update(f"{folder}/{name}" for name in names)


def _update(site: Path, site_name: str, directory_urls: bool, written: set[str], removed: set[str],
            state: dict, files_gone: set[str]) -> tuple[dict, dict]:
    out = site / INDEX_DIR
    pages: dict[str, list] = state["pages"]          # page path -> [number, hash of its file]
    shard_hashes: list[str] = state["shards"]

    read: dict[str, tuple[str, str, str]] = {}

    def old_entry(rel: str) -> tuple[str, str, str]:
        if rel in read:
            return read[rel]
        number, file_hash = pages[rel]
        try:
            found_number, data = _call(out / "p" / f"{number}.js", "p", file_hash)
            entry = (data["u"], data["t"], data["x"])
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise _Doubt(f"索引文件 p/{number}.js 无法读取") from e
        if found_number != number or entry[0] != address_of(rel, directory_urls):
            raise _Doubt(f"索引文件 p/{number}.js 与记录不符")
        read[rel] = entry
        return entry

    def rewrite() -> tuple[dict, dict]:
        # Every page has another number or every gram another shard: the
        # whole index again, from the pages' files (not their HTML).
        entries = {rel: new_entries[rel] if rel in new_entries else old_entry(rel) for rel in indexed}
        _all_gone(site, files_gone)
        shutil.rmtree(out)
        return _write_all(out, entries)

    new_entries: dict[str, tuple[str, str, str]] = {}
    for rel in sorted(written):
        if rel.endswith(".html") and not _excluded(rel):
            found = _read_page(site, rel)
            if found is not None:
                new_entries[rel] = _entry(rel, found, site_name, directory_urls)
    gone = {rel for rel in written | removed if rel in pages and rel not in new_entries}
    kept = pages.keys() - gone
    indexed = kept | new_entries.keys()
    if _space(len(indexed)) != _space(len(pages)):
        return rewrite()
    ids = page_ids(sorted(address_of(rel, directory_urls) for rel in indexed))

    # The pages whose file changes: new, changed, or given another number.
    to_write: dict[str, tuple[int, str, tuple]] = {}   # page path -> (number, fragment, entry)
    for rel in indexed:
        number = ids[address_of(rel, directory_urls)]
        if rel in new_entries:
            entry = new_entries[rel]
        elif number != pages[rel][0]:
            entry = old_entry(rel)
        else:
            continue
        fragment = _fragment(number, entry)
        if pages.get(rel) != [number, _file_hash(fragment)]:
            to_write[rel] = (number, fragment, entry)

    # What that does to the posting lists: the old numbers off the lists of
    # the old grams, the new numbers onto those of the new grams.
    body: defaultdict[tuple, list] = defaultdict(lambda: [set(), set()])     # (gram, segment) -> [off, on]
    title_of: defaultdict[tuple, list] = defaultdict(lambda: [set(), set()])
    for side, numbered in ((0, [(pages[rel][0], old_entry(rel)) for rel in gone | (to_write.keys() & pages.keys())]),
                           (1, [(number, entry) for number, _, entry in to_write.values()])):
        for number, entry in numbered:
            in_text, in_title = _entry_grams(entry)
            j = number // SEGMENT_SPAN
            for g in in_text:
                body[g, j][side].add(number)
            for g in in_title:
                title_of[g, j][side].add(number)
    # A page that keeps its number comes off and goes back onto the lists
    # of the grams it keeps: no change there.
    for changes in (body, title_of):
        for key in list(changes):
            off, on = changes[key]
            both = off & on
            if both:
                off -= both
                on -= both
                if not off and not on:
                    del changes[key]

    segments = _segments(len(pages))
    shards = len(shard_hashes) // segments
    touched: dict[tuple[int, int], dict[str, str]] = {}
    size = state["size"]
    for g, j in body.keys() | title_of.keys():
        k = shard_of(g, shards)
        if (k, j) not in touched:
            stem = _stem(k, j)
            try:
                found_stem, part = _call(out / "s" / f"{stem}.js", "s", shard_hashes[j * shards + k])
            except (OSError, ValueError, TypeError) as e:
                raise _Doubt(f"索引文件 s/{stem}.js 无法读取") from e
            if found_stem != stem or not isinstance(part, dict):
                raise _Doubt(f"索引文件 s/{stem}.js 与记录不符")
            touched[k, j] = part
        part = touched[k, j]
        old = part.get(g)
        in_text, in_title = old.split("|") if old is not None else ("", "")
        lists = []
        for gaps, change in ((in_text, body.get((g, j))), (in_title, title_of.get((g, j)))):
            if change is None:   # this list stays as written
                lists.append(gaps)
                continue
            off, on = change
            lists.append(_gaps(sorted((set(_numbers(gaps)) - off) | on)))
        new = lists[0] + "|" + lists[1] if lists[0] else None
        if new != old:
            size += (_weight(g, new) if new is not None else 0) - (_weight(g, old) if old is not None else 0)
            if new is None:
                del part[g]
            else:
                part[g] = new
    if _shard_count(size, segments) != shards:
        return rewrite()

    # Write: the files of pages gone or moved away first, then the new ones.
    new_pages = {rel: pages[rel] for rel in kept}
    for rel in gone | to_write.keys():
        if rel in pages:
            (out / "p" / f"{pages[rel][0]}.js").unlink(missing_ok=True)
            files_gone.add(f"{INDEX_DIR}/p/{pages[rel][0]}.js")
    for rel, (number, fragment, _) in to_write.items():
        _replace(out / "p" / f"{number}.js", fragment)
        new_pages[rel] = [number, _file_hash(fragment)]
    shard_hashes = list(shard_hashes)
    for (k, j), part in touched.items():
        text = _script("s", [_stem(k, j), part])
        new_hash = _file_hash(text)
        if new_hash != shard_hashes[j * shards + k]:
            _replace(out / "s" / f"{_stem(k, j)}.js", text)
            shard_hashes[j * shards + k] = new_hash
    meta = _meta(len(new_pages), segments, shard_hashes, new_pages.values())
    _replace(out / "meta.js", _script("m", meta))
    return meta, {"size": size, "pages": new_pages, "shards": shard_hashes}
