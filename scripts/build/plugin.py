"""The project's one mkdocs plugin: what the build needs of mkdocs beyond
mkdocs.yml, through mkdocs' plugin events instead of changes to its code.

- on_config: the nav is mkdocs.yml's own (the hand-written pages) followed
  by the model's menu entries (schema.yaml `show: menu:`,
  render.navigation.nav_for), so every build of the project gets the menus
  of the kinds of records without mkdocs.yml listing them.
- on_env: the theme's templates (Material's and templates/overrides) are
  compiled once and kept (render.environment.TemplateCache), not compiled
  again on every build: compiling them was most of a preview's rebuild.
- on_page_markdown, on_post_page: the progress of a long build, in Chinese
  (progress.Progress; quiet for a small site).
- on_files, on_nav, on_env, on_post_page, in an incremental build
  (build.incremental, `incremental` set): every file mkdocs is about to write
  is unlinked first from the new site (a tree of hard links to the live one),
  the nav's unchanged pages are read (their titles and front matter, for the
  menu) but not built, the nav is compared with the last build's (different:
  FullBuild), and the pages written are noted for the search index.

The repository is the folder of the configuration file, so the plugin needs
no option for it; its one option is the number of pages expected, for the
progress messages.

Registration: `register(config)` adds it to a loaded configuration's plugins,
as the build (build.pipeline.mkdocs_build) and the live preview
(editor.preview_server) do, before mkdocs' build runs the events. A
configuration's plugins are a mkdocs.plugins.PluginCollection, a mapping of
which its docstring says "each event method is registered upon being added"
(mkdocs' own loading of the `plugins:` setting adds them so): the plugin is
added the same way, under the name "zlt", after the plugins mkdocs.yml names.
Not mkdocs.yml: its `plugins:` names only installed entry points (the project
is not installed with pip), its `hooks:` takes paths relative to mkdocs.yml,
which a content repository built with --root does not have, and mkdocs.yml
stays a plain Material configuration that a compatible builder (Zensical) can
read. A plain `mkdocs build` of .build/docs therefore has mkdocs.yml's own nav
only; the project's commands are the way to build the site.
"""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin

from ..progress import Progress

NAME = "zlt"


class ZltConfig(base.Config):
    # Pages the build is expected to write (progress messages; 0: none).
    pages = c.Type(int, default=0)


class ZltPlugin(BasePlugin[ZltConfig]):
    root: Path
    reading: Progress | None = None
    writing: Progress | None = None
    # build.incremental: the last build's nav (None: a full build), and what
    # this build wrote (site paths) and made of the nav.
    incremental: list | None = None
    written: set[str]
    nav_signature: list

    def on_pre_build(self, *, config):
        self.written = set()
        self.nav_signature = []

    def on_config(self, config):
        from ..records.schema import schema_for
        from ..render.navigation import nav_for

        self.root = Path(config.config_file_path).resolve().parent
        # nav_for never adds an entry twice: a configuration built again
        # (the preview's rebuilds) keeps one copy of each menu.
        schema = schema_for(self.root)
        config.nav = nav_for(schema, config.nav, docs_dir=config.docs_dir)
        # The theme names the feed (main.html, sitemap.html) by its kind's label.
        from .feed import feed_kind
        kind = feed_kind(schema)
        config.extra["feed_label"] = kind.label if kind else ""
        if self.config.pages:
            self.reading = Progress("转换页面", self.config.pages)
            self.writing = Progress("生成网页", self.config.pages)
        return config

    def on_files(self, files, *, config):
        if self.incremental is not None:
            # Whatever mkdocs will write is unlinked first: writing into a
            # hard link would change the live site. The outputs of the docs
            # this build changed are already out of the new site
            # (incremental.prepare_site) and the docs kept are older than
            # any output (incremental.plan); what is left is a file of the
            # theme newer than its copy.
            docs = os.path.join(config.docs_dir, "")
            for f in files:
                theirs = f.abs_src_path is None or not f.abs_src_path.startswith(docs)
                if theirs and f.is_modified() and os.path.lexists(f.abs_dest_path):
                    os.unlink(f.abs_dest_path)
        return files

    def on_nav(self, nav, *, config, files):
        self.nav = nav
        if self.incremental is not None:
            # The menu shows the nav's pages by title (and Material reads
            # their front matter): a page mkdocs' dirty mode skips is read
            # here, not built. Its title is then its front matter's or its
            # first heading's, not the rendered heading a full build takes;
            # where the two differ, the nav differs from the last build's
            # (on_env) and the build is whole.
            for page in nav.pages:
                if page.markdown is None and not page.file.is_modified():
                    page.read_source(config)
        return nav

    def on_env(self, env, *, config, files):
        from ..render import template_cache
        from .incremental import FullBuild

        env.bytecode_cache = template_cache(self.root)
        # mkdocs reads every page before it writes any: the titles are known.
        self.nav_signature = _signature(self.nav.items)
        if self.incremental is not None and self.incremental != self.nav_signature:
            raise FullBuild("栏目导航变了")
        return env

    def on_page_markdown(self, markdown, *, page, config, files):
        if self.reading:
            self.reading.step()
        return markdown

    def on_post_page(self, output, *, page, config):
        self.written.add(page.file.dest_uri)
        if self.writing:
            self.writing.step()
        return output


def _signature(items) -> list:
    """The nav as every page shows it: titles, addresses, sections."""
    return [[item.title, getattr(item, "url", None), _signature(item.children or [])] for item in items]


def register(config, pages: int = 0) -> ZltPlugin:
    """Add the plugin to `config` (as loaded by mkdocs.config.load_config);
    `pages`: the number of pages expected, for the progress messages."""
    plugin = ZltPlugin()
    errors, warnings = plugin.load_config({"pages": pages}, config.config_file_path)
    if errors:   # only a wrong type from our own caller can get here
        raise ValueError(f"{NAME} plugin options: {errors}")
    config.plugins[NAME] = plugin
    return plugin
