"""Incremental builds of the public site: after a change, mkdocs builds only
the pages whose Markdown changed, and the result is the same tree, byte for
byte, as a full build of the same repository.

The rule, and why it is exact. The render's memo (render/memo.py) writes
again every Markdown file whose text would change, so every page that the
model puts a record on (lists, groups, home sections, links both ways,
网站地图, figures, covers) shows up as a changed Markdown file without this
module knowing the model. What a page's HTML depends on besides its own
Markdown (mkdocs.commands.build._build_page: get_context(nav, files, config,
page) and the theme):
- the configuration and the theme: mkdocs.yml, templates/ (theme overrides
  and the render's templates), the model (schema.yaml: the menus), the
  project's code and the versions of mkdocs, Material and Markdown. Any of
  them changed → a full build (the fingerprint below);
- the nav: fixed (mkdocs.yml's pages and the model's menus); record pages
  are never in it. Its pages are always rebuilt (an unread page has no title
  for the menu) and the nav's titles and addresses are compared with the last
  build's (plugin.ZltPlugin.nav_signature): different → a full build;
- other pages only through links: a link to a page resolves to its address,
  and in strict mode a link to a page that is gone stops the build. Pages
  whose Markdown names a deleted file, or links to an anchor of a changed
  page, are rebuilt too, so they fail as the full build would;
- neither prev/next links (Material's navigation.footer is off) nor dates:
  sitemap.xml and 404.html are written by every build.
After mkdocs, feed.xml is written whole and the search index is updated
where the pages written changed it (search.update_index).

The new site starts as the site kept beside the live one (swap.spare_of:
the live site before the last build, hard links), brought up to date where
the last build recorded that the two differ; or, without one, as a copy of
the live site made of hard links. Every file that mkdocs will write is
unlinked from it first (plugin.on_files), so a write never reaches through
a link into the live site. mkdocs' own dirty mode then skips the pages whose
Markdown is unchanged: their Markdown is given an old modification time
(File.is_modified compares times). After the build, the new site's tree is
checked against what it must be (as_recorded): a kept site changed by hand
makes the build whole.

The state (.build/incremental/state.json) names the fingerprint, the site it
belongs to, the size and time of every Markdown and other docs file, the
files each page links to, a digest of the size and time of every file of the
site (a site changed by hand is not trusted), where the kept site differs
from it, and the nav. Any doubt → a full build, said in one line.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .. import collector

STATE_DIR = "incremental"
STATE_FILE = "state.json"
FORMAT = 3
PACKAGES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "PyYAML")
PROJECT = Path(__file__).resolve().parents[2]
# Files mkdocs writes on every build, whatever changed.
ALWAYS_WRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz")
# Written after mkdocs by the pipeline, whole each time.
AFTER_MKDOCS = ("feed.xml",)   # the search index is updated in place (search.update_index)


class FullBuild(Exception):
    """An incremental build found it cannot be exact: build everything."""


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def _hash_tree(h, folder: Path, patterns=("**/*",)) -> None:
    if not folder.is_dir():
        return
    for pattern in patterns:
        for f in sorted(folder.glob(pattern)):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")


def fingerprint(root: Path, settings: dict) -> str:
    """What every page's HTML depends on besides its Markdown: the
    configuration, the theme and templates, the model, the project's code."""
    from ..records.schema import schema_file

    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for f in (root / "mkdocs.yml", schema_file(root)):
        h.update(f.read_bytes() if f.is_file() else b"-")
    _hash_tree(h, root / "templates")
    if root.resolve() != PROJECT:
        _hash_tree(h, PROJECT / "templates")
    _hash_tree(h, PROJECT / "scripts", ("**/*.py", "**/*.yaml"))
    return h.hexdigest()


def tree(root: Path) -> dict[str, os.stat_result]:
    """Every file under `root` (relative path → its lstat), by scandir: a
    walk of the 26,000 files of a site of 10,000 records in a tenth of a
    second, a third of os.walk and os.stat's time."""
    out: dict[str, os.stat_result] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, prefix + entry.name + "/"))
                else:
                    out[prefix + entry.name] = entry.stat(follow_symlinks=False)
    return out


def manifest(site: Path, found: dict[str, os.stat_result] | None = None) -> dict[str, list[int]]:
    """Size and modification time of every file: cheap to compare, and a site
    changed since the last build (by hand, by another tool) is not trusted."""
    found = tree(site) if found is None else found
    return {rel: [st.st_size, st.st_mtime_ns] for rel, st in sorted(found.items())}


def manifest_hash(found: dict[str, os.stat_result]) -> str:
    """manifest() as one digest: all the state needs to tell whether the
    site is as the last build left it (34,000 files at 10,000 records are not
    kept, read and compared one by one)."""
    listed = "".join(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n" for rel, st in sorted(found.items()))
    return hashlib.sha256(listed.encode()).hexdigest()


@dataclass
class State:
    fingerprint: str = ""
    versions: dict = field(default_factory=dict)
    site: str = ""
    docs: dict = field(default_factory=dict)        # docs rel -> [size, mtime_ns]
    links: dict = field(default_factory=dict)       # docs rel (Markdown) -> names of the files it links to
    site_hash: str = ""                             # manifest_hash of the site built
    spare_differs: list = field(default_factory=list)  # where the kept site differs from it
    nav: list = field(default_factory=list)


def state_path(root: Path) -> Path:
    return root / ".build" / STATE_DIR / STATE_FILE


def load_state(root: Path) -> State:
    """The last build's state; FullBuild (with the reason, in Chinese) when
    it is missing or cannot be trusted."""
    path = state_path(root)
    if not path.is_file():
        raise FullBuild("没有上次构建的记录")
    try:
        with collector.paused():
            data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("format")
        state = State(**{k: data[k] for k in State.__dataclass_fields__})
        checks = [(state.fingerprint, str), (state.versions, dict), (state.site, str), (state.docs, dict),
                  (state.links, dict), (state.site_hash, str), (state.spare_differs, list), (state.nav, list)]
        if not all(isinstance(v, t) for v, t in checks) or not all(isinstance(x, str) for x in state.spare_differs):
            raise ValueError("types")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FullBuild(f"上次构建的记录已损坏（{path.name}：{type(e).__name__}）") from e
    return state


def save_state(root: Path, state: State) -> None:
    path = state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    data = {"format": FORMAT, **state.__dict__}
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def forget_state(root: Path) -> None:
    state_path(root).unlink(missing_ok=True)


def forget_caches(root: Path, check: bool = True) -> None:
    """Everything the last builds kept besides the state: the render's memo,
    the search index's state and (`check`) the check's cache, so that the
    next build computes all of it from scratch (`--full`)."""
    folder = state_path(root).parent
    if folder.is_dir():
        for f in folder.iterdir():
            if f.name != STATE_FILE and (check or not f.name.startswith("check.")) and f.is_file():
                f.unlink()


@dataclass
class Plan:
    state: State
    changed: set[str]      # docs files to build (new or different)
    deleted: set[str]      # docs files gone since the last build
    docs: dict[str, list]  # the docs' manifest once planned (as manifest(docs) gives it)
    live_files: dict = field(default_factory=dict)   # the live site's tree (incremental.tree)
    links: dict = field(default_factory=dict)        # the docs' links (linked_names), for the next build
    left_out: set = field(default_factory=set)       # live files not carried into the new site (prepare_site)


# Where a page names another file: Markdown links and images `](target)`,
# reference definitions `[id]: target`, and href/src attributes (HTML that
# md_in_html puts into the page's tree, where mkdocs resolves it too).
_TARGET = re.compile(r"""\]\(\s*<?([^)\s>]+)|(?:href|src)\s*=\s*["']([^"']+)""")
_DEFINED = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)


def linked_names(text: str) -> list[str]:
    """The names (without folders) of the files a page's Markdown links to,
    and each with "#" after it too when linked with an anchor: what plan() needs to
    find the pages that link to a deleted file or to an anchor of a changed
    page (mkdocs checks those links when it builds the page)."""
    found = set()
    targets = [a or b for a, b in _TARGET.findall(text)]
    if "]:" in text:
        targets += _DEFINED.findall(text)
    for target in targets:
        path, anchor, _ = target.partition("#")
        name = path.partition("?")[0].rsplit("/", 1)[-1]
        if name:
            found.add(name)
            if anchor:
                found.add(name + "#")
    return sorted(found)


def docs_links(docs: Path, rels) -> dict[str, list[str]]:
    return {rel: linked_names((docs / rel).read_text(encoding="utf-8", errors="replace"))
            for rel in rels if rel.endswith(".md") and (docs / rel).is_file()}


def plan(root: Path, out: Path, docs: Path, fp: str, written: set[str], removed: set[str],
         rendered_all: str = "") -> Plan:
    """What to build after a render that wrote `written` into the docs and
    removed `removed` (render.render_changes; `rendered_all`: why it wrote
    everything), or FullBuild with the reason."""
    state = load_state(root)
    now = versions()
    if state.versions != now:
        diff = [f"{k} {state.versions.get(k) or '无'} → {v}" for k, v in now.items() if state.versions.get(k) != v]
        raise FullBuild("软件版本变了（" + "，".join(diff or ["?"]) + "）")
    if state.fingerprint != fp:
        raise FullBuild("配置、模板、模型（schema.yaml）或程序变了")
    if state.site != str(out):
        raise FullBuild("上次构建的是另一个网站目录")
    live_files = tree(out) if out.is_dir() else {}
    if not live_files or manifest_hash(live_files) != state.site_hash:
        raise FullBuild("网站目录与上次构建的记录不符")
    if rendered_all:
        raise FullBuild(rendered_all.rstrip("。"))
    found = tree(docs)
    changed = set(written) & found.keys()
    deleted = set(state.docs) - found.keys()
    # Every other file of the docs is the last build's, untouched.
    for rel, st in found.items():
        if rel not in changed and state.docs.get(rel) != [st.st_size, st.st_mtime_ns]:
            raise FullBuild(f"生成的 Markdown（.build/docs/{rel}）与上次构建的记录不符")
    # Pages that link to a deleted file, or to an anchor of a changed page,
    # are rebuilt, so that mkdocs checks their links as a full build does.
    names = {Path(rel).name for rel in deleted | set(removed)} | \
        {Path(rel).name + "#" for rel in changed if rel.endswith(".md")}
    links = {rel: v for rel, v in state.links.items() if rel in found and rel not in changed}
    links.update(docs_links(docs, changed))
    if names:
        changed |= {rel for rel, named in links.items() if names.intersection(named)}
    # mkdocs' dirty mode skips a page whose source is older than its output:
    # the files kept get the oldest time once (render writes new ones).
    kept = {}
    for rel, st in sorted(found.items()):
        if rel not in changed and st.st_mtime_ns != 0:
            os.utime(docs / rel, ns=(0, 0))
        kept[rel] = [st.st_size, st.st_mtime_ns if rel in changed else 0]
    return Plan(state, changed, deleted, kept, live_files, links)


def link_copy(src: Path, dst: Path, leave_out: set[str]) -> None:
    """A copy of the tree `src` made of hard links (a copy where the file
    system has none), without the paths in `leave_out` (relative, files or
    folders)."""
    for dirpath, dirnames, names in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirnames[:] = [d for d in dirnames if rel_dir + d not in leave_out]
        target = dst / rel_dir
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            if rel_dir + name in leave_out:
                continue
            try:
                os.link(os.path.join(dirpath, name), target / name)
            except OSError:
                shutil.copy2(os.path.join(dirpath, name), target / name)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except FileExistsError:
        os.unlink(dst)
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def sync_links(live: Path, live_files: dict[str, os.stat_result], copy: Path, leave_out: set[str]) -> int:
    """Make `copy`, an older tree of hard links to files of `live` (the
    site before the last build: swap.swap_in keeps it), a tree of hard links
    to exactly the files of `live` (`live_files`: its tree), without the
    files in `leave_out`. Only what differs is linked or removed: after a
    one-record change, a few dozen files instead of the whole site. Returns
    the number of files linked."""
    have = tree(copy)
    linked = 0
    for rel, st in live_files.items():
        if rel in leave_out:
            continue
        old = have.get(rel)
        if old is not None and old.st_ino == st.st_ino and old.st_dev == st.st_dev:
            continue
        target = os.path.join(copy, rel)
        if old is None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        _link(os.path.join(live, rel), target)
        linked += 1
    for rel in have.keys() - (live_files.keys() - leave_out):
        os.unlink(os.path.join(copy, rel))
    # Folders left empty (a deleted page's, with use_directory_urls).
    for dirpath, dirnames, names in os.walk(copy, topdown=False):
        if dirpath != str(copy) and not dirnames and not names:
            os.rmdir(dirpath)
    return linked


def page_dest(rel: str, docs: Path, site: Path, directory_urls: bool) -> str:
    """Where mkdocs writes the file `rel` of the docs."""
    from mkdocs.structure.files import File
    return File(rel, str(docs), str(site), directory_urls).dest_uri


def prepare_site(plan_: Plan, live: Path, docs: Path, new_site: Path, directory_urls: bool,
                 spare: Path | None = None, live_files: dict | None = None) -> None:
    """The new site as hard links to the live one, without what this build
    writes again: the outputs of changed and deleted docs files, the files
    mkdocs writes every time, and the feed. From `spare` (the live site
    before the last build, kept by swap.swap_in) when there is one, brought
    up to date where the last build said it differs (State.spare_differs);
    else a new tree of links. What was left out is kept in plan_.left_out,
    for as_recorded()."""
    leave = set(ALWAYS_WRITTEN) | set(AFTER_MKDOCS)
    for rel in plan_.changed | plan_.deleted:
        leave.add(page_dest(rel, docs, new_site, directory_urls))
    files = live_files if live_files is not None else tree(live)
    plan_.live_files = files
    plan_.left_out = _left_out(files, leave)
    if spare is not None and spare.is_dir():
        os.rename(spare, new_site)
        try:
            sync_known(live, files, new_site, plan_.left_out, set(plan_.state.spare_differs))
        except OSError as e:
            raise FullBuild(f"保留的上一版网站无法使用（{type(e).__name__}）") from e
        return
    link_copy(live, new_site, leave)
    # A deleted page's folder (use_directory_urls) left empty.
    for rel in plan_.deleted:
        folder = (new_site / page_dest(rel, docs, new_site, directory_urls)).parent
        while folder != new_site and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def sync_known(live: Path, live_files: dict[str, os.stat_result], copy: Path, leave_out: set[str],
               differs: set[str]) -> None:
    """sync_links without walking `copy`: the last build recorded where the
    site it kept (`copy`) differs from the live one (`differs`), so only
    those paths and the ones left out are linked or removed. Whether that
    record held is checked after the build, from the walk the state needs
    anyway (as_recorded)."""
    emptied = set()
    for rel in sorted(differs | leave_out):
        target = os.path.join(copy, rel)
        if rel in live_files and rel not in leave_out:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _link(os.path.join(live, rel), target)
        elif os.path.lexists(target):
            os.unlink(target)
            emptied.add(os.path.dirname(target))
    _remove_empty(copy, emptied)


def _remove_empty(top: Path, folders) -> None:
    """The folders (and their parents, below `top`) that removals left empty."""
    for folder in sorted(folders, key=len, reverse=True):
        while folder != str(top) and folder.startswith(str(top)):
            try:
                os.rmdir(folder)
            except OSError:
                break   # not empty (or gone already)
            folder = os.path.dirname(folder)


def as_recorded(found: dict[str, os.stat_result], plan_: Plan, since_ns: int, removed: set[str]) -> bool:
    """Whether the new site's tree (`found`, walked after the build) is what
    it must be when the kept site was as the last build recorded: every file
    is the live one's (the same inode) unless it was left out, or it was
    written by this build (changed at or after `since_ns`, the build's start
    by the file system's clock); and no live file is missing that was
    neither left out nor `removed` by this build (the search index's).
    False (a kept site changed by hand, or a clock set back): the build is
    done again whole."""
    live, left_out = plan_.live_files, plan_.left_out
    for rel, st in found.items():
        old = live.get(rel)
        if old is not None and old.st_ino == st.st_ino and old.st_dev == st.st_dev and rel not in left_out:
            continue
        if st.st_ctime_ns < since_ns:
            return False
    return all(rel in found or rel in removed for rel in live.keys() - left_out)


def differs(before: dict[str, os.stat_result], after: dict[str, os.stat_result]) -> list[str]:
    """The paths where two trees of the same site are not the same file:
    what the next build must bring up to date in the site it keeps."""
    return sorted({rel for rel, st in after.items()
                   if rel not in before or before[rel].st_ino != st.st_ino or before[rel].st_dev != st.st_dev}
                  | (before.keys() - after.keys()))


def _left_out(files, leave: set[str]) -> set[str]:
    """The files of `files` (site paths) that are, or are under, one of `leave`."""
    out = set(leave).intersection(files)
    rest = [x for x in leave if x not in files]
    dirs: set[str] = set()
    if rest:
        for rel in files:
            folder = rel.rpartition("/")[0]
            while folder and folder not in dirs:
                dirs.add(folder)
                folder = folder.rpartition("/")[0]
    folders = [f"{x}/" for x in rest if x in dirs]
    if folders:
        out.update(rel for rel in files if rel.startswith(tuple(folders)))
    return out


def note(reason: str) -> str:
    return f"完整构建：{reason}。"

