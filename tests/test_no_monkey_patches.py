"""No code under scripts/ changes mkdocs, Material or WeasyPrint: what the
project needs of them goes through their public ways (a plugin of its own,
scripts/build/plugin.py; a subclass, scripts/editor/preview_server.py).

An AST walk over every .py under scripts/ finds assignments (`x.attr = …`,
`x.attr += …`, `setattr(x, "attr", …)`, `del x.attr`) whose target is
- an attribute of a module or class imported from those packages, the names
  resolved through the file's imports (and plain aliases: `f = module.f`);
- or, on any object but `self`, an attribute named like a method of one of
  their classes and given a function (`theme.get_env = cached_get_env`
  replaces a method of one mkdocs object): an instance has no type in the
  source, so the name and the function are what give it away.

One exception, documented where it is: scripts/print/cjk.py patches two
functions of WeasyPrint (inter-character justification of Chinese text, for
which WeasyPrint has no public way: no `text-justify`), and may do so only
while the installed and pinned WeasyPrint is the very version its docstring
names: an upgrade fails here until someone has checked that the patch still
fits (or that WeasyPrint now does it itself) and updated the docstring.
"""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mkdocs", "material", "weasyprint")
# file → (package it may patch, the regular expression that finds the version
# its docstring names)
EXCEPTIONS = {"scripts/print/cjk.py": ("weasyprint", r"internals of WeasyPrint (\d+(?:\.\d+)*) exactly")}


def _third_party(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in PACKAGES else None


@functools.lru_cache(maxsize=None)
def library_methods() -> frozenset[str]:
    """Names of the methods defined in the classes of the packages (their
    sources, as installed). Dunder names excepted: `__init__` of our own
    subclasses is no patch."""
    names = set()
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        assert spec and spec.submodule_search_locations, package
        for folder in spec.submodule_search_locations:
            for path in Path(folder).rglob("*.py"):
                tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
                for node in ast.walk(tree):
                    if isinstance(node, ast.ClassDef):
                        names.update(item.name for item in node.body
                                     if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                                     and not item.name.startswith("__") and not _is_property(item))
    return frozenset(names)


def _is_property(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A property's name is a data attribute for whoever sets it."""
    return any("property" in ast.unparse(d) or ast.unparse(d).endswith((".setter", ".deleter"))
               for d in function.decorator_list)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_dotted(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def patches(source: str, filename: str = "<snippet>") -> list[tuple[int, str, str]]:
    """(line, package, what) of every patch of the packages in `source`."""
    tree = ast.parse(source, filename)
    imported: dict[str, str] = {}    # local name → package it comes from
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if package := _third_party(alias.name):
                    imported[alias.asname or alias.name.split(".")[0]] = package
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if package := _third_party(node.module):
                for alias in node.names:
                    imported[alias.asname or alias.name] = package
    # Aliases, to a fixed point: `get = mkdocs_module.build` makes `get` one.
    assignments = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    while True:
        before = len(imported)
        for node in assignments:
            root = _root_name(node.value) if _is_dotted(node.value) else None
            if root in imported:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        imported.setdefault(target.id, imported[root])
        if len(imported) == before:
            break

    found = []
    methods = library_methods()

    functions = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def callable_like(value: ast.AST | None) -> bool:
        # What replaces a method: a function (a lambda, one defined in the
        # file) or another object's attribute; not data such as a Call's result.
        return (isinstance(value, ast.Lambda) or (isinstance(value, ast.Name) and value.id in functions)
                or (isinstance(value, ast.Attribute) and _is_dotted(value)))

    def check(target: ast.AST, attr: str, line: int, value: ast.AST | None) -> None:
        root = _root_name(target)
        what = f"{ast.unparse(target)}.{attr}"
        if root in imported:
            found.append((line, imported[root], what))
        elif attr in methods and root != "self" and callable_like(value):
            # (self: a class of our own sets its own attributes)
            found.append((line, "?", what))

    def targets(node: ast.AST):
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                yield from targets(element)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)
        else:
            yield node

    for node in ast.walk(tree):
        value = None
        if isinstance(node, ast.Assign):
            changed = [t for target in node.targets for t in targets(target)]
            value = node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            changed = [node.target]
            value = node.value
        elif isinstance(node, ast.Delete):
            changed = [t for target in node.targets for t in targets(target)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("setattr", "delattr") and node.args):
            name = node.args[1] if len(node.args) > 1 else None
            attr = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else "<name>"
            check(node.args[0], attr, node.lineno, node.args[2] if len(node.args) > 2 else None)
            continue
        else:
            continue
        for target in changed:
            if isinstance(target, ast.Attribute):
                check(target.value, target.attr, target.lineno, value)
    return found


def test_no_file_under_scripts_changes_mkdocs_material_or_weasyprint():
    failures = []
    for path in sorted((ROOT / "scripts").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        allowed = EXCEPTIONS.get(rel, (None,))[0]
        for line, package, what in patches(path.read_text(encoding="utf-8"), rel):
            if package != allowed:
                failures.append(f"{rel}:{line}: {what} = … changes {package if package != '?' else 'a library'}'s "
                                "code: use its public API, a subclass, or the plugin (scripts/build/plugin.py)")
    assert not failures, "\n".join(failures)


def test_the_one_exception_holds_only_for_the_weasyprint_it_was_written_for():
    path = ROOT / "scripts/print/cjk.py"
    package, pattern = EXCEPTIONS["scripts/print/cjk.py"]
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    named = re.search(pattern, docstring or "")
    assert named, f"scripts/print/cjk.py: its docstring must name the {package} version its patch was written for"
    installed = importlib.metadata.version(package)
    pins = re.findall(rf"(?im)^{package}==(\S+)", (ROOT / "requirements.txt").read_text(encoding="utf-8"))
    assert pins == [named[1]] and installed == named[1], (
        f"scripts/print/cjk.py patches {package} {named[1]}, but requirements.txt pins {pins} and "
        f"{installed} is installed: check the patch against this version (tests/test_print_typesetting.py) "
        f"or whether {package} now justifies Chinese text itself, then update the docstring")
    # And it is still needed: the patch is there (else the exception must go).
    assert patches(path.read_text(encoding="utf-8"), "cjk.py"), "cjk.py patches nothing: remove EXCEPTIONS"


TODAYS_PATCHES = '''
import mkdocs.commands.serve as mkdocs_serve_module
from mkdocs.livereload import LiveReloadServer
from weasyprint.layout import inline
from weasyprint.text import line_break

def keep_compiled(theme, cache):
    get_env = theme.get_env
    theme.get_env = lambda: get_env()

def show_problems():
    LiveReloadServer._inject_js_into_html = lambda self, content, epoch: content

def check_host():
    serve_request = LiveReloadServer.serve_request
    LiveReloadServer.serve_request = serve_request

def prune():
    build = mkdocs_serve_module.build
    mkdocs_serve_module.build = build

def cjk(justify_line, set_text):
    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text
'''


def test_each_of_the_patches_this_replaced_is_caught():
    found = {(line, what) for line, _, what in patches(TODAYS_PATCHES)}
    assert found == {(9, "theme.get_env"), (12, "LiveReloadServer._inject_js_into_html"),
                     (16, "LiveReloadServer.serve_request"), (20, "mkdocs_serve_module.build"),
                     (23, "inline.justify_line"), (24, "line_break.Layout.set_text")}


def test_other_spellings_are_caught_and_plain_use_is_not():
    caught = '''
import weasyprint as wp
from material import plugins
import mkdocs
from mkdocs.structure.files import File as F
setattr(F, "url", None)
wp.HTML.render += 1
plugins.x, y = 1, 2
mkdocs.utils.get_markdown_title = None
del F.src_uri
alias = mkdocs.config
alias.load_config = None

def patch(config, server):
    def handler(environ, start_response):
        return []
    config.theme.get_env = lambda: None
    server.serve_request = handler
    setattr(server, "_inject_js_into_html", server.other)
'''
    assert sorted(line for line, _, _ in patches(caught)) == [6, 7, 8, 9, 10, 12, 17, 18, 19]
    fine = '''
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin

class Server(LiveReloadServer):
    def serve_request(self, environ, start_response):
        return super().serve_request(environ, start_response)

class Plugin(BasePlugin):
    def on_env(self, env, *, config, files):
        env.bytecode_cache = None
        config.nav = []
        return env

def make(config):
    server = Server(builder=None, host="127.0.0.1", port=0, root=".")
    server.error_handler = None
    config.plugins["zlt"] = Plugin()
    config.site_url = "http://127.0.0.1:8000/"
    server.process = make(config)      # data under a name that is a method somewhere
    server.text = "文字"
'''
    assert patches(fine) == []
