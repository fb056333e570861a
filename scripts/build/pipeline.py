"""Build: records → check → render → mkdocs → feed and search index, swapped
into place only whole.

The one pipeline of both targets: the public site (a folder, swapped in
atomically; publishing adds what the web server wants, scripts/deploy) and the
offline bundle for the village terminals (the same site built for file://:
its films' subtitles also as scripts, its home page saying when it was made,
zipped). Both take the build lock, SOURCE_DATE_EPOCH, the feed and the search
index; a failed or interrupted build leaves the previous output as it was.
"""
from __future__ import annotations

import filecmp
import logging
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .. import collector
from ..check import check_repository, errors
from ..check.content_files import media_paths, refused_files
from ..check.pages import body_safety_problems
from ..problems import InputError
from ..progress import stage
from ..records.loader import Snapshot
from ..render import RenderResult, render_changes, render_site
from ..render.paths import file_layout
from ..render.video import write_subtitles_scripts
from ..site_config import site_config
from . import incremental
from .feed import write_feed
from .search import index_site, update_index
from .swap import (TEMP_PREFIX, checkpoint, locked, recover, remove_stale_temps, source_date_epoch, spare_of,
                   swap_in)

log = logging.getLogger("zlt")
OFFLINE_NAME = "zhalantun-dangjian-offline"   # ASCII: old terminals mangle Chinese zip names
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Target:
    """Where a build goes and for what: a served site, or a zip for file://."""
    path: Path
    offline: bool = False

    @property
    def directory_urls(self) -> bool:
        # file:// has no index pages for folders: links must name the .html.
        return not self.offline


def generate(root: Path, docs: Path, preview: bool = False, offline: bool = False,
             allow_errors: bool = False, memo: Path | None = None,
             cache: bool = False, spare_collector: bool = False) -> tuple[int, Snapshot, RenderResult | None]:
    """Read and check the repository, and write the site's Markdown into `docs`
    (`offline`: for pages opened from file://). What `check` calls an error
    stops it (unless `allow_errors`: the release gate's trial build, which
    checks the pages too and is never published); the live preview
    (`preview`) shows typos without stopping (editor.serve lints what was read).
    `cache`: the check keeps each file's reading (check.cache); `memo`: the
    folder of the render's memo (render.memo), `docs` then holding the last
    build's Markdown, brought up to date page by page. `spare_collector`:
    what was read is set aside from the garbage collector (collector.py; the
    caller releases it).

    Returns the number of pages, what was read, and (with `memo`) what the
    render wrote and removed, for the later stages."""
    with stage("load_validate"):
        snap, problems = check_repository(root, wording=not preview, cache=cache)
    if spare_collector:
        collector.set_aside()
    if errors(problems) and not allow_errors:
        raise InputError(errors(problems))
    if errors(problems):
        withhold_unsafe_bodies(snap)
    with stage("render"):
        if memo is not None:
            with file_layout(offline):
                result = render_changes(snap, docs, memo, preview=preview)
            leave_out_refused(root, docs, snap)
            return result.pages, snap, result
        if docs.exists():
            shutil.rmtree(docs)
        docs.mkdir(parents=True)
        with file_layout(offline):
            pages = render_site(snap, docs, preview=preview)
        leave_out_refused(root, docs, snap)
        return pages, snap, None


WITHHELD = "（此处正文含有不允许的标记，没有发布：请按 make check 的提示修改。）\n"


def withhold_unsafe_bodies(snap: Snapshot) -> None:
    """A build that goes on despite errors still publishes no body that
    `check` refuses (check.safety): such a body, and a page of content/ that
    could not be read as one (so its body was never checked), are replaced by
    a notice before the render."""
    unsafe = {p.path for p in body_safety_problems(snap.root, snap.records, snap.pages) if p.level == "error"}
    for r in snap.records:
        if r.path in unsafe:
            r.body = WITHHELD
    pages = {page.path: page for page in snap.pages}
    for rel, text in snap.texts.items():
        page = pages.get(rel)
        if page is not None and rel in unsafe:
            snap.texts[rel] = text[: len(text) - len(page.body)] + WITHHELD
            page.body = WITHHELD
        elif page is None and rel.startswith("content/") and rel not in snap.record_paths:
            snap.texts[rel] = WITHHELD


def leave_out_refused(root: Path, docs: Path, snap: Snapshot) -> None:
    """A build never publishes a file that `check` refuses (check.content_files),
    not even one that goes on despite errors (the release gate's trial build):
    the render copies content/ as it is and the media the records name, so the
    copies of such files are taken out of the docs again. Only copies: a file
    the render made itself at the same place stays."""
    for rel, _ in refused_files(root, snap.record_paths, media_paths(snap.records), outside_links=True):
        for copy in (docs / rel, docs / rel.removeprefix("content/")):
            if copy.is_file() and filecmp.cmp(root / rel, copy, shallow=False):
                copy.unlink()


def stamp_offline_home(docs: Path, built: datetime) -> None:
    """Say on the bundle's home page when it was made: the terminals keep a
    bundle for months, and readers should know how current it is."""
    home = docs / "index.md"
    if not home.is_file():
        return
    when = built.astimezone(BEIJING)
    with open(home, "a", encoding="utf-8") as f:
        f.write(f'\n\n!!! info "离线版"\n\n    本离线版生成于 {when.year} 年 {when.month} 月 {when.day} 日 '
                f'{when:%H:%M}（北京时间），此后网站上的更新不在其中。\n')


def _built_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when the caller sets it (reproducible builds)."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(given) if given.isdigit() else time.time(), timezone.utc)


class _DirtyNotice(logging.Filter):
    """mkdocs warns that a dirty build may be inaccurate (it is, for a site
    whose nav lists every page); build.incremental makes it exact, and in
    strict mode the warning would stop the build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage() and "stale files" not in record.getMessage()


def mkdocs_build(root: Path, docs: Path, site: Path, strict: bool = True, pages: int = 0,
                 last_nav: list | None = None, **overrides):
    """mkdocs' build of `docs` into `site`, with the project's plugin
    (build.plugin: the model's nav, compiled templates kept, progress of
    `pages` pages). `last_nav`: an incremental build (build.incremental),
    mkdocs' dirty mode on a site of hard links, the last build's nav to
    compare. Returns the configuration (the plugin: config.plugins["zlt"])."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from .plugin import register

    config = load_config(str(root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site),
                         strict=strict, **overrides)
    plugin = register(config, pages=pages)
    plugin.incremental = last_nav
    if last_nav is None:
        build(config)
        return config
    quiet = _DirtyNotice()
    logger = logging.getLogger("mkdocs.commands.build")
    logger.addFilter(quiet)
    try:
        build(config, dirty=True)
    finally:
        logger.removeFilter(quiet)
    return config


def _temp_dir(parent: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(dir=parent, prefix=f"{TEMP_PREFIX}{name}-{os.getpid()}-"))


def _zip(site: Path, out: Path) -> None:
    """The site as one zip, written beside `out` and renamed over it."""
    partial = out.with_name(f"{TEMP_PREFIX}{out.name}-{os.getpid()}")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(site.rglob("*")):
                if f.is_file():
                    z.write(f, f"{OFFLINE_NAME}/{f.relative_to(site).as_posix()}")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


class _BuildAgain(Exception):
    """An incremental build found, at its end, that it was not exact: the
    build is done again whole (the reason, in Chinese, is the message)."""


def build(root: Path, target: Target, preview: bool = False, allow_errors: bool = False,
          full: bool = False) -> Path:
    try:
        return _build(root, target, preview, allow_errors, full)
    except _BuildAgain as e:
        log.info(incremental.note(str(e)))
        return _build(root, target, preview, allow_errors, full=True, said=True)


def _build(root: Path, target: Target, preview: bool, allow_errors: bool, full: bool,
           said: bool = False) -> Path:
    """build(); `said`: why the build is whole was said already."""
    root = root.resolve()
    out = target.path.resolve()
    work = root / ".build"
    work.mkdir(exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The public site is built incrementally (build.incremental): its
    # Markdown stays in .build/docs between builds, brought up to date by the
    # render's memo, and only what changed is built. The preview, the release
    # gate's trial build and the offline bundle are built whole, their
    # Markdown in a folder of their own.
    incremental_ok = not (target.offline or preview or allow_errors)
    state_dir = work / incremental.STATE_DIR
    # One build at a time: the Markdown, the states and the swap are shared.
    with locked(work):
        recover(out)
        if full or not incremental_ok:
            incremental.forget_state(root)
        if full:
            incremental.forget_caches(root)
        built = _built_at()
        tmp_docs = _temp_dir(work, "docs")
        tmp_site = _temp_dir(out.parent, out.name)
        # The build's start by the file system's clock: what it writes is
        # changed at or after this (incremental.as_recorded).
        since_ns = tmp_site.stat().st_ctime_ns
        try:
            docs = work / "docs" if incremental_ok else tmp_docs / "docs"
            new_site = tmp_site / "site"
            if incremental_ok:
                recover(docs)
            pages, snap, rendered = generate(root, docs, preview=preview, offline=target.offline,
                                             allow_errors=allow_errors, cache=True,
                                             memo=state_dir if incremental_ok else None, spare_collector=True)
            collector.set_aside()
            if target.offline:
                stamp_offline_home(docs, built)
            checkpoint("render")
            log.info("已生成 %d 个页面的 Markdown，开始构建网站……", pages)
            overrides = {"use_directory_urls": target.directory_urls}
            if target.offline:
                # No canonical or share addresses: the bundle's pages lead nowhere but into it.
                overrides["site_url"] = ""
            plan = fingerprint = None
            if incremental_ok:
                fingerprint = incremental.fingerprint(root, overrides)
                with stage("incremental"):
                    try:
                        if full:
                            raise incremental.FullBuild("按要求（--full）")
                        plan = incremental.plan(root, out, docs, fingerprint, rendered.written, rendered.removed,
                                                rendered.reason)
                        incremental.prepare_site(plan, out, docs, new_site, target.directory_urls,
                                                 spare=spare_of(out), live_files=plan.live_files)
                    except incremental.FullBuild as e:
                        if not said:
                            log.info(incremental.note(str(e)))
                        plan = None
                        shutil.rmtree(new_site, ignore_errors=True)
                    # A build stopped from here on leaves no state: the next is whole.
                    incremental.forget_state(root)
            with stage("mkdocs"), source_date_epoch(root):
                try:
                    config = mkdocs_build(root, docs, new_site, pages=len(plan.changed) if plan else pages,
                                          last_nav=plan.state.nav if plan else None, **overrides)
                except incremental.FullBuild as e:
                    log.info(incremental.note(str(e)))
                    plan = None
                    shutil.rmtree(new_site, ignore_errors=True)
                    config = mkdocs_build(root, docs, new_site, pages=pages, **overrides)
            collector.set_aside()
            plugin = config.plugins["zlt"]
            if target.offline:
                # A file:// bundle has no server to show a 404 page (and MkDocs
                # gives error pages root-relative addresses, which lead out of it).
                (new_site / "404.html").unlink(missing_ok=True)
                config["site_url"] = site_config(root).get("site_url")   # the feed names the public site
            with stage("feed"):
                write_feed(snap, config, new_site, preview=preview)
            index_gone: set[str] = set()   # files of the search index it removed
            with stage("search"):
                changed, removed = _pages_changed(plan, docs, new_site, target.directory_urls)
                write_search(new_site, config.site_name, target.directory_urls, state_dir if incremental_ok else None,
                             written=plugin.written | changed if plan else None, removed=removed, gone=index_gone)
            if target.offline:
                write_subtitles_scripts(new_site)
            checkpoint("mkdocs")
            with stage("finish"):
                if target.offline:
                    _zip(new_site, out)
                    return out
                recover(out)
                checkpoint("swap")
                if incremental_ok:
                    built_tree = incremental.tree(new_site)
                    if plan is not None and not incremental.as_recorded(built_tree, plan, since_ns, index_gone):
                        raise _BuildAgain("保留的上一版网站与记录不符")
                    state = incremental.State(
                        fingerprint=fingerprint, versions=incremental.versions(), site=str(out),
                        docs=plan.docs if plan else incremental.manifest(docs),
                        links=plan.links if plan else incremental.docs_links(docs, incremental.tree(docs)),
                        site_hash=incremental.manifest_hash(built_tree), nav=plugin.nav_signature,
                        # The site kept after the swap is the live one as planned from.
                        spare_differs=incremental.differs(plan.live_files, built_tree) if plan else [])
                swap_in(new_site, out, keep=spare_of(out) if incremental_ok else None)
                if incremental_ok:
                    if plan is None:
                        # After a full build the kept site shares no file with
                        # the new one: linked now, so that the next build (an
                        # approved item going live) starts at once.
                        spare = spare_of(out)
                        spare.mkdir(exist_ok=True)
                        incremental.sync_links(out, built_tree, spare, set())
                    incremental.save_state(root, state)
                else:
                    # Keep the last generated Markdown where mkdocs.yml points, so
                    # that a plain `mkdocs build` or `mkdocs serve` works on it too
                    # (with mkdocs.yml's own nav: the model's menus are build.plugin's).
                    # The render's memo no longer describes it.
                    incremental.forget_caches(root, check=False)
                    recover(work / "docs")
                    swap_in(docs, work / "docs")
        finally:
            collector.release()
            for folder in (tmp_docs, tmp_site):
                shutil.rmtree(folder, ignore_errors=True)
                remove_stale_temps(folder.parent)
    return out


def _pages_changed(plan, docs: Path, site: Path, directory_urls: bool) -> tuple[set[str], set[str]]:
    """The site paths of the docs files an incremental build wrote again
    (HTML files of the docs are copied, not built: mkdocs' plugin never sees
    them) and of those it removed."""
    if plan is None:
        return set(), set()
    def dest(rel):
        return incremental.page_dest(rel, docs, site, directory_urls)
    return {dest(rel) for rel in plan.changed}, {dest(rel) for rel in plan.deleted}


def write_search(site: Path, site_name: str, directory_urls: bool, state_dir: Path | None,
                 written: set[str] | None, removed: set[str], gone: set[str] | None = None) -> None:
    """The search index: updated from the pages this build wrote when the
    last build's index and state allow (search.update_index), else whole."""
    if state_dir is None:
        index_site(site, site_name, directory_urls)
    elif written is None:
        index_site(site, site_name, directory_urls, state_dir=state_dir)
    else:
        update_index(site, site_name, directory_urls, written, removed, state_dir, gone)


def build_site(root: Path, site: Path | None = None, preview: bool = False, allow_errors: bool = False,
               full: bool = False) -> Path:
    """The public site (or the preview) into `site` (default: site/):
    incremental when the last build allows it (build.incremental), whole
    with `full`."""
    return build(root, Target(site or root / "site"), preview=preview, allow_errors=allow_errors, full=full)


def build_offline(root: Path, out: Path | None = None) -> Path:
    """The public site for file://, as one zip (default: dist/<name>.zip)."""
    return build(root, Target(out or root / "dist" / f"{OFFLINE_NAME}.zip", offline=True))
