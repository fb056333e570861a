"""The Jinja environment of the templates: every field value is escaped as
Markdown text unless a filter made it markup, and links are relative to the
page being written."""
from __future__ import annotations

import functools
import hashlib
import html
import os
import posixpath
import re
import sys
from datetime import date
from importlib.metadata import version
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from ..records import images, qr
from ..records.loader import Record
from .charts import bar_chart, chart_groups
from .covers import SHAPES, cover_path, cover_size
from .paths import html_page_url, relative_path
from .video import filters as video_filters

# Characters that can start Markdown markup (links, emphasis, code, attribute
# lists, tables); escaped so that a field is always shown as text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#!|~])")


def md_text(value) -> str:
    """A field value as literal Markdown text: no markup, no HTML, one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _html_text(value):
    """Strings (also inside lists) HTML-escaped; anything else as it is."""
    if isinstance(value, list):
        return [_html_text(v) for v in value]
    return html.escape(value) if isinstance(value, str) else value


def _linked(site, target: Record | str) -> tuple[Record | None, str]:
    """The record a link names (by id or itself) and the doc path of the page
    that shows it; (None, "") for free text or a record left out of this build."""
    r = site.by_id.get(target) if isinstance(target, str) else target
    if r is None:
        return None, ""
    return r, site.located.get(r.id) or r.kind.doc_path(r.id)


def _anchor(r: Record) -> str:
    """Records without pages of their own (sms, figures) are anchors on their list's page."""
    return f"#{r.id}" if r.kind.is_list_file else ""


def html_text(value) -> Markup:
    """A field value as text inside raw HTML: escaped, on one line (a blank
    line would end the HTML block in Markdown)."""
    return Markup(html.escape(" ".join(str(value).split())))


_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]{}#!|~])")


def md_unescape(markdown_text) -> Markup:
    """Text that went through md_text (a macro's output), for raw HTML: the
    backslashes before Markdown's signs taken out; it is HTML-escaped already."""
    return Markup(_MD_ESCAPED.sub(r"\1", str(markdown_text)))


def _finalize(value):
    """Every {{ value }} is literal text unless a filter or macro made it Markup."""
    if value is None or isinstance(value, jinja2.Undefined):
        return Markup("")
    return value if isinstance(value, Markup) else Markup(md_text(value))


def picture_field(r: Record) -> str:
    """The field holding a record's own picture: a film's poster, else its photo."""
    return "poster" if "poster" in r.kind.fields else "photo"


def needs_cover(r: Record) -> bool:
    return r.kind.name in SHAPES and not r[picture_field(r)]


@functools.lru_cache(maxsize=1)
def _compiler_fingerprint() -> str:
    """What compiled code depends on besides a template's source: Python,
    Jinja, mkdocs (it sets up the theme's environment), Material, and this
    module (it sets up the project's)."""
    parts = [sys.version, jinja2.__version__, version("mkdocs"), version("mkdocs-material"),
             hashlib.sha1(Path(__file__).read_bytes()).hexdigest()]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates, kept in memory and, given a folder, on disk.

    Compiling the templates (the project's and the theme's, about fifty)
    took 0.2 s of the 0.75 s CPU of a 20-record build, whatever the number
    of records, and a third of a live preview's re-render. What is kept is
    used only for the same source (Jinja compares its checksum) compiled by
    the same Python, Jinja, mkdocs, Material and environment settings (the
    key holds their fingerprint), so an edited template or an upgrade
    compiles anew. The disk copy is written atomically
    (jinja2.FileSystemBytecodeCache): concurrent builds may share it, and a
    folder that cannot be written only loses it. The memory copy is one for
    the process (a key names the template's absolute file), so the theme's
    templates compiled for one repository serve the next, and are written
    to its folder too."""

    store: dict[str, bytes] = {}

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.disk = jinja2.FileSystemBytecodeCache(str(folder)) if folder else None
        self.on_disk: set[str] = set()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{_compiler_fingerprint()}|{name}", filename)

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])
            if bucket.code is not None and self.disk and bucket.key not in self.on_disk:
                if not os.path.exists(os.path.join(self.disk.directory, self.disk.pattern % bucket.key)):
                    self._write(bucket)
                self.on_disk.add(bucket.key)
        elif self.disk:
            self.disk.load_bytecode(bucket)
            self.on_disk.add(bucket.key)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()
        self._write(bucket)

    def _write(self, bucket):
        if self.disk:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.disk.dump_bytecode(bucket)
                self.on_disk.add(bucket.key)
            except OSError:
                pass


@functools.lru_cache(maxsize=None)
def template_cache(root: Path) -> TemplateCache:
    """The one cache of a repository's compiled templates, in .build/jinja."""
    return TemplateCache(root / ".build" / "jinja")


def environment(root: Path) -> jinja2.Environment:
    """The environment for the repository's templates/; the context of every
    page holds `site` (site.Site), `page_path` (its doc path) and, on the
    pages of a list, `searchable`."""
    templates = root / "templates"
    env = jinja2.Environment(
        bytecode_cache=template_cache(root),
        loader=jinja2.FileSystemLoader(templates),
        finalize=_finalize,
        # Autoescape makes macro output and template text trusted (Markup);
        # _finalize escapes field values for Markdown, not just for HTML.
        autoescape=True,
        # Optional fields are simply absent from a record: render them empty.
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # An environment lives for one render (the live preview makes a new
        # one on every save): no need to look at each template file's date
        # every time a page includes it, thousands of times a build.
        auto_reload=False,
        # No constant folding: a filter applied to a literal would run when
        # the template is compiled, and its result (a file's size, say)
        # would then be kept with the compiled template (TemplateCache).
        optimized=False,
    )

    @jinja2.pass_context
    def link(ctx, target: Record | str, text=None):
        """A Markdown link from the page being rendered to a record's page."""
        r, doc_path = _linked(ctx["site"], target)
        if r is None:  # free text, or a record left out of this build
            return Markup(md_text(text or target))
        href = relative_path(doc_path, posixpath.dirname(ctx["page_path"])) + _anchor(r)
        return Markup(f"[{md_text(text or r.title)}]({href})")

    @jinja2.pass_context
    def html_link(ctx, target: Record | str, text=None, css_class: str = "") -> Markup:
        """The same link as `link`, as raw HTML (the cards: MkDocs reads raw
        HTML as it is, far faster than Markdown inside HTML)."""
        r, doc_path = _linked(ctx["site"], target)
        label = html_text(text or (r.title if r is not None else target))
        if r is None:
            return label
        href = html_page_url(doc_path, ctx["page_path"]) + _anchor(r)
        attributes = f' class="{html.escape(css_class)}"' if css_class else ""
        return Markup(f'<a{attributes} href="{html.escape(href)}">{label}</a>')

    @jinja2.pass_context
    def url(ctx, doc_path: str):
        return Markup(relative_path(doc_path, posixpath.dirname(ctx["page_path"])))

    @jinja2.pass_context
    def front_matter(ctx, data: dict) -> Markup:
        # MkDocs themes print page titles and descriptions unescaped (into
        # <title>, headings, the blog's excerpts): escape them here as text.
        # str(): a title built with a macro is Markup, which YAML cannot dump.
        clean = {k: _html_text(str(v) if isinstance(v, str) else v) for k, v in data.items() if v not in (None, "", [])}
        if ctx.get("searchable") is False:
            # Material's own front matter for it; the search index reads it
            # from the page (templates/overrides/main.html, build/search.py).
            clean["search"] = {"exclude": True}
        front = yaml.dump(clean, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        return Markup("---\n" + front + "---\n")

    def number(value) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)

    def amount(r: Record) -> str:
        """A figure as the source words it: 70余万元, 不少于2次, 2000㎡以上."""
        q, n, unit = r["qualifier"] or "", number(r["value"]), r["unit"] or ""
        if q == "不少于":
            return f"{q}{n}{unit}"
        if q == "以上":
            return f"{n}{unit}{q}"
        return f"{n}{q}{unit}"

    def picture(r: Record) -> dict | None:
        """A record's picture for cards and headlines: its photo or poster, else
        its build-time cover (decorative: alt text empty, the title is beside
        it). None for kinds without pictures."""
        name = picture_field(r)
        value = r[name] if name in r.kind.fields else None
        if isinstance(value, str) and value:
            size = images.photo_size(root, value) or (None, None)
            alt = r[name + "_alt"] or (f"《{r.title}》封面" if name == "poster" else r.title)
            return {"src": value, "alt": alt, "width": size[0], "height": size[1], "cover": False,
                    "caption": r[name + "_caption"] or r[name + "_alt"] or ""}
        if r.kind.name not in SHAPES:
            return None
        w, h = cover_size(r.kind.name)
        return {"src": cover_path(r.kind.name, r.id), "alt": "", "width": w, "height": h,
                "cover": True, "caption": ""}

    def cn_date(value) -> str:
        """2026-11-25 as an article says it: 2026年11月25日."""
        d = date.fromisoformat(value) if isinstance(value, str) else value
        return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else str(value or "")

    env.filters.update(picture=picture, cn_date=cn_date, html_text=html_text, md_unescape=md_unescape,
                       html_link=html_link)
    env.filters.update(link=link, url=url, front_matter=front_matter, number=number, amount=amount,
                       isodate=lambda s: date.fromisoformat(s) if isinstance(s, str) else s,
                       body=lambda r: Markup(r.body.strip()),
                       photo_size=lambda rel: images.photo_size(root, rel))
    env.filters.update(chart=lambda figures, key: Markup(bar_chart(figures, key, amount)),
                       chart_groups=chart_groups)
    env.filters.update(video_filters(root))
    env.filters.update(qr.jinja_filters(root))  # record | page_url
    return env
