"""The Jinja environment of the templates: every field value is escaped as
Markdown text unless a filter made it markup (the filters: filters.py), and
compiled templates are kept (TemplateCache)."""
from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib.metadata import version
from pathlib import Path

import jinja2
from markupsafe import Markup

from .filters import filters, md_text, needs_cover, picture_field  # noqa: F401 (the API)


def _finalize(value):
    """Every {{ value }} is literal text unless a filter or macro made it Markup."""
    if value is None or isinstance(value, jinja2.Undefined):
        return Markup("")
    return value if isinstance(value, Markup) else Markup(md_text(value))


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

    env.filters.update(filters(root))   # scripts/render/filters.py
    return env
