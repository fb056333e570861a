"""Render: records through the Jinja templates into plain Markdown.

The output is ordinary MkDocs Markdown with front matter: no project plugin or
hook is needed to build it, so another MkDocs-compatible builder can take over.
Templates are looked up as Hugo does: a kind's own (templates/<kind>/list.md.j2,
single.md.j2) if it has one, else the defaults (templates/_default/), which
show any kind as the model declares it (schema.yaml `show:`); plus the
derived pages of templates/pages/. Every kind gets its list pages, and each
record of a kind with pages of its own its page. How each list is ordered,
split into pages and grouped comes from the model (schema.yaml `list:` and
`pages:`), not from code here.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..progress import Progress
import jinja2

from ..records import images, view
from ..records.loader import Snapshot
from ..records.relations import walk_fields
from ..problems import InputError, Problem
from ..records.schema import SCHEMA_PATH, Kind, Listing
from ..site_config import site_config
from .covers import cover_path, cover_svg
from .environment import environment, md_text, needs_cover, template_cache  # noqa: F401 (the API)
from .memo import Memo, RecordingSite, file_filters, file_key, global_key, recorded_function
from .navigation import load_nav
from .paths import offline
from .pagination import Pager, paginate
from .site import Site

__all__ = ["render_site", "render_changes", "RenderResult", "Site", "Pager", "paginate", "md_text", "template_cache", "kind_template"]


def group_values(kind: Kind, items: list) -> list[str]:
    """The values a kind's list is grouped by: an enum's values in the model's
    order, or (a list of text, such as news categories) in order of first use."""
    f = kind.fields[kind.listing.group_by]
    if f.values:
        return list(f.values)
    seen: dict[str, None] = {}
    for r in items:
        value = r[f.name]
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v:
                seen.setdefault(v)
    return list(seen)


def group_folder(kind: Kind, value: str, number: int) -> str:
    """Doc path of a group's first page: `<list folder>/<group_url>index.md`."""
    from pymdownx.slugs import slugify  # Material's own slugs (Unicode kept)
    slug = slugify(case="lower")(value, "-")
    return kind.list_folder + kind.listing.group_url.format(
        field=kind.listing.group_by, n=number, slug=slug) + "index.md"


def content_meta(snap: Snapshot) -> dict[str, dict]:
    import yaml
    out = {}
    for page in snap.pages:
        try:
            data = yaml.safe_load(page.front) if page.front else {}
        except yaml.YAMLError:
            data = {}  # the page check reports it
        out[page.path[len("content/"):]] = data if isinstance(data, dict) else {}
    return out


DEFAULT_FOLDER = "_default"


def _kind_line(kind: Kind, schema) -> int:
    """The line of the kind's entry in the model, for messages."""
    import re
    try:
        text = Path(schema.source).read_text(encoding="utf-8")
    except OSError:
        return 1
    m = re.search(rf"^  {re.escape(kind.name)}:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def kind_template(env: jinja2.Environment, kind: Kind, name: str, schema=None) -> str:
    """The template a kind's pages use: `<kind>/<name>` if the repository
    has one, else `_default/<name>` (Hugo's lookup order). Never skipped: a
    kind with neither stops the build, saying which files would serve."""
    names = [f"{kind.name}/{name}", f"{DEFAULT_FOLDER}/{name}"]
    try:
        return env.select_template(names).name
    except jinja2.TemplatesNotFound:
        line = _kind_line(kind, schema) if schema is not None else 1
        raise InputError([Problem(SCHEMA_PATH, line, f"kinds.{kind.name}",
                                  f"“{kind.label}”没有页面模板：templates/ 下既没有 {names[0]}，"
                                  f"也没有默认模板 {names[1]}，网站无法生成这类记录的页面。")]) from None


def _in_group(r, field: str, value: str) -> bool:
    v = r[field]
    return value in v if isinstance(v, list) else v == value


@dataclass
class RenderResult:
    """What a render with a memo (render_changes) did to the docs folder."""
    pages: int                  # pages of the site (written or kept)
    written: set[str]           # doc paths written: new or changed
    removed: set[str]           # doc paths of the last build deleted
    reason: str = ""            # why everything was rendered (Chinese), "" when the memo served


class Renderer:
    def __init__(self, snap: Snapshot, out: Path, preview: bool, memo: Path | None = None):
        self.snap, self.out, self.preview = snap, out, preview
        self.site = Site(snap.schema, snap.records, preview)
        self.view = self.site      # what the templates see as `site`
        self.env = environment(snap.root)
        # For the 网站地图 page: the menu of what this build writes.
        self.env.globals["nav"] = load_nav(snap.root, snap.schema, built=self.site.builds)
        # Front matter of content/'s hand-written pages by doc path: the home
        # page names the 三动工作法 pages with their own titles and descriptions.
        self.env.globals["content_meta"] = content_meta(snap)
        self.env.globals["group_path"] = self.group_path
        # Hand-written sections of the menu on the home page, at their
        # positions among the kinds' (mkdocs.yml `extra: home_sections`).
        extra = site_config(snap.root).get("extra")
        self.env.globals["home_pages"] = (extra.get("home_sections") if isinstance(extra, dict) else None) or {}
        self.count = 0
        self.folders: set[Path] = set()
        self.memo: Memo | None = None
        if memo is not None:
            self.memo = Memo(memo, snap, self.site, out, global_key(self.env.globals, {
                "preview": preview, "offline": offline(), "config": site_config(snap.root)}))
            self.view = RecordingSite(self.memo, self.site)
            self.env.globals["group_path"] = recorded_function(self.memo, "group_path", self.group_path)
            self.env.filters.update(file_filters(self.memo, self.env.filters))

    def group_path(self, kind: Kind, value: str) -> str:
        """Doc path of the first page of one group of a kind's list."""
        values = group_values(kind, self.site.by_kind.get(kind.name, []))
        return group_folder(kind, value, values.index(value) + 1)

    def folder(self, path: Path) -> None:
        """Make a folder of the output once (thousands of files share a few)."""
        if path not in self.folders:
            path.mkdir(parents=True, exist_ok=True)
            self.folders.add(path)

    def write(self, doc_path: str, template: str, **context):
        memo = self.memo
        if memo is not None:
            kept, ctx = memo.keep(doc_path, template, context)
            if kept:
                self.count += 1
                return
            memo.begin()
        text = self.env.get_template(template).render(
            site=self.view, schema=self.snap.schema, preview=self.preview, page_path=doc_path, **context)
        self.count += 1
        if memo is not None and not memo.end(doc_path, ctx, text):
            return   # the same text as the file holds
        target = self.out / doc_path
        self.folder(target.parent)
        target.write_text(text, encoding="utf-8")
        if memo is not None:
            memo.written.add(doc_path)

    # What a list's templates show on its first page only (counts, the
    # groups' chips): given to the later pages empty, so that a record added
    # to a kind leaves its later pages' context as it was (render.memo).
    FIRST_PAGE_ONLY = ("groups", "group_items")

    def write_pages(self, pages: list[tuple[Pager, list]], template: str, listing: Listing, **context):
        later = {**context, **{k: [] for k in self.FIRST_PAGE_ONLY if k in context}}
        for pager, chunk in pages:
            self.write(pager.path(pager.number), template, items=chunk, pager=pager,
                       searchable=listing.searchable, **(context if pager.number == 1 else later))

    def write_list(self, kind: Kind, template: str):
        items = self.site.by_kind.get(kind.name, [])
        listing = kind.listing
        groups = []
        if listing.group_by:
            for n, value in enumerate(group_values(kind, items), 1):
                members = [r for r in items if _in_group(r, listing.group_by, value)]
                if not members:
                    continue
                first = group_folder(kind, value, n)
                self.write_pages(paginate(members, first, listing.page_size), template, listing,
                                 kind=kind, group=value, group_items=members)
                groups.append({"value": value, "items": members, "path": first})
        if listing.index == "groups":
            # The index shows each group (its first items) and links to its pages.
            self.write(kind.list_path, template, kind=kind, items=items, groups=groups,
                       per_page=listing.page_size, searchable=listing.searchable)
        else:
            pages = paginate(items, kind.list_path, listing.page_size)
            self.write_pages(pages, template, listing, kind=kind, groups=groups)

    def locate_list_file_records(self):
        """The records of a kind without pages of their own (sms, figures) live
        on the pages of its list: note each one's page before any page links to it."""
        for name, kind in self.snap.schema.kinds.items():
            if kind.is_list_file:
                items = self.site.by_kind.get(name, [])
                for pager, chunk in paginate(items, kind.list_path, kind.listing.page_size):
                    self.site.located.update((r.id, pager.path(pager.number)) for r in chunk)

    def render(self) -> int:
        root, schema, templates = self.snap.root, self.snap.schema, self.snap.root / "templates"
        self.locate_list_file_records()
        self.copy_content()
        kinds = [(kind, kind_template(self.env, kind, "list.md.j2", schema),
                  None if kind.is_list_file else kind_template(self.env, kind, "single.md.j2", schema))
                 for kind in schema.kinds.values()]
        progress = Progress("生成页面", sum(len(self.site.by_kind.get(k.name, [])) for k, _, single in kinds if single))
        for kind, list_template, single in kinds:
            if not self.site.shown(kind.name):
                continue   # an empty column is not built (Site.shown)
            self.write_list(kind, list_template)
            if single:
                for r in self.site.by_kind.get(kind.name, []):
                    self.write(kind.doc_path(r.id), single, kind=kind, record=r)
                    progress.step()
        for page in sorted((templates / "pages").glob("*.md.j2")):
            doc_path = page.name[: -len(".j2")]
            name = doc_path[: -len(".md")]
            listing = schema.pages.get(name)
            if listing is not None:   # a derived list: its items from the site
                items = getattr(self.site, name)()
                if not items:
                    continue   # nothing to list: not built, like an empty kind
                self.write_pages(paginate(items, doc_path, listing.page_size), f"pages/{page.name}", listing)
            else:
                self.write(doc_path, f"pages/{page.name}")
        self.copy_media()
        self.write_covers()
        return self.count

    def write_covers(self):
        """An SVG cover for every record a card shows without a photo or poster."""
        site_name = str(site_config(self.snap.root).get("site_name") or "")
        memo = self.memo
        for r in self.site.records:
            if not needs_cover(r):
                continue
            rel = cover_path(r.kind.name, r.id)
            if memo is not None:
                key = ["cover", memo.ckeys[r.id][1], site_name]
                if memo.file_fresh(rel, key):
                    continue
            target = self.out / rel
            self.folder(target.parent)
            target.write_text(cover_svg(r.kind.show.cover, r.kind.label, r.title, view.cover_group(r),
                                        r.is_sample, site_name), encoding="utf-8")
            if memo is not None:
                memo.file_made(rel, key)

    def copy_content(self):
        """content/ goes in as it is (its pages as the run read them), except
        the records kept there (news): they go through their templates."""
        content = self.snap.root / "content"
        memo = self.memo
        if memo is not None:   # what unlink_unbuilt reads of the site
            model = sorted({k.list_path for k in self.site.schema.kinds.values()}
                           | {f"{n}.md" for n in self.site.schema.pages})
            built = [self.site.builds(p) for p in model]
        for src in sorted(content.rglob("*")):
            rel = src.relative_to(self.snap.root).as_posix()
            if rel in self.snap.record_paths or src.is_dir():
                continue
            doc = src.relative_to(content).as_posix()
            if memo is not None:
                text = self.snap.texts.get(rel)
                key = (["text", hashlib.sha256(text.encode("utf-8")).hexdigest(), built]
                       if text is not None else ["file", file_key(self.snap.root, rel)])
                if memo.file_fresh(doc, key):
                    continue
            target = self.out / doc
            target.parent.mkdir(parents=True, exist_ok=True)
            self._copy_content(src, rel, target)
            if memo is not None:
                memo.file_made(doc, key)

    def _copy_content(self, src: Path, rel: str, target: Path):
        if rel in self.snap.texts:
            text = self.snap.texts[rel]
            if rel.endswith(".md"):
                text = unlink_unbuilt(text, src.relative_to(self.snap.root / "content").as_posix(), self.site)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(src, target)

    def copy_media(self):
        memo = self.memo
        for r in self.site.records:
            for _, f, value in walk_fields(r):  # media may sit in lists (photos)
                if f.type == "media" and isinstance(value, str) and value:
                    if memo is not None:
                        key = ["media", file_key(self.snap.root, value)]
                        done = memo.files.get(value)
                        if done is not None and done[0] == key or memo.file_fresh(value, key):
                            continue   # already copied by this build, or by the last one
                    target = self.out / value
                    target.parent.mkdir(parents=True, exist_ok=True)
                    images.copy_media(self.snap.root, value, target)
                    if memo is not None:
                        memo.file_made(value, key)


_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s#]+)(#[^)\s]*)?(?:\s+\"[^\"\n]*\")?\)")


def unlink_unbuilt(text: str, doc_path: str, site: Site) -> str:
    """A hand-written page's links to a column this build leaves out (a kind
    without published records, an empty derived list) as their text only:
    the page stays right while the column is empty, and links again when its
    first record is published."""
    model = {k.list_path for k in site.schema.kinds.values()} | {f"{n}.md" for n in site.schema.pages}

    def plain(m: re.Match) -> str:
        target = m.group(2)
        if "://" in target or target.startswith(("/", "mailto:")):
            return m.group(0)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), target))
        return m.group(1) if path in model and not site.builds(path) else m.group(0)
    return _LINK.sub(plain, text)


def render_site(snap: Snapshot, out: Path, preview: bool = False) -> int:
    """Write the Markdown of the whole site into `out` (a fresh folder).

    Returns the number of pages written."""
    return Renderer(snap, out, preview).render()


def render_changes(snap: Snapshot, out: Path, memo: Path, preview: bool = False) -> RenderResult:
    """Bring `out`, the docs folder the last render_changes with the same
    `memo` folder wrote, up to date: only the pages, covers and copies whose
    inputs changed are written, those the site no longer has deleted
    (render/memo.py). The folder is then what render_site would write into
    a fresh one, file for file, byte for byte. When the memo cannot be
    trusted (`reason` says why, in Chinese), `out` is emptied and all of it
    written."""
    renderer = Renderer(snap, out, preview, memo=memo)
    m = renderer.memo
    # Read, then gone until this render has finished: a render stopped
    # halfway leaves docs the memo does not describe, and no memo.
    m.path.unlink(missing_ok=True)
    if m.reason and out.exists():
        for child in out.iterdir():   # the last build's files are unknown: none kept
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    pages = renderer.render()
    if m.doubt:
        # A call kept unevaluated (its records and the Site's structure
        # unchanged) gave another result when a page needed it: the pages
        # kept on the same ground cannot be trusted. Everything again.
        return render_changes(snap, out, memo, preview)
    removed = m.removed()
    for rel in sorted(removed):
        target = out / rel
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out and parent.is_relative_to(out):
            try:
                parent.rmdir()   # only an empty one
            except OSError:
                break
            parent = parent.parent
    m.save()
    written = m.written - removed if m.reason == "" else m.written
    return RenderResult(pages, written, removed, m.reason)
