"""The render's memo: re-render only the pages a change can reach, exactly.

A page's Markdown is a function of its template, the context the Renderer
passes it (record, items, pager, kind, group…), the environment's globals,
what the template asks of `site` (render/site.py) and the files a filter
reads (photo sizes, a film's file size). Templates, the model and this code
are in the memo's fingerprint: any change there renders everything.

While a page renders, `site` is a RecordingSite: every call on it (a method,
`site.by_id.get(x)`, `site.located.get(x)`, `site.by_kind[k]`…) is noted with
the key of its arguments and a digest of its result, where a record counts
by its id and content key (the text of its file, its path, its body as the
build has it: withhold_unsafe_bodies may replace it). Anything the recording
does not understand (an attribute such as `site.relations`, iterating over
`site.by_id`, an argument it cannot name) marks the page "always render".

Next build, every distinct call of the last build is evaluated once on the
new Site (or kept without evaluating, see Memo._structure: while no changed
record changes the Site's structure, a call whose result held no changed
record, and that is not about what an added or removed record reaches, gives
what it gave); a page is kept (its Markdown file left as it is) only when its
template, context key and every one of its calls' results are the same, and
its file is still there with the size written. The covers, the media and
content/ copied into the docs are keyed the same way. The state is one JSON
file, written atomically, checked on load; any doubt renders everything,
with a one-line Chinese reason.

Contract: `out` holds what the last render with this memo wrote, nothing
else wrote into it since (a render without the memo must delete the memo).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup

from .. import collector
from ..records.loader import Record, Snapshot
from ..records.schema import Kind

FORMAT = 3
MEMO_FILE = "render-memo.json"
# Lists longer than this are digested once per build (by object) when they
# are keyed: a kind's whole list is part of the context of each of its pages.
_BIG = 40


class Unkeyable(Exception):
    """A value the memo cannot name: the page that met it always renders."""


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def content_key(r: Record, snap: Snapshot) -> str:
    """Everything a record's fields and body come from: its kind, its file
    (path and text) and its body as this build has it."""
    text = snap.texts.get(r.path)
    if text is None:   # not read from a file (a test's record): its data as it is
        text = json.dumps(r.data, ensure_ascii=False, sort_keys=True, default=repr)
    h = hashlib.blake2b(digest_size=10)
    for part in (r.kind.name, r.id, r.path, text, r.body):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def structure_fields(kind: Kind) -> frozenset[str]:
    """The fields of a kind that the Site's methods read besides returning
    the record (render/site.py: the lists' order and groups, 首页 picks,
    honours, 所在单位, and every field naming other records)."""
    listing = kind.listing
    named = {name.lstrip("-") for name in listing.order} - {"path", "id"}
    named |= {listing.group_by} if listing.group_by else set()
    named |= {"featured", "honours", "unit"} & kind.fields.keys()
    return frozenset(named | kind.references.keys())


def structure_key(r: Record) -> str:
    """What of a record shapes the Site (its lists, groups, links, counts),
    as opposed to what its pages show of it: while no record's structure
    key changes, a Site method gives the same records as before, each in
    its new version (Memo._old_call_valid)."""
    from ..records.relations import references

    fields = structure_fields(r.kind)
    data = [r.kind.name, r.id, r.path, r.line, r.is_published, r.is_sample,
            sorted([list(map(str, path)), target] for path, _, target in references(r)),
            sorted((name, repr(r[name])) for name in fields)]
    return _digest(json.dumps(data, ensure_ascii=False, default=repr))


# A call whose result names more records than this is replayed, not skipped.
_IDS_MAX = 400


def result_ids(result) -> list[str] | None:
    """The ids of the records a call's result holds (in lists, tuples,
    dictionaries and dataclasses), None when there are too many or a value
    of a kind not known here."""
    found: list[str] = []
    stack = [result]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is Record:
            found.append(v.id)
        elif v is None or t in (str, int, bool, float) or isinstance(v, (Kind, date, Markup, _Missing)):
            continue
        elif t in (list, tuple):
            stack.extend(v)
        elif t is dict:
            stack.extend(v.keys())
            stack.extend(v.values())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
        else:
            return None
        if len(found) > _IDS_MAX:
            return None
    return sorted(set(found))


def fingerprint(root: Path, schema_source) -> str:
    """The templates, the model and the render's code: any change renders all."""
    here = Path(__file__).resolve().parent
    files = sorted((root / "templates").rglob("*")) + sorted(here.glob("*.py")) \
        + sorted((here.parent / "records").glob("*.py")) + sorted((here.parent / "records").glob("*.yaml"))
    h = hashlib.blake2b(digest_size=16)
    for p in files:
        if p.is_file():
            h.update(str(p).encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(Path(schema_source).read_bytes())
    return h.hexdigest()


def file_key(root: Path, rel: str):
    """A repository file as the filters and the media copy see it."""
    try:
        st = (root / rel).stat()
    except (OSError, ValueError):
        return None
    return [st.st_size, st.st_mtime_ns]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_dump = _ENCODER.encode


class Memo:
    """The memo of one render (the last build's state, read, and this
    build's, being written)."""

    def __init__(self, folder: Path, snap: Snapshot, site, out: Path, global_key: str):
        self.path = folder / MEMO_FILE
        self.snap, self.site, self.out, self.root = snap, site, out, snap.root
        self.ckeys: dict[str, tuple[Record, str]] = {r.id: (r, content_key(r, snap)) for r in site.records}
        self.fingerprint = fingerprint(snap.root, snap.schema.source)
        self.global_key = global_key
        self.functions: dict[str, Callable] = {}    # extra named calls (group_path)
        # This build's calls: (name, args json) -> [id, result, digest]
        self.calls: dict[tuple[str, str], list] = {}
        self.call_rows: list[list] = []           # id -> [name, args json, digest]
        self.pages: dict[str, list] = {}          # doc path -> [context key, call ids, size]
        self.files: dict[str, list] = {}          # covers, media, content: path -> [key, size]
        self.current: set[int] | None = None      # the calls of the page being rendered
        self.untracked = ""                       # why the page being rendered is not memoized
        self._big: dict[int, tuple[Any, Any]] = {}
        self.old_pages: dict[str, list] = {}
        self._listed: dict[str, set[str]] = {}
        self.old_files: dict[str, list] = {}
        self.old_calls: list[list] = []
        self._valid: dict[int, int | None] = {}
        self._args: dict[str, tuple] = {}
        self.old_records: dict[str, list] = {}
        self.reason = self._load()
        self.written: set[str] = set()
        self.doubt = ""                           # a skipped call found changed after all
        self._structure()

    # --- the last build's state -------------------------------------------------

    def _load(self) -> str:
        """Why the last build's state cannot be used ("" when it can)."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return "没有上次生成页面的记录"
        except OSError:
            return "上次生成页面的记录无法读取"
        try:
            with collector.paused():   # some hundred thousand objects, no garbage
                data = json.loads(raw)
            ok = (isinstance(data, dict) and data.get("format") == FORMAT
                  and isinstance(data.get("pages"), dict) and isinstance(data.get("files"), dict)
                  and isinstance(data.get("calls"), list) and isinstance(data.get("records"), dict)
                  and all(isinstance(c, list) and len(c) == 4 and all(isinstance(x, str) for x in c[:3])
                          and (c[3] is None or isinstance(c[3], list)) for c in data["calls"])
                  and all(isinstance(v, list) and len(v) == 3 and all(isinstance(x, str) for x in v)
                          for v in data["records"].values())
                  and all(isinstance(p, list) and len(p) == 3 and isinstance(p[0], str) and isinstance(p[1], list)
                          for p in data["pages"].values())
                  and all(isinstance(f, list) and len(f) == 2 for f in data["files"].values()))
        except (ValueError, RecursionError):
            ok = False
        if not ok:
            return "上次生成页面的记录已损坏或格式不同"
        if data.get("fingerprint") != self.fingerprint:
            return "模板、模型（schema.yaml）或程序变了"
        if data.get("out") != str(self.out.resolve()):
            return "文档目录不是上次的"
        if data.get("global") != self.global_key:
            return "导航、网站设置或手写页面的信息变了"
        n = len(data["calls"])
        if any(not isinstance(i, int) or not 0 <= i < n for p in data["pages"].values() for i in p[1]):
            return "上次生成页面的记录已损坏或格式不同"
        self.old_pages, self.old_files, self.old_calls = data["pages"], data["files"], data["calls"]
        self.old_records = data["records"]
        return ""

    def _structure(self) -> None:
        """Which records changed since the last build (`dirty`: changed,
        added or removed), and whether the Site's structure stayed the same
        but for records added or removed (`same_structure`: none of the
        changed ones has another structure_key). Then a call whose result
        held no dirty record gives what it gave, unless it is about what an
        added or removed record reaches (`touched`: its kind, its neighbours
        in its list, the records it links to or that link to it; the home
        page's and the menu's sections)."""
        old = self.old_records
        self.records: dict[str, list[str]] = {}
        removed = set(old) - set(self.ckeys)
        self.dirty: set[str] = set(removed)
        self.touched: set[str] = set(removed) | {old[rid][2] for rid in removed}
        same = True
        for rid, (r, ckey) in self.ckeys.items():
            was = old.get(rid)
            if was is not None and was[0] == ckey:
                self.records[rid] = was
                continue
            skey = structure_key(r)
            self.records[rid] = [ckey, skey, r.kind.name]
            self.dirty.add(rid)
            if was is None:   # added
                self.touched |= {rid, r.kind.name}
                self.touched |= {x.id for x in self.site.neighbours(r) if x is not None}
                relations = self.site.relations
                self.touched |= {link.target.id for link in relations.outgoing.get(rid, [])}
                self.touched |= {link.source.id for link in relations.incoming.get(rid, [])}
            else:
                same = same and was[1] == skey
        # A list-file kind's records sit on its list's pages (site.located):
        # one added or removed moves others.
        self.located_moved = any(k.is_list_file for k in self.snap.schema.kinds.values() if k.name in self.touched)
        self.same_structure = same and self.reason == ""

    def _kept_unevaluated(self, name: str, args_json: str, ids) -> bool:
        """Whether the last build's call gives the same result now without
        evaluating it (see _structure)."""
        if not self.same_structure or ids is None or self.dirty.intersection(ids):
            return False
        if any(f'"{rid}"' in args_json for rid in self.dirty):
            return False
        if self.touched:
            if name in REACH_EVERYTHING or (self.located_moved and name.startswith("located.")):
                return False
            if any(f'"{t}"' in args_json for t in self.touched):
                return False
        return True

    def save(self) -> None:
        data = {"format": FORMAT, "fingerprint": self.fingerprint, "out": str(self.out.resolve()),
                "global": self.global_key, "calls": self.call_rows, "pages": self.pages, "files": self.files,
                "records": self.records}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=MEMO_FILE, suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(_dump(data))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def removed(self) -> set[str]:
        """What the last build wrote and this one does not."""
        return (set(self.old_pages) | set(self.old_files)) - set(self.pages) - set(self.files)

    # --- keys -------------------------------------------------------------------

    def enc(self, v):
        """A JSON value naming v: records by id and content key."""
        t = type(v)
        if v is None or t is str or t is int or t is bool or t is float:
            return v
        if t is Record:
            found = self.ckeys.get(v.id)
            if found is None or found[0] is not v:
                raise Unkeyable("a record not of this build")
            return {"R": [v.id, found[1]]}
        if t is list or t is tuple:
            if len(v) > _BIG:
                held = self._big.get(id(v))
                if held is None or held[0] is not v:
                    held = (v, {"H": _digest(_dump([self.enc(x) for x in v])), "t": t is tuple})
                    self._big[id(v)] = held   # holds v: its id is not reused meanwhile
                return held[1]
            items = [self.enc(x) for x in v]
            return {"T": items} if t is tuple else items
        if isinstance(v, Kind):
            return {"K": v.name}
        if isinstance(v, Markup):
            return {"M": str(v)}
        if isinstance(v, str):
            return str(v)
        if t is dict:
            return {"D": [[self.enc(k), self.enc(x)] for k, x in v.items()]}
        if isinstance(v, date):
            return {"d": v.isoformat()}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {"C": [type(v).__name__] + [self.enc(getattr(v, f.name)) for f in dataclasses.fields(v)]}
        raise Unkeyable(type(v).__name__)

    def dec(self, v):
        """The value an argument key names in this build (Unkeyable if gone)."""
        if not isinstance(v, (dict, list)):
            return v
        if isinstance(v, list):
            return [self.dec(x) for x in v]
        if "R" in v:
            rid, key = v["R"]
            found = self.ckeys.get(rid)
            if found is None or found[1] != key:
                raise Unkeyable("record changed")
            return found[0]
        if "K" in v:
            kind = self.snap.schema.kinds.get(v["K"])
            if kind is None:
                raise Unkeyable("kind")
            return kind
        if "T" in v:
            return tuple(self.dec(x) for x in v["T"])
        if "D" in v:
            return {self.dec(k): self.dec(x) for k, x in v["D"]}
        if "M" in v:
            return Markup(v["M"])
        if "d" in v:
            return date.fromisoformat(v["d"])
        raise Unkeyable("argument")

    def _rkey(self, r: Record) -> str:
        found = self.ckeys.get(r.id)
        if found is None or found[0] is not r:
            raise Unkeyable("a record not of this build")
        return found[1]

    def result_digest(self, result) -> str:
        # The common results without the JSON round: most calls of a build
        # are replayed on the next, so this is its hot path.
        t = type(result)
        if t is Record:
            return "R" + self._rkey(result)
        if result is None:
            return "N"
        if t is str and len(result) < 80:
            return "S" + result
        if t is bool:
            return "B1" if result else "B0"
        if t is list and all(type(x) is Record for x in result):
            return "L" + _digest(",".join(map(self._rkey, result)))
        return _digest(_dump(self.enc(result)))

    def context_key(self, template: str, context: dict) -> str:
        return _digest(_dump([template, [[k, self.enc(v)] for k, v in sorted(context.items())]]))

    # --- calls --------------------------------------------------------------------

    def evaluate(self, name: str, args: tuple):
        """Call `name` on this build's site (or a named function)."""
        attr, _, op = name.partition(".")
        if op:
            mapping = getattr(self.site, attr)
            if op == "get":
                return mapping.get(*args)
            if op == "contains":
                return args[0] in mapping
            try:
                return mapping[args[0]]
            except KeyError:
                return _MISSING
        if attr == "file":
            return file_key(self.root, args[0])
        function = self.functions.get(attr) or getattr(self.site, attr)
        return function(*args)

    def call(self, name: str, args: tuple):
        """A call made by the page being rendered: noted, and its result."""
        try:
            key = (name, _dump([self.enc(a) for a in args]))
        except Unkeyable as e:
            self.untrack(f"{name}: {e}")
            return self.evaluate(name, args)
        row = self.calls.get(key)
        if row is None:
            result = self.evaluate(name, args)
            try:
                digest = self.result_digest(result)
            except Unkeyable as e:
                self.untrack(f"{name}: {e}")
                return result
            ids = self._ids(name, args, result)
            row = self.calls[key] = [len(self.call_rows), result, digest]
            self.call_rows.append([name, key[1], digest, ids])
        elif row[1] is _UNEVALUATED:
            # Kept without evaluating (_old_call_valid): evaluated now that a
            # page needs its result, which must be what it was.
            row[1] = self.evaluate(name, args)
            if self.result_digest(row[1]) != row[2] and not self.doubt:
                self.doubt = f"{name}{key[1]}"
        if self.current is not None:
            self.current.add(row[0])
        return row[1]

    def _ids(self, name: str, args: tuple, result) -> list[str] | None:
        """The records in a call's result, for the next build to skip the
        call when none of them changed; None: always evaluate it again."""
        if name not in SKIPPABLE:
            return None
        if name in ("by_group", "own_refs"):   # a field named by the template
            kind = (self.snap.schema.kinds.get(args[0]) if name == "by_group" and args and isinstance(args[0], str)
                    else getattr(args[0], "kind", None) if args else None)
            if not isinstance(kind, Kind) or len(args) < 2 or args[1] not in structure_fields(kind):
                return None
        return result_ids(result)

    def untrack(self, why: str) -> None:
        if self.current is not None and not self.untracked:
            self.untracked = why or "untracked"

    def _old_call_valid(self, i: int) -> int | None:
        """This build's id of the last build's call i if its result is the
        same, else None."""
        if i in self._valid:
            return self._valid[i]
        name, args_json, digest, ids = self.old_calls[i]
        key = (name, args_json)
        row = self.calls.get(key)
        new = None
        if row is not None:
            new = row[0] if row[2] == digest else None
        elif self._kept_unevaluated(name, args_json, ids):
            # Neither its arguments nor its records changed, nor the Site's
            # structure: the same result (evaluated if a page asks for it).
            row = self.calls[key] = [len(self.call_rows), _UNEVALUATED, digest]
            self.call_rows.append([name, args_json, digest, ids])
            new = row[0]
        else:
            try:
                args = self._args.get(args_json)
                if args is None:   # the same arguments serve several calls (a record's page)
                    args = self._args[args_json] = tuple(self.dec(a) for a in json.loads(args_json))
                result = self.evaluate(name, args)
                now = self.result_digest(result)
            except Unkeyable:
                now = None
            except Exception:   # an argument that no longer fits: the page will say
                now = None
            if now is not None:
                row = self.calls[key] = [len(self.call_rows), result, now]
                self.call_rows.append([name, args_json, now, self._ids(name, args, result)])
                new = row[0] if now == digest else None
        self._valid[i] = new
        return new

    # --- pages ----------------------------------------------------------------------

    def _on_disk(self, rel: str, size) -> bool:
        """Whether the docs still hold the file the last build wrote (the
        build's own clean-up, leave_out_refused, may have taken it out):
        names listed once a folder, not a stat a file."""
        folder, _, name = rel.rpartition("/")
        names = self._listed.get(folder)
        if names is None:
            try:
                names = self._listed[folder] = set(os.listdir(self.out / folder))
            except OSError:
                names = self._listed[folder] = set()
        return name in names

    def keep(self, doc_path: str, template: str, context: dict) -> tuple[bool, str | None]:
        """Whether the page's file can stay as it is, and its context key
        (None for a context the memo cannot name: the page always renders)."""
        try:
            ctx = self.context_key(template, context)
        except Unkeyable:
            return False, None
        old = self.old_pages.get(doc_path)
        if old is not None and old[0] == ctx and old[2] is not None and self._on_disk(doc_path, old[2]):
            ids = []
            for i in old[1]:
                new = self._old_call_valid(i)
                if new is None:
                    break
                ids.append(new)
            else:
                self.pages[doc_path] = [ctx, ids, old[2]]
                return True, ctx
        return False, ctx

    def begin(self) -> None:
        self.current, self.untracked = set(), ""

    def end(self, doc_path: str, ctx: str | None, text: str) -> bool:
        """Note the page just rendered; whether its file must be written."""
        calls, self.current = self.current, None
        data = text.encode("utf-8")
        size = None if (self.untracked or ctx is None) else len(data)
        self.pages[doc_path] = [ctx or "", sorted(calls or ()), size]
        # An unchanged text is not written again: the build need not look at it.
        return not (self.reason == "" and self._same_file(doc_path, data))

    def _same_file(self, doc_path: str, data: bytes) -> bool:
        try:
            path = self.out / doc_path
            return os.stat(path).st_size == len(data) and path.read_bytes() == data
        except OSError:
            return False

    # --- files: covers, media, content --------------------------------------------------

    def file_fresh(self, rel: str, key) -> bool:
        """Whether the docs' file rel was made from `key` and is still there."""
        old = self.old_files.get(rel)
        if old is not None and old[0] == key:
            if old[1] is None:
                return not (self.out / rel).exists()
            if self._on_disk(rel, old[1]):
                self.files[rel] = old
                return True
        return False

    def file_made(self, rel: str, key) -> None:
        try:
            size = (self.out / rel).stat().st_size
        except OSError:
            size = None
        self.files[rel] = [key, size]
        self.written.add(rel)


class _Missing:
    pass


_MISSING = _Missing()
_UNEVALUATED = object()


class RecordedMapping:
    """site.by_id, site.located, site.by_kind as the templates and filters see
    them: each look-up is a recorded call."""

    __slots__ = ("_memo", "_name", "_map")

    def __init__(self, memo: Memo, name: str, mapping):
        self._memo, self._name, self._map = memo, name, mapping

    def get(self, key, default=None):
        return self._memo.call(self._name + ".get", (key, default))

    def __getitem__(self, key):
        result = self._memo.call(self._name + ".item", (key,))
        if result is _MISSING:
            raise KeyError(key)
        return result

    def __contains__(self, key):
        return self._memo.call(self._name + ".contains", (key,))

    def __getattr__(self, name):   # keys(), items(), len… : the whole mapping
        self._memo.untrack(f"{self._name}.{name}")
        return getattr(self._map, name)

    def __iter__(self):
        self._memo.untrack(f"iter {self._name}")
        return iter(self._map)

    def __len__(self):
        self._memo.untrack(f"len {self._name}")
        return len(self._map)


# The Site's methods whose result is a function of their arguments and the
# Site (so of the records of this build): recorded calls.
SITE_CALLS = frozenset({
    "shown", "builds", "related", "related_by_kind", "honours", "own_refs", "unit_of", "latest",
    "featured", "real", "count", "neighbours", "home_kinds", "headline", "by_group", "menu_entries",
    "measure", "home_sections",
})
SITE_MAPPINGS = frozenset({"by_id", "located", "by_kind"})
# The calls whose result is a function of their arguments and of the records
# as structure_key sees them (and of the records returned): kept without
# evaluating while neither changed. Not `file` (the file system).
SKIPPABLE = SITE_CALLS | {f"{m}.{op}" for m in SITE_MAPPINGS for op in ("get", "item", "contains")} | {"group_path"}
# The Site's methods whose result may change with any record added or
# removed, whatever their arguments: the home page, the menu, honours.
REACH_EVERYTHING = frozenset({"home_sections", "headline", "home_kinds", "menu_entries", "honours", "builds",
                              "shown"})
# Attributes fixed for the build (the model is in the fingerprint, preview in
# the globals' key).
SITE_CONSTANTS = frozenset({"schema", "preview"})


class RecordingSite:
    """The Site as a page's template sees it while the memo records."""

    def __init__(self, memo: Memo, site):
        self._memo, self._site = memo, site
        self._mappings = {name: RecordedMapping(memo, name, getattr(site, name)) for name in SITE_MAPPINGS}

    def __getattr__(self, name):
        if name in SITE_CALLS:
            memo = self._memo

            def recorded(*args, **kwargs):
                if kwargs:   # keyword arguments: not keyed, the page always renders
                    memo.untrack(f"{name}(**kwargs)")
                    return getattr(self._site, name)(*args, **kwargs)
                return memo.call(name, args)
            return recorded
        if name in SITE_MAPPINGS:
            return self._mappings[name]
        value = getattr(self._site, name)
        if name not in SITE_CONSTANTS:
            self._memo.untrack(f"site.{name}")
        return value


def recorded_function(memo: Memo, name: str, function: Callable) -> Callable:
    """A global function of the templates (group_path) as a recorded call."""
    memo.functions[name] = function

    def recorded(*args, **kwargs):
        if kwargs:
            memo.untrack(f"{name}(**kwargs)")
            return function(*args, **kwargs)
        return memo.call(name, args)
    return recorded


def file_filters(memo: Memo, filters: dict) -> dict:
    """The filters that read repository files (photo sizes, a film's size),
    noting the file they read. A new filter that reads a file belongs here."""
    from .filters import picture_field

    def noted(rel):
        if isinstance(rel, str) and rel:
            memo.call("file", (rel,))

    def picture(r, _f=filters["picture"]):
        name = picture_field(r) if isinstance(r, Record) else ""
        noted(r[name] if name else None)
        return _f(r)

    def photo_size(rel, _f=filters["photo_size"]):
        noted(rel)
        return _f(rel)

    def file_size(rel, _f=filters["file_size"]):
        noted(rel)
        return _f(rel)

    return {"picture": picture, "photo_size": photo_size, "file_size": file_size}


def global_key(env_globals: dict, extra: dict) -> str:
    """The globals every page may read (menu, hand-written pages' front
    matter, home sections, settings): any change renders everything."""
    values = {k: v for k, v in env_globals.items() if k in ("nav", "content_meta", "home_pages")}
    values.update(extra)
    return _digest(json.dumps(values, ensure_ascii=False, sort_keys=True, default=_repr))


def _repr(value) -> str:
    """A Python object in the configuration (the toc's slugify) as its
    repr without its address, which differs between runs."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
