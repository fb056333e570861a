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

    def on_env(self, env, *, config, files):
        from ..render import template_cache

        env.bytecode_cache = template_cache(self.root)
        return env

    def on_page_markdown(self, markdown, *, page, config, files):
        if self.reading:
            self.reading.step()
        return markdown

    def on_post_page(self, output, *, page, config):
        if self.writing:
            self.writing.step()
        return output


def register(config, pages: int = 0) -> ZltPlugin:
    """Add the plugin to `config` (as loaded by mkdocs.config.load_config);
    `pages`: the number of pages expected, for the progress messages."""
    plugin = ZltPlugin()
    errors, warnings = plugin.load_config({"pages": pages}, config.config_file_path)
    if errors:   # only a wrong type from our own caller can get here
        raise ValueError(f"{NAME} plugin options: {errors}")
    config.plugins[NAME] = plugin
    return plugin
